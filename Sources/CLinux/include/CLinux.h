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

#endif
