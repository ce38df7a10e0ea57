#if canImport(Glibc)
    import Glibc
#endif

/// The listening socket handed over the way systemd's socket activation does it: fd 3, with `LISTEN_FDS`
/// at least 1 and `LISTEN_PID` naming this process. A reload (``ProcessReplacement``) hands it over the same way.
public enum InheritedSocket {
    /// The first listening socket given, or nil. The variables are removed either way (as `sd_listen_fds(1)`
    /// does), so that no process started later takes them for its own.
    public static func take() -> Int32? {
        let count = getenv("LISTEN_FDS").flatMap { Int(String(cString: $0)) }
        let pid = getenv("LISTEN_PID").flatMap { Int32(String(cString: $0)) }
        for name in ["LISTEN_FDS", "LISTEN_PID", "LISTEN_FDNAMES"] { unsetenv(name) }
        guard let count, count >= 1, pid == getpid(), ListeningSocket.isListening(3) else { return nil }
        // Ours alone from here: a process started later gets it only when handed over on purpose.
        _ = fcntl(3, F_SETFD, FD_CLOEXEC)
        return 3
    }
}

/// Telling whoever started this process that it now serves: the process it replaces at a reload (one byte on
/// the descriptor in ``ProcessReplacement/readyVariable``), or systemd (`READY=1`, for `Type=notify`).
public enum ReadinessReport {
    /// The descriptor to report on at a reload, or nil; the variable is removed either way.
    public static func takeDescriptor() -> Int32? {
        let fd = getenv(ProcessReplacement.readyVariable).flatMap { Int32(String(cString: $0)) }
        unsetenv(ProcessReplacement.readyVariable)
        guard let fd, fd >= 0, fcntl(fd, F_GETFD) >= 0 else { return nil }
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        return fd
    }

    /// Reports that the workers serve. At a reload the old process tells systemd the new main pid itself
    /// (its message is accepted even with `NotifyAccess=main`); at a plain start this process sends `READY=1`.
    public static func serving(descriptor: Int32?) {
        guard let descriptor else {
            ServiceNotifier.notify("READY=1")
            return
        }
        var byte = ProcessReplacement.readyByte
        _ = write(descriptor, &byte, 1)
        close(descriptor)
    }
}
