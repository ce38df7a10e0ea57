#ifndef REDIRECTD_CLINUX_H
#define REDIRECTD_CLINUX_H

// Linux calls that glibc declares only under _GNU_SOURCE, which the Glibc module is built without, and the few
// struct-heavy ones (epoll events, socket options) that read more plainly in C. shim.c defines _GNU_SOURCE and
// passes each call through.
#include <signal.h>

/// The corresponding C function is `close_range` (glibc 2.34 and later).
int CLinux_close_range(unsigned int first, unsigned int last, int flags);

/// A new epoll descriptor, close-on-exec. -1 with errno.
int CLinux_epoll_create(void);

/// Watches `fd` in `epoll` for one input event or its peer's hang-up (EPOLLONESHOT: after it is reported, `fd`
/// is not watched until this is called again), reported with `token`. Re-arms `fd` if `epoll` has it, adds it if
/// not. 0, or -1 with errno.
int CLinux_epoll_watch(int epoll, int fd, unsigned long long token);

/// `epoll_pwait` for up to `most` events (at most 16), with `mask` as the signal mask of the wait; `milliseconds`
/// < 0 waits without a limit. Returns how many came, and stores each one's token and in `hangUps` whether the
/// peer closed or the descriptor failed; 0 when the time ran out, or -1 with errno (EINTR: a signal came).
int CLinux_epoll_wait(int epoll, int milliseconds, const sigset_t *mask, unsigned long long *tokens, int *hangUps,
                      int most);

/// Whether the socket `fd` has no bytes waiting to be read (FIONREAD); false when that cannot be told.
int CLinux_nothing_to_read(int fd);

/// Accepts a connection on the non-blocking socket `listening`: close-on-exec and blocking (libfcgi reads it
/// so), with TCP_NODELAY when `tcp` is not 0, and reads that give up after `receiveTimeoutSeconds` when that
/// is above 0. -1 with errno (EAGAIN: none waits).
int CLinux_accept_connection(int listening, int tcp, int receiveTimeoutSeconds);

/// How many CPUs this process may run on (its affinity mask), or -1.
int CLinux_available_cpus(void);

#endif
