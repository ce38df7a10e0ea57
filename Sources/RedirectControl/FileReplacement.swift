import SystemIO
import SystemPackage

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A file written whole or not at all: the bytes go to a temporary file beside it, which is renamed over the
/// path, so a reader (a web server serving the image, a script) never sees half a file.
public enum FileReplacement {
    /// Writes `bytes` to `path`, replacing what is there. The temporary file is `.NAME.PID.tmp` in the same
    /// directory (a rename is atomic only within one file system) and is removed when anything fails.
    public static func write(_ bytes: some Sequence<UInt8>, to path: String) throws(FileReplacementError) {
        let slash = path.lastIndex(of: "/")
        let directory = slash.map { String(path[...$0]) } ?? ""
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        guard !name.isEmpty, name != ".", name != ".." else { throw .notAFileName(path) }
        let temporary = directory + "." + name + ".\(getpid()).tmp"
        let file: FileDescriptor
        do throws(Errno) {
            file = try Errno.typed {
                try FileDescriptor.open(
                    temporary, .writeOnly, options: [.create, .exclusiveCreate, .closeOnExec, .noFollow],
                    permissions: [.ownerReadWrite, .groupRead, .otherRead])
            }
        } catch {
            throw .system(path, error)
        }
        do throws(Errno) {
            do throws(Errno) {
                try Errno.typed { _ = try file.writeAll(bytes) }
            } catch {
                try? file.close()
                throw error
            }
            // close(2) reports a write the file system deferred; it closes the descriptor even when it fails.
            try Errno.typed { try file.close() }
            guard rename(temporary, path) == 0 else { throw Errno(rawValue: errno) }
        } catch {
            unlink(temporary)
            throw .system(path, error)
        }
    }
}

/// Why a file was not written.
public enum FileReplacementError: Error, Equatable, Sendable, CustomStringConvertible {
    case notAFileName(String)
    case system(String, Errno)

    public var description: String {
        switch self {
        case .notAFileName(let path): return "\(path) does not name a file"
        case .system(let path, let errno): return "cannot write \(path): \(errno)"
        }
    }
}
