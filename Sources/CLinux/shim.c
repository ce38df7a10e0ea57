#define _GNU_SOURCE
#include <poll.h>
#include <sys/epoll.h>
#include <unistd.h>
#include "CLinux.h"

int CLinux_ppoll(struct pollfd *fds, nfds_t count, const struct timespec *timeout, const sigset_t *mask) {
    return ppoll(fds, count, timeout, mask);
}

int CLinux_close_range(unsigned int first, unsigned int last, int flags) {
    return close_range(first, last, flags);
}

int CLinux_exclusive_epoll(int fd) {
    int epoll = epoll_create1(EPOLL_CLOEXEC);
    if (epoll < 0) return -1;
    struct epoll_event event = {.events = EPOLLIN | EPOLLEXCLUSIVE, .data = {.fd = fd}};
    if (epoll_ctl(epoll, EPOLL_CTL_ADD, fd, &event) < 0) {
        close(epoll);
        return -1;
    }
    return epoll;
}

int CLinux_epoll_wait_one(int epoll, int milliseconds, const sigset_t *mask) {
    struct epoll_event event;
    return epoll_pwait(epoll, &event, 1, milliseconds, mask);
}
