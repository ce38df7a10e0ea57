import ClickImport
import Foundation
import SystemIO
import TestSupport

/// `Resources/sink.py` on a free loopback port: records every request, answers as `control(_:)` says.
///
/// `model: "tracardi"` answers as Tracardi's code does (bot check with the `user-agents` library, event sources,
/// sessions and profiles); it runs in the tests' virtual environment (`scripts/test-python-env`).
final class TestSink {
    struct Request {
        var path: String
        var status: Int
        var headers: [String: String]
        var body: String
        var gzip: Bool
        /// Tracardi model: the profile the call was recorded under, whether it was made by this call, and the
        /// visitor IP Tracardi took from the forwarded-IP header.
        var profile: String?
        var profileCreated: Bool
        var ip: String?
    }

    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Resources/sink.py").path
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path

    let directory: String
    let port: Int
    private let process: Process
    private let logPath: String
    private let controlPath: String

    init(directory: String, model: String = "plain") throws {
        self.directory = directory
        logPath = directory + "/requests.jsonl"
        controlPath = directory + "/control.json"
        let portFile = directory + "/port"
        process = Process()
        if model == "plain" {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["python3", Self.script]
        } else {
            process.executableURL = URL(fileURLWithPath: try TestPython.venvPython())
            process.arguments = [Self.script, "--model", model]
        }
        process.arguments? += ["--port-file", portFile, "--log", logPath, "--control", controlPath]
        try process.run()
        let limit = Date().addingTimeInterval(20)
        while !FileManager.default.fileExists(atPath: portFile) {
            guard process.isRunning, Date() < limit else { throw CocoaError(.fileNoSuchFile) }
            usleep(20_000)
        }
        port = Int(try String(contentsOfFile: portFile, encoding: .utf8)) ?? 0
    }

    deinit {
        stop()
    }

    func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    var baseURL: String { "http://127.0.0.1:\(port)" }

    /// Replaces the control file (see sink.py for the keys).
    func control(_ json: String) throws {
        let temporary = controlPath + ".tmp"
        try json.write(toFile: temporary, atomically: false, encoding: .utf8)
        _ = rename(temporary, controlPath)
    }

    /// Every request so far, in arrival order.
    func requests() throws -> [Request] {
        let text = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
        return try text.split(separator: "\n").map { line in
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] ?? [:]
            return Request(
                path: object["path"] as? String ?? "", status: object["status"] as? Int ?? 0,
                headers: object["headers"] as? [String: String] ?? [:], body: object["body"] as? String ?? "",
                gzip: object["gzip"] as? Bool ?? false, profile: object["profile"] as? String,
                profileCreated: object["profile_created"] as? Bool ?? false, ip: object["ip"] as? String)
        }
    }

    /// Requests answered with a 2xx.
    func accepted() throws -> [Request] {
        try requests().filter { (200..<300).contains($0.status) }
    }
}

struct TestSinkError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Collects what an import run prints.
final class CapturedOutput: Sendable {
    private let lines = Locked<[String]>([])
    private let warnings = Locked<[String]>([])

    var output: ImportOutput {
        ImportOutput(
            line: { [self] text in self.lines.withLock { $0.append(text) } },
            warning: { [self] text in self.warnings.withLock { $0.append(text) } })
    }

    var printed: [String] { lines.withLock { $0 } }
    var warned: [String] { warnings.withLock { $0 } }
}
