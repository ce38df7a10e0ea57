import SystemPackage

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension FileDescriptor {
    /// A whole-file advisory lock, as `flock(2)` takes it.
    public enum FileLock: Sendable {
        /// Many holders at once (spool writers).
        case shared
        /// One holder, no shared ones (the sealer, the importer's run lock).
        case exclusive
    }

    /// Takes `kind` of lock on the open file; without `waiting`, throws `Errno.wouldBlock` at once when another
    /// holder is in the way. Locks belong to the open file description and end with its last descriptor.
    ///
    /// The corresponding C function is `flock`.
    public func lock(_ kind: FileLock, waiting: Bool = true, retryOnInterrupt: Bool = true) throws(Errno) {
        var operation = kind == .shared ? LOCK_SH : LOCK_EX
        if !waiting { operation |= LOCK_NB }
        while flock(rawValue, operation) != 0 {
            let error = Errno(rawValue: errno)
            guard retryOnInterrupt && error == .interrupted else { throw error }
        }
    }

    /// Drops the lock this open file holds.
    ///
    /// The corresponding C function is `flock` with `LOCK_UN`.
    public func unlock() {
        _ = flock(rawValue, LOCK_UN)
    }
}
