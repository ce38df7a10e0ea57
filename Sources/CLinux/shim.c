#define _GNU_SOURCE
#include <poll.h>
#include <unistd.h>
#include "CLinux.h"

int CLinux_ppoll(struct pollfd *fds, nfds_t count, const struct timespec *timeout, const sigset_t *mask) {
    return ppoll(fds, count, timeout, mask);
}

int CLinux_close_range(unsigned int first, unsigned int last, int flags) {
    return close_range(first, last, flags);
}
