import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// `Resources/target-server.py` on a free loopback port: the targets `check --targets` is tested against (see the
/// script for its paths), and a port that refuses connections.
final class TargetServer {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Resources/target-server.py").path

    let port: Int
    /// A port bound but not listening: connecting to it is refused.
    let refusedPort: Int
    private let process: Process

    /// Where the server writes the most requests it ever handled at once.
    let inFlightFile: String

    /// Starts the server in `directory`; `slow` is how long `/slow` takes to answer.
    init(directory: String, slow: Double = 5) throws {
        let portFile = directory + "/target-server.port"
        inFlightFile = directory + "/target-server.in-flight"
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "python3", Self.script, "--port-file", portFile, "--slow", String(slow), "--in-flight-file", inFlightFile,
        ]
        try process.run()
        let limit = Date().addingTimeInterval(20)
        while !FileManager.default.fileExists(atPath: portFile) {
            guard process.isRunning, Date() < limit else { throw CocoaError(.fileNoSuchFile) }
            usleep(20_000)
        }
        let ports = try String(contentsOfFile: portFile, encoding: .utf8).split(separator: " ").compactMap {
            Int($0.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        port = ports.first ?? 0
        refusedPort = ports.last ?? 0
    }

    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    /// The most requests the server ever handled at once.
    var mostInFlight: Int {
        Int(
            (try? String(contentsOfFile: inFlightFile, encoding: .utf8))?.trimmingCharacters(
                in: .whitespacesAndNewlines) ?? "") ?? 0
    }

    /// `http://127.0.0.1:PORT` + `path`.
    func url(_ path: String) -> String { "http://127.0.0.1:\(port)\(path)" }
}
