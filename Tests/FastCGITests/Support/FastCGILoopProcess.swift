import Foundation
import TestSupport

#if canImport(Glibc)
    import Glibc
#endif

/// Why a ``FastCGILoopProcess`` could not start or stop as expected.
struct FastCGILoopError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// The FastCGI loop in a child process of its own, listening on a unix socket in a temporary directory, for the
/// tests to speak FastCGI to with ``RawFastCGI`` (no nginx).
///
/// The child is the built `redirectd` with `--listen unix:…`: the loop exactly as it ships, with the real click
/// handler behind it, and no further executable to build. A child process, not threads of the test runner, because
/// the loop sets the whole process's signal mask (SIGTERM, SIGINT and SIGHUP go to its signal thread) and installs
/// a handler for its wake-up signal, which would change how the runner itself is stopped; and a test can send the
/// child SIGTERM as systemd would.
final class FastCGILoopProcess {
    let root: URL
    let socketPath: String
    private let log: URL
    private let process = Process()

    /// Starts redirectd with `threads` workers on the repository's example redirects; `openFiles`, if given, is its
    /// open-files limit (through prlimit), which sets how many connections it takes (limit - threads - 96).
    init(threads: Int = 2, openFiles: Int? = nil) throws {
        root = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("fastcgi-loop-\(UUID().uuidString)")
        socketPath = root.appendingPathComponent("redirectd.sock").path
        log = root.appendingPathComponent("redirectd.log")
        let fm = FileManager.default
        try fm.createDirectory(at: root, withIntermediateDirectories: true)
        try fm.copyItem(
            at: BuiltProducts.repositoryRoot.appendingPathComponent("redirects.d"),
            to: root.appendingPathComponent("redirects.d"))
        let arguments = [
            "--listen", "unix:\(socketPath)", "--threads", "\(threads)",
            "--redirects", root.appendingPathComponent("redirects.d").path,
            "--spool", root.appendingPathComponent("clicks").path,
        ]
        let redirectd = BuiltProducts.path(of: "redirectd")
        if let openFiles {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/prlimit")
            process.arguments = ["--nofile=\(openFiles):\(openFiles)", "--", redirectd] + arguments
        } else {
            process.executableURL = URL(fileURLWithPath: redirectd)
            process.arguments = arguments
        }
        _ = fm.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        let deadline = Date().addingTimeInterval(15)
        while !fm.fileExists(atPath: socketPath) {
            guard process.isRunning, Date() < deadline else {
                throw FastCGILoopError("redirectd did not listen on \(socketPath): \(stderr())")
            }
            usleep(20_000)
        }
    }

    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: root)
    }

    /// What redirectd wrote to stderr so far.
    func stderr() -> String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }

    /// Sends SIGTERM, as systemd stops the service.
    func terminate() { kill(process.processIdentifier, SIGTERM) }

    /// Waits for the process to end; its exit status.
    func waitForExit(seconds: Double = 15) throws -> Int32 {
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning {
            guard Date() < deadline else { throw FastCGILoopError("redirectd did not exit within \(seconds) s") }
            usleep(20_000)
        }
        return process.terminationStatus
    }
}
