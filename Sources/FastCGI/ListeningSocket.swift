#if canImport(Glibc)
    import Glibc
#endif

/// Why the listening socket could not be set up.
public struct ListenError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public var description: String { message }
}

/// Opening the listening socket ourselves, instead of `FCGX_OpenSocket`, which unlinks whatever is at a
/// unix path and calls `exit()` on any failure.
public enum ListeningSocket {
    /// Opens, binds and listens; returns the descriptor.
    ///
    /// A unix socket path that another live process is listening on is refused rather than stolen; a stale
    /// socket file is replaced; any other file at the path is an error.
    /// A unix socket gets `socketMode` and, when given, the group `socketGroup` (a name or a number), set before
    /// it listens, so no connection comes in while it is more open than asked.
    public static func open(
        _ address: ListenAddress, backlog: Int32 = 1024, socketMode: mode_t = 0o660,
        socketGroup: String? = nil
    ) throws(ListenError) -> Int32 {
        switch address {
        case .unix(let path): return try openUnix(path, backlog: backlog, mode: socketMode, group: socketGroup)
        case .tcp(let host, let port): return try openTCP(host, port, backlog: backlog)
        }
    }

    private static func fail(_ what: String, _ e: Int32 = errno) -> ListenError {
        ListenError(message: "\(what): \(String(cString: strerror(e)))")
    }

    /// After a failed call on the new socket `fd`: closes it, removes the socket file at `unlinking` when
    /// given, and returns the error for `e` (the call's `errno`, read before anything else could change it).
    private static func abandon(_ fd: Int32, _ e: Int32, _ what: String, unlinking path: String? = nil) -> ListenError {
        close(fd)
        if let path { unlink(path) }
        return fail(what, e)
    }

    /// The group id of a group name or number.
    public static func groupID(_ group: String) -> gid_t? {
        if let entry = getgrnam(group) { return entry.pointee.gr_gid }
        return gid_t(group)
    }

    private static func openUnix(_ path: String, backlog: Int32, mode: mode_t, group: String?) throws(ListenError)
        -> Int32
    {
        var gid: gid_t?
        if let group {
            guard let id = groupID(group) else { throw ListenError(message: "no such group: \(group)") }
            gid = id
        }
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: addr.sun_path) else {
            throw ListenError(message: "socket path too long (at most 107 bytes): \(path)")
        }
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in
            for (i, b) in bytes.enumerated() { raw[i] = b }
        }
        var st = stat()
        if lstat(path, &st) == 0 {
            guard st.st_mode & S_IFMT == S_IFSOCK else {
                throw ListenError(message: "\(path) exists and is not a socket; refusing to replace it")
            }
            let probe = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            let live =
                withUnsafePointer(to: &addr) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        connect(probe, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
                    }
                } == 0
            close(probe)
            if live { throw ListenError(message: "another process is already listening on \(path)") }
            unlink(path)
        }
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw fail("socket") }
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard bound == 0 else { throw abandon(fd, errno, "cannot bind \(path)") }
        if let gid, chown(path, uid_t.max, gid) != 0 {
            throw abandon(fd, errno, "cannot give \(path) the group \(group ?? "")", unlinking: path)
        }
        guard chmod(path, mode) == 0 else {
            throw abandon(fd, errno, "cannot set the mode of \(path)", unlinking: path)
        }
        guard listen(fd, backlog) == 0 else { throw abandon(fd, errno, "cannot listen on \(path)") }
        return fd
    }

    private static func openTCP(_ host: String, _ port: UInt16, backlog: Int32) throws(ListenError) -> Int32 {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_PASSIVE
        var result: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(host, String(port), &hints, &result)
        guard rc == 0, let info = result else {
            throw ListenError(message: "cannot resolve \(host): \(String(cString: gai_strerror(rc)))")
        }
        defer { freeaddrinfo(result) }
        let fd = socket(info.pointee.ai_family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw fail("socket") }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        guard bind(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 else {
            throw abandon(fd, errno, "cannot bind \(host):\(port)")
        }
        guard listen(fd, backlog) == 0 else { throw abandon(fd, errno, "cannot listen on \(host):\(port)") }
        return fd
    }

    /// Whether `fd` is a socket in the listening state (spawn-fcgi and systemd hand one over as fd 0 or 3).
    public static func isListening(_ fd: Int32) -> Bool {
        var value: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        return getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &value, &length) == 0 && value != 0
    }
}
