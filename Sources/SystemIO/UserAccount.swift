import SystemPackage

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A user of the system, as the password database knows it, and the switch to it.
public struct UserAccount: Sendable, Equatable {
    public var name: String
    public var uid: UInt32
    /// The primary group.
    public var gid: UInt32

    public init(name: String, uid: UInt32, gid: UInt32) {
        self.name = name
        self.uid = uid
        self.gid = gid
    }

    /// The user named `name` (or a numeric uid), or nil when the system has none.
    ///
    /// The corresponding C functions are `getpwnam_r` and `getpwuid_r`.
    public static func named(_ name: String) -> UserAccount? {
        if let account = lookUp({ getpwnam_r(name, &$0, $1, $2, &$3) }) { return account }
        if let uid = UInt32(name) { return lookUp({ getpwuid_r(uid, &$0, $1, $2, &$3) }) }
        return nil
    }

    /// The user with id `uid`, or nil when the system has no entry for it.
    public static func withID(_ uid: UInt32) -> UserAccount? {
        lookUp { getpwuid_r(uid, &$0, $1, $2, &$3) }
    }

    /// `www-data (uid 33)`, or `uid 1234` for an id with no entry: for messages.
    public static func describe(_ uid: UInt32) -> String {
        withID(uid).map { "\($0.name) (uid \(uid))" } ?? "uid \(uid)"
    }

    /// The user this process runs as (its effective user).
    public static var current: UInt32 { geteuid() }

    /// Makes this process run as this user for good: its supplementary groups, primary group, then user id,
    /// in that order (after `setuid` the rest is no longer allowed). Throws unless the process could do it and
    /// cannot take root back afterwards.
    ///
    /// Call it before the process starts threads of its own. The corresponding C functions are `initgroups`,
    /// `setgid` and `setuid`.
    public func become() throws(Errno) {
        guard initgroups(name, gid) == 0 else { throw Errno(rawValue: errno) }
        guard setgid(gid) == 0 else { throw Errno(rawValue: errno) }
        guard setuid(uid) == 0 else { throw Errno(rawValue: errno) }
        if uid != 0 && (setuid(0) == 0 || geteuid() == 0) { throw .notPermitted }
    }

    private typealias Lookup = (
        inout passwd, UnsafeMutablePointer<CChar>, Int,
        inout UnsafeMutablePointer<passwd>?
    ) -> Int32

    private static func lookUp(_ call: Lookup) -> UserAccount? {
        var entry = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var size = 1024
        while size <= 1 << 20 {
            let buffer = UnsafeMutablePointer<CChar>.allocate(capacity: size)
            defer { buffer.deallocate() }
            let status = call(&entry, buffer, size, &result)
            if status == ERANGE {
                size *= 2
                continue
            }
            guard status == 0, result != nil, let name = entry.pw_name else { return nil }
            return UserAccount(name: String(cString: name), uid: entry.pw_uid, gid: entry.pw_gid)
        }
        return nil
    }
}
