import RedirectFiles
import SystemIO
import SystemPackage

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// What one name in a redirects directory turned out to be, read without following links.
///
/// The checks match what the responder's reader refuses, so that `check` reports every file the responder
/// would not serve: links are not followed here, only described.
enum DirectoryEntryContents: Equatable {
    /// A regular file of valid UTF-8 within the size limit.
    case text(String)
    /// A symbolic link and the path it names.
    case symbolicLink(target: String)
    /// Why the file cannot be used, with the position of the fault (1:1 for the whole file).
    case problem(line: Int, column: Int, message: String)

    /// Reads `path` (an `lstat`, then one `open` with `O_NOFOLLOW` and one read of up to the size limit).
    static func read(_ path: String) -> DirectoryEntryContents {
        var buffer = ReadBuffer()
        return read(name: path, in: AT_FDCWD, type: UInt8(DT_UNKNOWN), buffer: &buffer)
    }

    /// Room for the largest redirect file and one byte more, reused from file to file.
    struct ReadBuffer {
        fileprivate var bytes = [UInt8](repeating: 0, count: Int(RedirectFileLimits.maxFileSize) + 1)
    }

    /// Reads the entry `name` of the directory open as `directory` (or a path, with `AT_FDCWD`). `type` is
    /// the entry's `d_type` from `readdir`: for a regular file or a link it saves the `lstat`;
    /// `DT_UNKNOWN` asks for one.
    static func read(
        name: String, in directory: Int32, type: UInt8, buffer: inout ReadBuffer
    ) -> DirectoryEntryContents {
        var kind = Int(type)
        if kind == DT_UNKNOWN {
            var s = stat()
            guard fstatat(directory, name, &s, AT_SYMLINK_NOFOLLOW) == 0 else {
                return failure("cannot read", Errno(rawValue: errno))
            }
            switch s.st_mode & S_IFMT {
            case S_IFREG: kind = DT_REG
            case S_IFLNK: kind = DT_LNK
            case S_IFDIR: kind = DT_DIR
            default: kind = DT_UNKNOWN
            }
        }
        switch kind {
        case DT_REG: break
        case DT_LNK: return symbolicLink(name, in: directory)
        case DT_DIR: return .problem(line: 1, column: 1, message: "not a regular file (a directory)")
        default: return .problem(line: 1, column: 1, message: "not a regular file")
        }

        // O_NOFOLLOW: if the name became a link since it was listed, this fails rather than follow it.
        let fd = openat(directory, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK)
        guard fd >= 0 else { return failure("cannot read", Errno(rawValue: errno)) }
        defer { close(fd) }
        // One read: a read of a regular file returns less than asked only at its end. A file that fills the
        // buffer is over the limit, and its size comes from fstat for the message.
        let capacity = buffer.bytes.count
        let count: Int
        do {
            count = try buffer.bytes.withUnsafeMutableBytes { try FileDescriptor(rawValue: fd).read(into: $0) }
        } catch {
            return failure("cannot read", error as? Errno ?? .ioError)
        }
        if count == capacity {
            var s = stat()
            return tooLarge(fstat(fd, &s) == 0 ? Int64(s.st_size) : Int64(count))
        }
        return buffer.bytes.withUnsafeBufferPointer { all in
            let bytes = UnsafeBufferPointer(rebasing: all[..<count])
            if let text = String(validating: bytes, as: UTF8.self) { return .text(text) }
            let fault = UTF8Fault.locate(in: Array(bytes))
            return .problem(
                line: fault.line, column: fault.column,
                message: "not valid UTF-8 (byte 0x\(String(fault.byte, radix: 16, uppercase: true)))")
        }
    }

    private static func symbolicLink(_ name: String, in directory: Int32) -> DirectoryEntryContents {
        var buffer = [CChar](repeating: 0, count: 4096)
        let n = readlinkat(directory, name, &buffer, buffer.count - 1)
        guard n >= 0 else { return failure("cannot read link", Errno(rawValue: errno)) }
        return .symbolicLink(target: String(decoding: buffer[..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self))
    }

    private static func tooLarge(_ size: Int64) -> DirectoryEntryContents {
        .problem(
            line: 1, column: 1,
            message: "\(size) bytes, more than the \(RedirectFileLimits.maxFileSize) a redirect file may have")
    }

    private static func failure(_ what: String, _ errno: Errno) -> DirectoryEntryContents {
        .problem(line: 1, column: 1, message: "\(what): \(errno)")
    }

    /// What `path` is, without following a link.
    enum Kind: Equatable { case missing, regular, symbolicLink, other }

    /// What `path` is, by `lstat`; `.missing` when it does not exist (or cannot be looked at).
    static func kind(of path: String) -> Kind {
        var s = stat()
        guard lstat(path, &s) == 0 else { return .missing }
        switch s.st_mode & S_IFMT {
        case S_IFREG: return .regular
        case S_IFLNK: return .symbolicLink
        default: return .other
        }
    }

    /// Whether `path` names a directory (following links, as `opendir` would).
    static func isDirectory(_ path: String) -> Bool {
        var s = stat()
        return stat(path, &s) == 0 && s.st_mode & S_IFMT == S_IFDIR
    }
}
