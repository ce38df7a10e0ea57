#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import RedirectFiles
import SystemIO
import SystemPackage

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

    /// Reads `path` (an `lstat`, then one `open` with `O_NOFOLLOW` and reads up to the size limit).
    static func read(_ path: String) -> DirectoryEntryContents {
        var s = stat()
        guard lstat(path, &s) == 0 else { return failure("cannot read", Errno(rawValue: errno)) }
        switch s.st_mode & S_IFMT {
        case S_IFREG: break
        case S_IFLNK: return symbolicLink(path)
        case S_IFDIR: return .problem(line: 1, column: 1, message: "not a regular file (a directory)")
        default: return .problem(line: 1, column: 1, message: "not a regular file")
        }
        if Int64(s.st_size) > RedirectFileLimits.maxFileSize { return tooLarge(Int64(s.st_size)) }

        let bytes: [UInt8]
        do throws(Errno) {
            let file = try Errno.typed {
                try FileDescriptor.open(path, .readOnly, options: [.closeOnExec, .noFollow, .nonBlocking])
            }
            defer { try? file.close() }
            bytes = try file.readToEnd(maxCount: Int(RedirectFileLimits.maxFileSize) + 1)
        } catch {
            return failure("cannot read", error)
        }
        if bytes.count > Int(RedirectFileLimits.maxFileSize) { return tooLarge(Int64(bytes.count)) }
        if let text = String(validating: bytes, as: UTF8.self) { return .text(text) }
        let fault = UTF8Fault.locate(in: bytes)
        return .problem(
            line: fault.line, column: fault.column,
            message: "not valid UTF-8 (byte 0x\(String(fault.byte, radix: 16, uppercase: true)))")
    }

    private static func symbolicLink(_ path: String) -> DirectoryEntryContents {
        var buffer = [CChar](repeating: 0, count: 4096)
        let n = readlink(path, &buffer, buffer.count - 1)
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
