import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Deploys under load through a real nginx: SIGHUP reloads, a new binary that fails to start, and a plain restart
/// under socket activation. Every click must be answered with the redirect and be in the spool exactly once.
@Suite(.serialized) struct ReloadEndToEndTests {
    static let saleTarget = "https://shop.example.com/sale?utm_source=newsletter&utm_medium=email&utm_campaign=spring"
    /// More workers than the default, so that a reload has many threads to finish.
    static let threads = 40

    @Test func tenReloadsUnderLoadFailNoClick() throws {
        let stack = try RedirectStack(threads: Self.threads)
        defer { stack.stop() }
        let first = try #require(stack.responder)
        let load = ClickLoad(port: stack.port, redirect: "spring-sale", clients: 32)
        usleep(500_000)
        var pid = first.processIdentifier
        for reload in 1...10 {
            kill(pid, SIGHUP)
            try stack.waitFor(seconds: 20, "for reload \(reload)") {
                Self.servingPIDs(stack.responderStderr()).count == reload
            }
            let next = try #require(Self.servingPIDs(stack.responderStderr()).last)
            #expect(next != pid)
            try stack.waitFor(seconds: 15, "for pid \(pid) to exit") { !Self.isAlive(pid) }
            pid = next
            usleep(300_000)
        }
        usleep(300_000)
        let clicks = load.finish()
        try stack.waitFor(seconds: 5, "for Foundation to reap the first process") { !first.isRunning }
        #expect(first.terminationStatus == 0)
        #expect(Self.isAlive(pid))
        let tally = ClickTally(clicks: clicks, events: try stack.events(), location: Self.saleTarget)
        // nginx logs each request it sent again because a cached connection closed under it.
        let nginxLogFile = stack.root.appendingPathComponent("nginx/error.log")
        let nginxLog = (try? String(contentsOf: nginxLogFile, encoding: .utf8)) ?? ""
        let upstreamLines = nginxLog.split(separator: "\n").filter { $0.contains("upstream") }
        // "... [error] 123#0: *45 recv() failed (104: Connection reset by peer) while ..., client: ...": the kind.
        let kinds = Set(
            upstreamLines.compactMap { line in
                line.range(of: ": *").map { line[$0.upperBound...].drop { $0 != " " }.prefix { $0 != "," } }
            })
        print(
            "reload tally (10 SIGHUP reloads, 32 clients): \(tally); nginx error-log lines about the upstream "
                + "(requests it sent again on a new connection): \(upstreamLines.count) \(kinds.sorted())")
        #expect(tally.sent > 200)
        #expect(tally.redirected == tally.sent, "not redirected: \(tally.wrong.prefix(10))")
        #expect(tally.missing.isEmpty, "missing from the spool: \(tally.missing.prefix(10))")
        #expect(tally.twice.isEmpty, "in the spool twice: \(tally.twice.prefix(10))")
        #expect(tally.inSpool == tally.sent)
        #expect(tally.eventIDsRepeated == 0)
        #expect(!stack.responderStderr().contains("reload failed"), "\(stack.responderStderr())")
    }

