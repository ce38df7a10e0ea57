#if canImport(Glibc)
    import Glibc
#endif

/// The process-wide signal set-up of the FastCGI loop: which signals are blocked where, and the one that wakes a
/// worker.
///
/// Stop and reload signals go to one signal thread (``ReloadHandOver``), which `sigwait`s for them; every other
/// thread blocks them, and the mask is inherited, so it must be set before any thread starts. The wake-up signal
/// is unblocked only for a worker's wait in `epoll_pwait` (``waitMask()``), so it ends that wait and interrupts
/// nothing else. Because the mask is the whole process's, tests of the loop run it in a child process.
enum WorkerSignals {
    /// The signal that interrupts a worker's wait in `epoll_pwait`.
    static let wake = SIGUSR2

    /// What the signal thread waits for: SIGTERM and SIGINT stop, SIGHUP reloads.
    static var stopAndReload: sigset_t {
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGTERM)
        sigaddset(&set, SIGINT)
        sigaddset(&set, SIGHUP)
        return set
    }

    /// Blocks ``stopAndReload`` and ``wake`` in this thread and the threads it starts; ignores SIGPIPE and
    /// SIGUSR1, which also keeps libfcgi's `FCGX_Init` from installing handlers of its own.
    static func prepare() {
        var set = stopAndReload
        sigaddset(&set, wake)
        pthread_sigmask(SIG_BLOCK, &set, nil)
        signal(SIGPIPE, SIG_IGN)
        signal(SIGUSR1, SIG_IGN)
        // A handler that does nothing: its only effect is to end the wait it interrupts with EINTR.
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { _ in }
        sigemptyset(&action.sa_mask)
        action.sa_flags = SA_RESTART
        sigaction(wake, &action, nil)
    }

    /// This thread's signal mask with ``wake`` unblocked: the mask of a worker's waits.
    static func waitMask() -> sigset_t {
        var mask = sigset_t()
        pthread_sigmask(SIG_BLOCK, nil, &mask)
        sigdelset(&mask, wake)
        return mask
    }
}
