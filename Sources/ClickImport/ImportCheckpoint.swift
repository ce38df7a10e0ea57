#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ClickSpool
import RedirectCore
import SystemPackage

/// How far the import got: the `ready/` file being shipped and the offset after its last acknowledged batch.
///
/// Written after every batch the sink acknowledged, atomically (temporary file, `fsync`, `rename`, `fsync` of
/// the directory), so a crash leaves the old or the new checkpoint, never a mix. The inode guards against a
/// later file that happens to get the same name.
public struct ImportCheckpoint: Sendable, Equatable {
    public var file: String
    public var inode: UInt64
    public var offset: Int64

    public init(file: String, inode: UInt64, offset: Int64) {
        self.file = file
        self.inode = inode
        self.offset = offset
    }

    /// The one-line JSON form: `{"file":"…","inode":N,"offset":N}`.
    public var text: String {
        var out: [UInt8] = []
        JSONValue.object([("file", .string(file)), ("inode", .int(Int(truncatingIfNeeded: inode))),
                          ("offset", .int(Int(offset)))]).write(to: &out)
        return String(decoding: out, as: UTF8.self) + "\n"
    }

    /// Parses `text`; nil when it is not a checkpoint.
    public init?(text: String) {
        guard let json = JSONValue(parsing: text), let file = json["file"]?.stringValue,
            case .int(let inode)? = json["inode"], case .int(let offset)? = json["offset"], offset >= 0
        else { return nil }
        self.init(file: file, inode: UInt64(truncatingIfNeeded: inode), offset: Int64(offset))
    }

    /// The checkpoint at `path`; nil when there is none. A file that is not a checkpoint is an error.
    public static func load(from path: String) throws(ImportError) -> ImportCheckpoint? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT { return nil }
            throw .spool(SpoolError("open", path, Errno(rawValue: errno)))
        }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while bytes.count < 65_536 {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n < 0 { throw .spool(SpoolError("read", path, Errno(rawValue: errno))) }
            if n == 0 { break }
            bytes += chunk.prefix(n)
        }
        guard let checkpoint = ImportCheckpoint(text: String(decoding: bytes, as: UTF8.self)) else {
            throw .badOption("\(path) is not an import checkpoint; move it away to ship ready/ from the start of each file")
        }
        return checkpoint
    }

    /// Replaces the checkpoint at `path` with this one, durably.
    public func save(to path: String) throws(ImportError) {
        let directory = path.lastIndex(of: "/").map { String(path[..<$0]) } ?? "."
        let temporary = path + ".tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .spool(SpoolError("create", temporary, Errno(rawValue: errno))) }
        let bytes = Array(text.utf8)
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress.map { $0 + written }, bytes.count - written) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 {
                let e = n < 0 ? errno : ENOSPC
                close(fd)
                throw .spool(SpoolError("write", temporary, Errno(rawValue: e)))
            }
            written += n
        }
        if fsync(fd) != 0 {
            let e = errno
            close(fd)
            throw .spool(SpoolError("fsync", temporary, Errno(rawValue: e)))
        }
        close(fd)
        guard rename(temporary, path) == 0 else { throw .spool(SpoolError("rename into place", path, Errno(rawValue: errno))) }
        try ImportFiles.syncDirectory(directory)
    }
}