    @Test func aNewBinaryThatFailsLeavesTheOldOneServing() throws {
        let bin = URL(fileURLWithPath: NSTemporaryDirectory())
            .appendingPathComponent("redirectd-bin-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: bin) }
        let executable = bin.appendingPathComponent("redirectd").path
        try FileManager.default.copyItem(atPath: RedirectStack.redirectd, toPath: executable)

        let stack = try RedirectStack(executable: executable, threads: Self.threads)
        defer { stack.stop() }
        let old = try #require(stack.responder)
        let load = ClickLoad(port: stack.port, redirect: "spring-sale", clients: 8)

        // Each broken build is installed the way `install` does it: a new file renamed over the old path.
        let broken: [(content: String, mode: mode_t, logged: [String])] = [
            (
                "#!/bin/sh\necho 'redirectd: error while loading shared libraries: libfcgi.so.0' >&2\nexit 1\n", 0o755,
                ["libfcgi.so.0", "(pid ", "exited with status 1 before serving"]
            ),
            ("#!/bin/sh\nkill -SEGV $$\n", 0o755, ["was killed by signal 11"]),
            ("not a program\n", 0o644, ["cannot execute \(executable): Permission denied"]),
        ]
        for (attempt, build) in broken.enumerated() {
            try Self.install(Data(build.content.utf8), mode: build.mode, at: executable)
            kill(old.processIdentifier, SIGHUP)
            try stack.waitFor(seconds: 20) { Self.failures(stack.responderStderr()) == attempt + 1 }
            let log = stack.responderStderr()
            for words in build.logged { #expect(log.contains(words), "log lacks \"\(words)\": \(log)") }
            #expect(log.contains("keeps serving"))
            #expect(old.isRunning)
            let response = try stack.get("/redirect/spring-sale/after-failure-\(attempt)")
            #expect(response.status == 302)
            #expect(response.header("Location") == Self.saleTarget)
        }

        // A working build again: the reload goes through, and the socket path stays for the new process.
        let good = try Data(contentsOf: URL(fileURLWithPath: RedirectStack.redirectd))
        try Self.install(good, mode: 0o755, at: executable)
        kill(old.processIdentifier, SIGHUP)
        try stack.waitFor(seconds: 20) { Self.servingPIDs(stack.responderStderr()).count == 1 }
        try stack.waitFor(seconds: 15) { !old.isRunning }
        #expect(old.terminationStatus == 0)
        #expect(FileManager.default.fileExists(atPath: stack.socketPath))
        let response = try stack.get("/redirect/spring-sale/after-reload")
        #expect(response.status == 302)
        #expect(response.header("Location") == Self.saleTarget)

        let clicks = load.finish()
        let sessions = try stack.events().compactMap { $0["session"] as? String }
        #expect(sessions.contains("after-failure-0") && sessions.contains("after-reload"))
        let tally = ClickTally(
            clicks: clicks, events: try stack.events().filter { ($0["session"] as? String)?.hasPrefix("c") == true },
            location: Self.saleTarget)
        print("failed-start tally (3 broken builds, 1 good, 8 clients): \(tally)")
        #expect(tally.redirected == tally.sent, "not redirected: \(tally.wrong.prefix(10))")
        #expect(tally.missing.isEmpty && tally.twice.isEmpty)
    }

    @Test func restartUnderSocketActivationFailsNoClick() throws {
        let stack = try RedirectStack(threads: Self.threads, startResponder: false)
        defer { stack.stop() }
        // The harness holds the socket, as systemd's redirectd.socket does, and starts one redirectd after another
        // with it as fd 3 and LISTEN_FDS/LISTEN_PID, as systemd does across `systemctl restart redirectd`.
        let socket = try Self.listeningUnixSocket(stack.socketPath)
        defer { close(socket) }
        let held = FileHandle(fileDescriptor: socket, closeOnDealloc: false)
        let startResponder = {
            try stack.start(
                "/bin/sh",
                [
                    "-c", "export LISTEN_PID=$$ LISTEN_FDS=1; exec \"$0\" \"$@\" 3<&0 0</dev/null",
                    RedirectStack.redirectd,
                ] + stack.responderArguments(threads: Self.threads),
                log: stack.responderLog, standardInput: held)
        }
        var responder = try startResponder()
        try stack.waitFor { (try? stack.get("/redirect/spring-sale/warm-up"))?.status == 302 }

        let load = ClickLoad(port: stack.port, redirect: "spring-sale", clients: 32)
        var longestGap = 0.0
        for _ in 1...3 {
            usleep(1_000_000)
            let stopping = Date()
            responder.terminate()
            try stack.waitFor { !responder.isRunning }
            #expect(responder.terminationStatus == 0)
            responder = try startResponder()
            longestGap = max(longestGap, Date().timeIntervalSince(stopping))
        }
        usleep(1_000_000)
        let clicks = load.finish()
        let tally = ClickTally(
            clicks: clicks, events: try stack.events().filter { $0["session"] as? String != "warm-up" },
            location: Self.saleTarget)
        print(
            "socket-activation restart tally (3 restarts, 32 clients, longest stop-to-start "
                + "\(Int(longestGap * 1000)) ms): \(tally)")
        #expect(tally.sent > 100)
        #expect(tally.redirected == tally.sent, "not redirected: \(tally.wrong.prefix(10))")
        #expect(tally.missing.isEmpty, "missing from the spool: \(tally.missing.prefix(10))")
        #expect(tally.twice.isEmpty, "in the spool twice: \(tally.twice.prefix(10))")
    }

    /// NOTIFY_SOCKET as systemd sets it (a path) and as `@name` (an abstract socket).
    @Test(arguments: [false, true])
    func systemdIsToldReadyAndTheNewMainPID(abstract: Bool) throws {
        let name =
            abstract
            ? "@redirectd-notify-\(UUID().uuidString)"
            : URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("notify-\(UUID().uuidString)").path
        let notifications = try Self.datagramSocket(name)
        defer {
            close(notifications)
            if !abstract { unlink(name) }
        }
        let stack = try RedirectStack(environment: ["NOTIFY_SOCKET": name])
        defer { stack.stop() }
        let first = try #require(stack.responder)
        #expect(Self.receive(notifications, seconds: 15) == "READY=1")
        kill(first.processIdentifier, SIGHUP)
        try stack.waitFor(seconds: 20) { Self.servingPIDs(stack.responderStderr()).count == 1 }
        let next = try #require(Self.servingPIDs(stack.responderStderr()).last)
        #expect(Self.receive(notifications, seconds: 5) == "MAINPID=\(next)")
        try stack.waitFor { !first.isRunning }
        #expect(first.terminationStatus == 0)
        // The new process is not the main process when it starts; the old one spoke for it.
        #expect(Self.receive(notifications, seconds: 0.5) == nil)
        #expect(try stack.get("/redirect/spring-sale/s-1").status == 302)
    }

    /// redirectd started by a relative path or by name from PATH, through a symbolic link: a reload starts the
    /// link's path (so an install that replaces what it points to is picked up), not the file behind it.
    @Test(arguments: ["./redirectd", "redirectd"])
    func reloadStartsThePathItWasStartedFrom(argv0: String) throws {
        let stack = try RedirectStack(startResponder: false)
        defer { stack.stop() }
        let bin = stack.root.appendingPathComponent("bin")
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        let link = bin.appendingPathComponent("redirectd").path
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: RedirectStack.redirectd)
        let first = try stack.start(
            "/bin/sh",
            [
                "-c", "cd \"$0\" && export PATH=\"$0:$PATH\" && exec \(argv0) \"$@\"", bin.path,
                "--listen", "unix:\(stack.socketPath)", "--socket-mode", "0666",
            ] + stack.responderArguments(),
            log: stack.responderLog)
        try stack.waitFor { (try? stack.get("/redirect/spring-sale/s-1"))?.status == 302 }
        kill(first.processIdentifier, SIGHUP)
        try stack.waitFor(seconds: 20, "for the reload") { Self.servingPIDs(stack.responderStderr()).count == 1 }
        #expect(stack.responderStderr().contains("starting \(link) on the same socket"))
        try stack.waitFor { !first.isRunning }
        #expect(first.terminationStatus == 0)
        #expect(try stack.get("/redirect/spring-sale/s-2").status == 302)
    }

    // MARK: - Helpers

    /// A datagram socket bound to `name`: a path, or with a leading `@` an abstract name (as in NOTIFY_SOCKET).
    static func datagramSocket(_ name: String) throws -> Int32 {
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw TestFailure("socket failed") }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        var bytes = Array(name.utf8)
        if bytes.first == UInt8(ascii: "@") { bytes[0] = 0 } else { bytes.append(0) }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, byte) in bytes.enumerated() { raw[i] = byte }
        }
        let length = socklen_t(MemoryLayout<sa_family_t>.size + bytes.count)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        guard bound == 0 else {
            close(fd)
            throw TestFailure("cannot bind \(name): \(String(cString: strerror(errno)))")
        }
        return fd
    }

    /// The next datagram on `fd`, or nil if none comes within `seconds`.
    static func receive(_ fd: Int32, seconds: Double) -> String? {
        var wait = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&wait, 1, Int32(seconds * 1000)) == 1 else { return nil }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let n = recv(fd, &buffer, buffer.count, 0)
        return n > 0 ? String(decoding: buffer[0..<n], as: UTF8.self) : nil
    }

    /// The pids redirectd reported as serving after a reload, in order.
    static func servingPIDs(_ log: String) -> [pid_t] {
        log.split(separator: "\n").compactMap { line in
            guard let range = line.range(of: "reload: pid ") else { return nil }
            return pid_t(line[range.upperBound...].prefix { $0.isNumber })
        }
    }

    static func failures(_ log: String) -> Int {
        log.split(separator: "\n").filter { $0.contains("reload failed") }.count
    }

    /// Whether `pid` runs: a process that ended but was not reaped yet (it is not our child) counts as gone.
    static func isAlive(_ pid: pid_t) -> Bool {
        // /proc files report size 0: read them to the end rather than by size.
        guard let handle = FileHandle(forReadingAtPath: "/proc/\(pid)/stat") else { return false }
        defer { try? handle.close() }
        let stat = String(decoding: handle.readDataToEndOfFile(), as: UTF8.self)
        guard let close = stat.range(of: ") ", options: .backwards) else { return false }
        return stat[close.upperBound...].first != "Z"
    }

    /// Writes `data` beside `path` and renames it over `path`, as `install` does.
    static func install(_ data: Data, mode: mode_t, at path: String) throws {
        let temporary = path + ".new"
        try data.write(to: URL(fileURLWithPath: temporary))
        chmod(temporary, mode)
        guard rename(temporary, path) == 0 else { throw TestFailure("rename to \(path) failed") }
    }

    static func listeningUnixSocket(_ path: String) throws -> Int32 {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw TestFailure("socket failed") }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, byte) in path.utf8.enumerated() { raw[i] = byte }
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard bound == 0, listen(fd, 1024) == 0 else {
            close(fd)
            throw TestFailure("cannot listen on \(path): \(String(cString: strerror(errno)))")
        }
        chmod(path, 0o666)
        return fd
    }
}
