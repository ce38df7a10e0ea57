#if canImport(Glibc)
    import Glibc
#endif

/// How many descriptors the FastCGI loop may use: the open-files limit it raises at start-up, and the number of
/// connections it keeps below that.
///
/// libfcgi calls `select()` when it closes a connection, so connections must take descriptors below
/// `FD_SETSIZE` (1024) whatever the open-files limit; the workers' spool files and redirect files need some of
/// those too.
enum FileDescriptorLimit {
    /// Connections take descriptors below this; one accepted above it is closed at once.
    static let connectionDescriptorLimit = Int32(FD_SETSIZE)

    /// Descriptors kept from connections besides one per worker: the listening socket, the epoll, redirect files
    /// being read, the sealer.
    static let connectionReserve = 96

    /// The fewest connections a process takes, however low the open-files limit.
    static let minimumConnections = 16

    /// Raises the soft limit of open files towards ``connectionDescriptorLimit`` if it is lower, never above the
    /// hard limit. Returns why not, in words for the person starting the process, when it stays below
    /// `threads` + `reserve` (each worker keeps a spool file open) plus 64 connections.
    static func ensureRoom(threads: Int, reserve: Int) -> String? {
        let needed = rlim_t(threads + reserve + 64)
        var limit = rlimit()
        guard getrlimit(resource, &limit) == 0 else { return nil }
        let wanted = max(needed, rlim_t(connectionDescriptorLimit))
        if limit.rlim_cur < wanted {
            var raised = limit
            raised.rlim_cur = min(wanted, limit.rlim_max)
            if setrlimit(resource, &raised) == 0 { limit = raised }
        }
        if limit.rlim_cur >= needed { return nil }
        return "\(threads) worker threads need at least \(needed) open files, and the limit is \(limit.rlim_cur) "
            + "(hard limit \(limit.rlim_max)): raise it (ulimit -n; LimitNOFILE= in a systemd unit) "
            + "or give fewer --threads"
    }

    /// How many connections `threads` workers may have open: the descriptors below the open-files limit and
    /// ``connectionDescriptorLimit``, less one spool file per worker and ``connectionReserve``.
    static func connectionLimit(threads: Int) -> Int {
        var limit = rlimit()
        let open =
            getrlimit(resource, &limit) == 0
            ? min(Int(limit.rlim_cur), Int(connectionDescriptorLimit)) : Int(connectionDescriptorLimit)
        return max(minimumConnections, open - max(1, threads) - connectionReserve)
    }

    private static var resource: __rlimit_resource_t { __rlimit_resource_t(RLIMIT_NOFILE.rawValue) }
}
