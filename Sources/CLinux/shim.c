#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sched.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include "CLinux.h"

int CLinux_close_range(unsigned int first, unsigned int last, int flags) {
    return close_range(first, last, flags);
}

int CLinux_epoll_create(void) {
    return epoll_create1(EPOLL_CLOEXEC);
}

int CLinux_epoll_watch(int epoll, int fd, unsigned long long token) {
    struct epoll_event event = {.events = EPOLLIN | EPOLLRDHUP | EPOLLONESHOT, .data = {.u64 = token}};
    if (epoll_ctl(epoll, EPOLL_CTL_MOD, fd, &event) == 0) return 0;
    if (errno != ENOENT) return -1;
    return epoll_ctl(epoll, EPOLL_CTL_ADD, fd, &event);
}

int CLinux_epoll_wait(int epoll, int milliseconds, const sigset_t *mask, unsigned long long *tokens, int *hangUps,
                      int most) {
    struct epoll_event events[16];
    if (most > 16) most = 16;
    int ready = epoll_pwait(epoll, events, most, milliseconds, mask);
    for (int i = 0; i < ready; i++) {
        tokens[i] = events[i].data.u64;
        hangUps[i] = (events[i].events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR)) != 0;
    }
    return ready;
}

int CLinux_nothing_to_read(int fd) {
    int pending = 0;
    return ioctl(fd, FIONREAD, &pending) == 0 && pending == 0;
}

int CLinux_accept_connection(int listening, int tcp, int receiveTimeoutSeconds) {
    int fd = accept4(listening, NULL, NULL, SOCK_CLOEXEC);
    if (fd < 0) return -1;
    if (tcp) {
        int on = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
    }
    if (receiveTimeoutSeconds > 0) {
        struct timeval timeout = {.tv_sec = receiveTimeoutSeconds, .tv_usec = 0};
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    }
    return fd;
}

int CLinux_available_cpus(void) {
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) != 0) return -1;
    return CPU_COUNT(&set);
}
