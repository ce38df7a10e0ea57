import Foundation
import TestSupport

#if canImport(Glibc)
    import Glibc
#endif

/// A real nginx in front of a real redirectd (FastCGI, or CGI through fcgiwrap), on a free loopback port,
/// in a temporary directory of its own. `stop()` ends every process it started, with all they forked.
///
/// nginx comes from `scripts/lib/stack.py nginx`, the one starter the scripts and the bench use too: it renders
/// nginx/example.conf.in with the product's location block, binds the port and hands the socket to nginx (no
/// race for the port), and becomes nginx.
final class RedirectStack {
    enum Mode { case fastCGI, cgi }

    static let repositoryRoot = BuiltProducts.repositoryRoot

    static var redirectd: String { BuiltProducts.path(of: "redirectd") }
    static var redirectctl: String { BuiltProducts.path(of: "redirectctl") }
    /// The CGI responder fcgiwrap runs per click.
    static var redirectdCGI: String { BuiltProducts.path(of: "redirectd-cgi") }

    let root: URL
    let redirects: URL
    let spool: URL
    /// nginx's port on 127.0.0.1.
    private(set) var port = 0
    let mode: Mode
    private var processes: [Process] = []
    let responderLog: URL
    /// The socket nginx passes to.
    let socketPath: String

    /// `executable`: the redirectd to run; `threads`: its worker threads; `environment`: added to the test's for
    /// it; `keepalive`: nginx's upstream keepalive, in place of the product's; `cgiParameters`: more
    /// `fastcgi_param`s for the CGI program (its environment). Without `startResponder`, nothing
    /// listens on ``socketPath`` until the test puts something there.
    init(
        mode: Mode = .fastCGI, files: [String: String]? = nil, bucketSeconds: Int = 60,
        executable: String = RedirectStack.redirectd, threads: Int = 8, startResponder: Bool = true,
        environment: [String: String] = [:], keepalive: Int? = nil, cgiParameters: [String: String] = [:]
    ) throws {
        self.mode = mode
        root = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("redirectd-e2e-\(UUID().uuidString)")
        redirects = root.appendingPathComponent("redirects.d")
        spool = root.appendingPathComponent("clicks")
        responderLog = root.appendingPathComponent("redirectd.log")
        socketPath = root.appendingPathComponent("redirectd.sock").path
        let fm = FileManager.default
        try fm.createDirectory(at: redirects, withIntermediateDirectories: true)
        // nginx workers may run as another user: let them reach the socket.
        chmod(root.path, 0o755)
        if let files {
            for (name, text) in files { try write(name, text) }
        } else {
            for name in try fm.contentsOfDirectory(
                atPath: Self.repositoryRoot.appendingPathComponent("redirects.d").path)
            {
                try fm.copyItem(
                    at: Self.repositoryRoot.appendingPathComponent("redirects.d/\(name)"),
                    to: redirects.appendingPathComponent(name))
            }
        }
        let socket = socketPath
        _ = fm.createFile(atPath: responderLog.path, contents: nil)

        switch mode {
        case .fastCGI where startResponder:
            try start(
                executable,
                ["--listen", "unix:\(socket)", "--socket-mode", "0666"]
                    + responderArguments(threads: threads, bucketSeconds: bucketSeconds),
                log: responderLog, environment: environment)
            try waitFor { fm.fileExists(atPath: socket) }
        case .fastCGI:
            break
        case .cgi:
            try start("/usr/sbin/fcgiwrap", ["-c", "2", "-s", "unix:\(socket)"], log: responderLog)
            try waitFor { fm.fileExists(atPath: socket) }
        }
        if mode == .cgi { chmod(socket, 0o666) }

        let nginx = root.appendingPathComponent("nginx")
        var arguments = [
            Self.repositoryRoot.appendingPathComponent("scripts/lib/stack.py").path, "nginx",
            "--prefix", nginx.path,
        ]
        switch mode {
        case .fastCGI:
            arguments += ["--fastcgi", "unix:\(socket)"]
            if let keepalive { arguments += ["--keepalive", String(keepalive)] }
        case .cgi:
            // fcgiwrap runs redirectd-cgi per request, configured by the environment (nginx's CGI location).
            arguments += [
                "--cgi", "unix:\(socket)", "--program", Self.redirectdCGI, "--redirects", redirects.path,
                "--spool", spool.path, "--param", "CLICK_LOG_BUCKET_SECONDS=\(bucketSeconds)",
            ]
            for (name, value) in cgiParameters.sorted(by: { $0.key < $1.key }) {
                arguments += ["--param", "\(name)=\(value)"]
            }
        }
        let portFile = nginx.appendingPathComponent("port")
        try start("/usr/bin/python3", arguments, log: root.appendingPathComponent("nginx.log"))
        try waitFor("for nginx") { fm.fileExists(atPath: portFile.path) }
        let written = try String(contentsOf: portFile, encoding: .utf8)
        guard let port = Int(written.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw TestFailure("no port in \(portFile.path): \(written)")
        }
        self.port = port
        try waitFor("for nginx on port \(port) (\(nginx.path)/error.log)") {
            (try? RawHTTP.request(port: port, path: "/")) != nil
        }
    }

