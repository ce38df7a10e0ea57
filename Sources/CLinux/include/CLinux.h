#ifndef REDIRECTD_CLINUX_H
#define REDIRECTD_CLINUX_H

// Linux calls that glibc declares only under _GNU_SOURCE, which the Glibc module is built without. shim.c
// defines _GNU_SOURCE and passes each call through.
#include <poll.h>
#include <signal.h>
#include <time.h>

/// The corresponding C function is `ppoll`: `poll` with a signal mask for the wait.
int CLinux_ppoll(struct pollfd *fds, nfds_t count, const struct timespec *timeout, const sigset_t *mask);

/// The corresponding C function is `close_range` (glibc 2.34 and later).
int CLinux_close_range(unsigned int first, unsigned int last, int flags);

/// A new epoll descriptor (close-on-exec) watching `fd` for input with EPOLLEXCLUSIVE: when several threads
/// each wait on an epoll of their own over one listening socket, a new connection wakes one of them, not all
/// (as a plain `poll` would). -1 with errno on failure.
int CLinux_exclusive_epoll(int fd);

/// `epoll_pwait` for one event, with `mask` as the signal mask of the wait; `milliseconds` < 0 waits without a
/// limit. Returns the number of ready descriptors (0 or 1), or -1 with errno (EINTR: a signal came).
int CLinux_epoll_wait_one(int epoll, int milliseconds, const sigset_t *mask);

#endif
