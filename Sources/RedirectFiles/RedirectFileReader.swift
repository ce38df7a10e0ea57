import SystemIO
import SystemPackage

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Why a redirect file could not be read (as opposed to parsed).
public enum RedirectFileReadError: Error, Equatable, Sendable, CustomStringConvertible {
    case notFound
    case notARegularFile(String)
    case tooLarge(String, Int64)
    case symlinkOutside(String, String)
    case changedWhileReading(String)
    case system(String, Errno)

    public var description: String {
        switch self {
        case .notFound: return "not found"
        case .notARegularFile(let path): return "\(path): not a regular file"
        case .tooLarge(let path, let size):
            return "\(path): \(size) bytes, more than the \(RedirectFileLimits.maxFileSize) a redirect file may have"
        case .symlinkOutside(let path, let target):
            return "\(path): symbolic link to \"\(target)\", which is not a redirect file in the same directory"
        case .changedWhileReading(let path): return "\(path): changed while being read; will read it again"
        case .system(let path, let errno): return "\(path): \(errno)"
        }
    }
}

/// Limits on redirect files.
public enum RedirectFileLimits {
    /// Redirect files are small; anything larger is a mistake (or an attack) and is refused.
    public static let maxFileSize: Int64 = 64 * 1024
}

/// Opens and reads redirect files by name inside one directory, never outside it.
///
/// A symbolic link is followed only when it names another `.toml` file in the same directory by a plain
/// name, so a link in `redirects.d` cannot make the responder read `/etc/passwd`.
struct RedirectFileReader: Sendable {
    let directory: String

    func path(of fileName: String) -> String { directory + "/" + fileName }

    /// `lstat` of the file, following one same-directory symlink. Nil when it does not exist.
    func identity(of fileName: String) throws(RedirectFileReadError) -> (FileIdentity, String)? {
        var name = fileName
        for _ in 0..<2 {
            var s = stat()
            let p = path(of: name)
            if lstat(p, &s) != 0 {
                if errno == ENOENT || errno == ENOTDIR { return nil }
                throw .system(p, Errno(rawValue: errno))
            }
            switch s.st_mode & S_IFMT {
            case S_IFREG: return (FileIdentity(s), name)
            case S_IFLNK:
                let target = try readLink(p)
                guard !target.contains("/"), target.hasSuffix(".toml"), !target.hasPrefix("."), name == fileName else {
                    throw .symlinkOutside(path(of: fileName), target)
                }
                name = target
            default: throw .notARegularFile(p)
            }
        }
        throw .symlinkOutside(path(of: fileName), name)
    }

    /// Reads the file `name` (already resolved by ``identity(of:)``) and the identity of what was read.
    func read(_ name: String) throws(RedirectFileReadError) -> (String, FileIdentity) {
        let p = path(of: name)
        let file: FileDescriptor
        do throws(Errno) {
            file = try Errno.typed {
                try FileDescriptor.open(p, .readOnly, options: [.closeOnExec, .noFollow, .nonBlocking])
            }
        } catch {
            if error == .noSuchFileOrDirectory { throw .notFound }
            throw .system(p, error)
        }
        defer { try? file.close() }
        var s = stat()
        guard fstat(file.rawValue, &s) == 0 else { throw .system(p, Errno(rawValue: errno)) }
        guard s.st_mode & S_IFMT == S_IFREG else { throw .notARegularFile(p) }
        guard Int64(s.st_size) <= RedirectFileLimits.maxFileSize else { throw .tooLarge(p, Int64(s.st_size)) }
        // Room for the size stat reported plus one byte, to notice a file that grew past the limit meanwhile;
        // never the whole limit, which would take 64 KiB for every small file.
        let capacity = min(Int(s.st_size), Int(RedirectFileLimits.maxFileSize)) + 1
        let bytes: [UInt8]
        do throws(Errno) {
            bytes = try file.readToEnd(maxCount: capacity)
        } catch {
            throw .system(p, error)
        }
        let total = bytes.count
        // More bytes than stat reported: the file is being written. Its next version is read on a later
        // request (its identity will differ); meanwhile the last good version serves.
        if total == capacity { throw .changedWhileReading(p) }
        guard total <= Int(RedirectFileLimits.maxFileSize) else { throw .tooLarge(p, Int64(total)) }
        return (String(decoding: bytes, as: UTF8.self), FileIdentity(s))
    }

    private func readLink(_ p: String) throws(RedirectFileReadError) -> String {
        var buffer = [CChar](repeating: 0, count: 4096)
        let n = readlink(p, &buffer, buffer.count - 1)
        guard n >= 0 else { throw .system(p, Errno(rawValue: errno)) }
        return String(decoding: buffer[..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