    deinit { stop() }

    /// redirectd's arguments other than where it listens.
    func responderArguments(threads: Int = 8, bucketSeconds: Int = 60) -> [String] {
        [
            "--redirects", redirects.path, "--spool", spool.path, "--threads", "\(threads)",
            "--bucket-seconds", "\(bucketSeconds)",
        ]
    }

    /// The first process the stack started (redirectd, unless `startResponder` was false).
    var responder: Process? { processes.first }

    func write(_ name: String, _ text: String) throws {
        try text.write(to: redirects.appendingPathComponent(name), atomically: true, encoding: .utf8)
    }

    func get(_ path: String, method: String = "GET", headers: [String] = []) throws -> HTTPResponse {
        try RawHTTP.request(port: port, method: method, path: path, headers: headers)
    }

    /// Every line in the spool (current and ready), parsed.
    func events() throws -> [[String: Any]] {
        try spoolLines().map { line in
            guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                throw TestFailure("not a JSON object: \(line)")
            }
            return object
        }
    }

    func spoolLines() throws -> [String] {
        var lines: [String] = []
        let fm = FileManager.default
        for sub in ["ready", "current"] {
            let dir = spool.appendingPathComponent(sub)
            guard let names = try? fm.contentsOfDirectory(atPath: dir.path) else { continue }
            for name in names.sorted() {
                let text = try String(contentsOf: dir.appendingPathComponent(name), encoding: .utf8)
                lines += text.split(separator: "\n").map(String.init)
            }
        }
        return lines
    }

    func responderStderr() -> String {
        (try? String(contentsOf: responderLog, encoding: .utf8)) ?? ""
    }

    /// Sends SIGTERM to redirectd (FastCGI mode) and returns its exit status.
    func terminateResponder() throws -> Int32 {
        guard let responder = processes.first else { throw TestFailure("no responder") }
        responder.terminate()
        let deadline = Date().addingTimeInterval(10)
        while responder.isRunning && Date() < deadline { usleep(20_000) }
        guard !responder.isRunning else { throw TestFailure("redirectd did not stop within 10 s") }
        return responder.terminationStatus
    }

    /// Ends every process the stack started: SIGTERM to each one's process group (Foundation starts a child in a
    /// group of its own), so what they forked goes too (nginx's workers, fcgiwrap's CGI processes, a reloaded
    /// redirectd), then SIGKILL to any group still there after 5 s.
    func stop() {
        for p in processes.reversed() {
            kill(-p.processIdentifier, SIGTERM)
            let deadline = Date().addingTimeInterval(5)
            while p.isRunning && Date() < deadline { usleep(10_000) }
            kill(-p.processIdentifier, SIGKILL)
        }
        processes.removeAll()
        try? FileManager.default.removeItem(at: root)
    }

    /// Starts a process that ``stop()`` ends, with stdout and stderr appended to `log` (created if missing);
    /// `standardInput`, if given, becomes its fd 0; `environment` is added to the test's.
    @discardableResult
    func start(
        _ executable: String, _ arguments: [String], log: URL, standardInput: FileHandle? = nil,
        environment: [String: String] = [:]
    ) throws -> Process {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = arguments
        if !environment.isEmpty {
            p.environment = ProcessInfo.processInfo.environment.merging(environment) { _, added in added }
        }
        // Appending: processes that run at the same time (at a reload) share the log without overwriting it.
        let fd = open(log.path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw TestFailure("cannot open \(log.path): \(String(cString: strerror(errno)))") }
        let handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
        p.standardError = handle
        p.standardOutput = handle
        if let standardInput { p.standardInput = standardInput }
        try p.run()
        processes.append(p)
        return p
    }

    func waitFor(seconds: Double = 15, _ what: String = "", _ condition: () -> Bool) throws {
        let deadline = Date().addingTimeInterval(seconds)
        while !condition() {
            if Date() > deadline { throw TestFailure("timed out waiting \(what); logs: \(responderStderr())") }
            usleep(20_000)
        }
    }
}
