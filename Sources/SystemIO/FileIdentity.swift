#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// What `stat` says about a version of a file: when any of it changes, the file is read (or opened) again.
///
/// A new file renamed over the old one has a new inode; one written in place has a new size or modification
/// time; the change time also catches a `chmod` that makes an unreadable file readable. Times are kept as
/// nanoseconds since the epoch (one `Int64` each, good until 2262): 40 bytes instead of the 56 of two
/// `timespec`s, in every cached redirect.
public struct FileIdentity: Equatable, Sendable {
    public var device: UInt64
    public var inode: UInt64
    public var size: Int64
    public var modified: Int64
    public var changed: Int64

    @inlinable
    public init(_ s: stat) {
        device = UInt64(s.st_dev)
        inode = UInt64(s.st_ino)
        size = Int64(s.st_size)
        modified = Int64(s.st_mtim.tv_sec) &* 1_000_000_000 &+ Int64(s.st_mtim.tv_nsec)
        changed = Int64(s.st_ctim.tv_sec) &* 1_000_000_000 &+ Int64(s.st_ctim.tv_nsec)
    }
}
