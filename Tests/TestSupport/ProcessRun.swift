import Foundation

/// One run of a program to its end: exit status, stdout and stderr, as a user at a shell would see them.
///
/// The one process runner of the test targets (`TestSupport`, a library only tests depend on).
public struct ProcessRun: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String

    /// Runs `path` with `arguments`; `environment` nil inherits the tests' environment; `input`, a file for
    /// standard input (nil: the tests' own); `directory`, the working directory (nil: the tests' own).
    public static func run(
        _ path: String, _ arguments: [String] = [], environment: [String: String]? = nil,
        input: URL? = nil, directory: URL? = nil
    ) throws -> ProcessRun {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        if let environment { process.environment = environment }
        if let input { process.standardInput = try FileHandle(forReadingFrom: input) }
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Read before waiting, so that a full pipe cannot stall the child.
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return ProcessRun(
            status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
            stderr: String(decoding: stderr, as: UTF8.self))
    }

    /// ``run(_:_:environment:input:directory:)`` on a thread of its own, for a program that runs for seconds: the
    /// caller awaits it without holding one of the few cooperative threads that every async test shares.
    public static func runInBackground(
        _ path: String, _ arguments: [String] = [],
        environment: [String: String]? = nil
    ) async throws -> ProcessRun {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                continuation.resume(with: Result { try run(path, arguments, environment: environment) })
            }
            thread.start()
        }
    }
}
