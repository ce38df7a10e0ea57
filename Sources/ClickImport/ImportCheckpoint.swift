import ClickSpool
import JSON
import RedirectCore
import SystemIO
import SystemPackage

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

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
        JSONValue.object([
            ("file", .string(file)), ("inode", .int(Int(truncatingIfNeeded: inode))),
            ("offset", .int(Int(offset))),
        ]).write(to: &out)
        return String(decoding: out, as: UTF8.self) + "\n"
    }

    /// Parses `text`; nil when it is not a checkpoint.
    public init?(text: String) {
        guard let json = JSONValue(parsing: text), let file = json["file"]?.stringValue,
            case .int(let inode)? = json["inode"], case .int(let offset)? = json["offset"], offset >= 0
        else { return nil }
        self.init(file: file, inode: UInt64(truncatingIfNeeded: inode), offset: Int64(offset))
    }

    /// The checkpoint of `spool`; nil when there is none. A file that is not a checkpoint is an error.
    public static func load(in spool: SpoolDirectory) throws(ImportError) -> ImportCheckpoint? {
        let name = SpoolLayout.File.importCheckpoint.rawValue
        guard let bytes = try ImportFiles.readAll(name, in: spool, maxCount: 65_536) else { return nil }
        guard let checkpoint = ImportCheckpoint(text: String(decoding: bytes, as: UTF8.self)) else {
            throw .badOption(
                "\(spool.path)/\(name) is not an import checkpoint; move it away to ship ready/ from "
                    + "the start of each file")
        }
        return checkpoint
    }

    /// Replaces the checkpoint of `spool` with this one, durably.
    public func save(in spool: SpoolDirectory) throws(ImportError) {
        try ImportFiles.replace(SpoolLayout.File.importCheckpoint.rawValue, in: spool, with: Array(text.utf8))
    }
}
