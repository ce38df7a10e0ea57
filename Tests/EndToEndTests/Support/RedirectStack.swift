import Foundation
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

/// A real nginx in front of a real redirectd (FastCGI, or CGI through fcgiwrap), on a free loopback port,
/// in a temporary directory of its own. `stop()` ends every process it started.
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
    let port: Int
    let mode: Mode
    private var processes: [Process] = []
    let responderLog: URL
    /// The socket nginx passes to.
    let socketPath: String

    /// `executable`: the redirectd to run; `threads`: its worker threads; `environment`: added to the test's for
    /// it. Without `startResponder`, nothing
    /// listens on ``socketPath`` until the test puts something there.
    init(mode: Mode = .fastCGI, files: [String: String]? = nil, bucketSeconds: Int = 60,
         executable: String = RedirectStack.redirectd, threads: Int = 8, startResponder: Bool = true,
         environment: [String: String] = [:]) throws {
        self.mode = mode
        root = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("redirectd-e2e-\(UUID().uuidString)")
        redirects = root.appendingPathComponent("redirects.d")
        spool = root.appendingPathComponent("clicks")
        responderLog = root.appendingPathComponent("redirectd.log")
        socketPath = root.appendingPathComponent("redirectd.sock").path
        port = try Self.freePort()
        let fm = FileManager.default
        try fm.createDirectory(at: redirects, withIntermediateDirectories: true)
        try fm.createDirectory(at: root.appendingPathComponent("nginx/tmp"), withIntermediateDirectories: true)
        // nginx workers may run as another user: let them reach the socket.
        chmod(root.path, 0o755)
        if let files {
            for (name, text) in files { try write(name, text) }
        } else {
            for name in try fm.contentsOfDirectory(atPath: Self.repositoryRoot.appendingPathComponent("redirects.d").path) {
                try fm.copyItem(at: Self.repositoryRoot.appendingPathComponent("redirects.d/\(name)"),
                                to: redirects.appendingPathComponent(name))
            }
        }
        let socket = socketPath
        _ = fm.createFile(atPath: responderLog.path, contents: nil)

        switch mode {
        case .fastCGI where startResponder:
            try start(executable, ["--listen", "unix:\(socket)", "--socket-mode", "0666"]
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

        let template = try String(contentsOf: Self.repositoryRoot.appendingPathComponent("nginx/example.conf.in"), encoding: .utf8)
        var conf = template
            .replacingOccurrences(of: "@PREFIX@", with: root.appendingPathComponent("nginx").path)
            .replacingOccurrences(of: "@PORT@", with: "\(port)")
            .replacingOccurrences(of: "@UPSTREAM@", with: "unix:\(socket)")
            .replacingOccurrences(of: "@NGINX_DIR@", with: Self.repositoryRoot.appendingPathComponent("nginx").path)
        if mode == .cgi {
            // CGI: the same location, but fcgiwrap runs redirectd-cgi per request, configured by the environment.
            conf = conf.replacingOccurrences(
                of: "include \(Self.repositoryRoot.appendingPathComponent("nginx").path)/redirectd-location.conf;",
                with: """
                    location ^~ /redirect/ {
                        fastcgi_split_path_info ^(?s)(/redirect)(/.*)$;
                        fastcgi_param GATEWAY_INTERFACE CGI/1.1;
                        fastcgi_param REQUEST_METHOD $request_method;
                        fastcgi_param QUERY_STRING $query_string;
                        fastcgi_param PATH_INFO $fastcgi_path_info;
                        fastcgi_param REMOTE_ADDR $remote_addr;
                        fastcgi_param SCRIPT_FILENAME \(Self.redirectdCGI);
                        fastcgi_param REDIRECTS_DIR \(redirects.path);
                        fastcgi_param CLICK_LOG_DIR \(spool.path);
                        fastcgi_param CLICK_LOG_BUCKET_SECONDS \(bucketSeconds);
                        fastcgi_pass redirectd;
                    }
                    """)
        }
        let confPath = root.appendingPathComponent("nginx/nginx.conf")
        try conf.write(to: confPath, atomically: true, encoding: .utf8)
        try start("/usr/sbin/nginx", ["-c", confPath.path, "-p", root.appendingPathComponent("nginx").path],
                  log: root.appendingPathComponent("nginx/stderr.log"))
        try waitFor { (try? RawHTTP.request(port: self.port, path: "/")) != nil }
    }

    deinit { stop() }

    /// redirectd's arguments other than where it listens.
    func responderArguments(threads: Int = 8, bucketSeconds: Int = 60) -> [String] {
        ["--redirects", redirects.path, "--spool", spool.path, "--threads", "\(threads)",
         "--bucket-seconds", "\(bucketSeconds)"]
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

    func stop() {
        for p in processes.reversed() where p.isRunning {
            p.terminate()
            let deadline = Date().addingTimeInterval(5)
            while p.isRunning && Date() < deadline { usleep(10_000) }
            if p.isRunning { kill(p.processIdentifier, SIGKILL) }
        }
        processes.removeAll()
        // fcgiwrap's worker children outlive their parent: end everything still running from our folder.
        let pkill = Process()
        pkill.executableURL = URL(fileURLWithPath: "/usr/bin/pkill")
        pkill.arguments = ["-KILL", "-f", root.path]
        if (try? pkill.run()) != nil { pkill.waitUntilExit() }
        try? FileManager.default.removeItem(at: root)
    }

    /// Starts a process that ``stop()`` ends, with stdout and stderr appended to `log` (created if missing);
    /// `standardInput`, if given, becomes its fd 0; `environment` is added to the test's.
    @discardableResult
    func start(_ executable: String, _ arguments: [String], log: URL, standardInput: FileHandle? = nil,
               environment: [String: String] = [:]) throws -> Process {
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

    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = 0
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) == 0 && getsockname(fd, $0, &len) == 0 }
        }
        guard ok else { throw TestFailure("no free port") }
        return Int(UInt16(bigEndian: addr.sin_port))
    }
}
