import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A fresh directory per test, removed when the value goes away.
final class TemporaryDirectory {
    let path: String

    init() throws {
        path = NSTemporaryDirectory() + "/redirectctl-test-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }

    /// Creates `name` (a file, link, pipe or directory) inside the directory.
    func create(_ name: String, _ entry: DirectoryEntry) throws {
        let target = path + "/" + name
        switch entry {
        case .text(let text): try Data(text.utf8).write(to: URL(fileURLWithPath: target))
        case .bytes(let bytes): try Data(bytes).write(to: URL(fileURLWithPath: target))
        case .symbolicLink(let destination):
            try FileManager.default.createSymbolicLink(atPath: target, withDestinationPath: destination)
        case .pipe:
            guard mkfifo(target, 0o644) == 0 else { throw CocoaError(.fileWriteUnknown) }
        case .directory:
            try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: false)
        }
    }

    func read(_ name: String) throws -> String {
        try String(contentsOfFile: path + "/" + name, encoding: .utf8)
    }
}

/// What a test puts into a redirects directory.
enum DirectoryEntry: Sendable {
    case text(String)
    case bytes([UInt8])
    case symbolicLink(String)
    case pipe
    case directory
}
