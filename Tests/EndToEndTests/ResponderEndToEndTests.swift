import Foundation
import SystemIO
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Clicks through a real nginx to a real redirectd, checked the way a user would: status line, Location,
/// and the event in the spool.
@Suite(.serialized) struct ResponderEndToEndTests {
    static let saleTarget = "https://shop.example.com/sale?utm_source=newsletter&utm_medium=email&utm_campaign=spring"

    @Test(arguments: [RedirectStack.Mode.fastCGI, .cgi])
    func redirectWithSession(mode: RedirectStack.Mode) throws {
        let stack = try RedirectStack(mode: mode)
        defer { stack.stop() }
        let response = try stack.get(
            "/redirect/spring-sale/s-1",
            headers: [
                "User-Agent: Mozilla/5.0 (X11; Linux x86_64)", "Referer: https://mail.example.com/",
                "Accept-Language: de-DE",
            ])
        #expect(response.status == 302)
        #expect(response.header("Location") == Self.saleTarget)
        #expect(response.header("Cache-Control") == "private, no-store")

        let events = try stack.events()
        #expect(events.count == 1)
        let e = try #require(events.first)
        #expect(e["v"] as? Int == 1)
        #expect((e["id"] as? String)?.count == 36)
        #expect((e["time"] as? String)?.hasSuffix("Z") == true)
        #expect(e["outcome"] as? String == "redirected")
        #expect(e["redirect"] as? String == "spring-sale")
        #expect(e["session"] as? String == "s-1")
        #expect(e["session_status"] as? String == "valid")
        #expect(e["session_source"] as? String == "path")
        #expect(e["source"] as? String == "newsletter")
        #expect(e["type"] as? String == "email-click")
        #expect(e["target"] as? String == Self.saleTarget)
        #expect(e["status"] as? Int == 302)
        #expect(e["bot"] is NSNull)
        #expect(e["bot_category"] is NSNull)
        let properties = try #require(e["properties"] as? [String: Any])
        #expect(properties["campaign"] as? String == "spring-sale")
        #expect(properties["position"] as? Int == 1)
        #expect(properties["channel"] as? String == "link")
        let request = try #require(e["request"] as? [String: Any])
        #expect(request["method"] as? String == "GET")
        #expect(request["ip"] as? String == "127.0.0.1")
        #expect(request["user_agent"] as? String == "Mozilla/5.0 (X11; Linux x86_64)")
        #expect(request["referer"] as? String == "https://mail.example.com/")
        #expect(request["accept_language"] as? String == "de-DE")
        #expect(request["host"] as? String == "go.example.com")
    }

    @Test func redirectWithoutSessionAndQuery() throws {
        let stack = try RedirectStack()
        defer { stack.stop() }
        let response = try stack.get("/redirect/welcome?ref=tw", headers: ["User-Agent: Mozilla/5.0"])
        #expect(response.status == 302)
        #expect(response.header("Location") == "https://www.example.com/welcome")
        let e = try #require(try stack.events().first)
        #expect(e["session"] is NSNull)
        #expect(e["session_status"] as? String == "absent")
        #expect(e["source"] as? String == "redirect-links")
        #expect(e["type"] as? String == "redirect")
        #expect((e["request"] as? [String: Any])?["query"] as? String == "ref=tw")
    }

    /// A link without a session takes it from Tracardi's `tracardi-session-id` cookie, as Tracardi's redirect does.
    @Test(arguments: [RedirectStack.Mode.fastCGI, .cgi])
    func sessionFromTracardisCookie(mode: RedirectStack.Mode) throws {
        let stack = try RedirectStack(mode: mode)
        defer { stack.stop() }
        let cookie = "Cookie: theme=dark; tracardi-session-id=9b2c-41aa"
        #expect(try stack.get("/redirect/welcome", headers: ["User-Agent: Mozilla/5.0", cookie]).status == 302)
        #expect(
            try stack.get("/redirect/welcome", headers: ["User-Agent: Mozilla/5.0", cookie, "Sec-GPC: 1"]).status == 302
        )
        // Matched by content: the spool's order need not be the clicks' (worker threads append at once, and a
        // bucket may have several parts).
        let events = try stack.events()
        #expect(events.count == 2)
        let fromCookie = events.filter { $0["session_source"] as? String == "cookie" }
        #expect(fromCookie.count == 1)
        #expect(fromCookie.first?["session"] as? String == "9b2c-41aa")
        #expect(fromCookie.first?["session_status"] as? String == "valid")
        // A privacy signal: the cookie is not read.
        let withoutSession = events.filter { $0["session"] is NSNull }
        #expect(withoutSession.count == 1)
        #expect(withoutSession.first?["session_source"] is NSNull)
    }

    /// An unknown id is a 404 recorded as `not-found`; `/redirect` with no id is one too, not nginx's HTML 301 to
    /// `/redirect/`.
    @Test(arguments: [("/redirect/no-such-link/s-1", "no-such-link"), ("/redirect", nil)])
    func unknownIdIs404AndRecorded(path: String, redirect: String?) throws {
        let stack = try RedirectStack()
        defer { stack.stop() }
        let response = try stack.get(path)
        #expect(response.status == 404)
        #expect(response.header("Location") == nil)
        let e = try #require(try stack.events().first)
        #expect(e["outcome"] as? String == "not-found")
        if let redirect { #expect(e["redirect"] as? String == redirect) }
        #expect(e["status"] as? Int == 404)
    }

    @Test func headRedirectsAndIsFlagged() throws {
        let stack = try RedirectStack()
        defer { stack.stop() }
        let response = try stack.get("/redirect/welcome", method: "HEAD", headers: ["User-Agent: Mozilla/5.0"])
        #expect(response.status == 302)
        #expect(response.header("Location") == "https://www.example.com/welcome")
        let e = try #require(try stack.events().first)
        #expect(e["bot"] as? String == "head-request")
        #expect(e["bot_category"] as? String == "preview")
        #expect((e["request"] as? [String: Any])?["method"] as? String == "HEAD")
    }

    @Test func postIs405AndNotAClick() throws {
        let stack = try RedirectStack()
        defer { stack.stop() }
        let response = try stack.get("/redirect/welcome", method: "POST")
        #expect(response.status == 405)
        #expect(response.header("Allow") == "GET, HEAD")
        #expect(try stack.events().isEmpty)
    }

    @Test func editIsPickedUpWithoutRestartAndInvalidEditKeepsLastGood() throws {
        let stack = try RedirectStack(files: ["promo.toml": "url = \"https://a.example.com/one\"\n"])
        defer { stack.stop() }
        #expect(try stack.get("/redirect/promo").header("Location") == "https://a.example.com/one")

        try stack.write("promo.toml", "url = \"https://a.example.com/two\"\n")
        #expect(try stack.get("/redirect/promo").header("Location") == "https://a.example.com/two")

        try stack.write("promo.toml", "url = \"https://a.example.com/three\"\nstatus = \"oops\"\n")
        for _ in 0..<3 {
            let response = try stack.get("/redirect/promo")
            #expect(response.status == 302)
            #expect(response.header("Location") == "https://a.example.com/two")
        }
        let log = stack.responderStderr()
        #expect(log.components(separatedBy: "status must be an integer, found a string").count - 1 == 1)
        #expect(log.contains("promo.toml:2:1"))

        try FileManager.default.removeItem(at: stack.redirects.appendingPathComponent("promo.toml"))
        #expect(try stack.get("/redirect/promo").status == 404)
    }

    /// Bursts of more simultaneous clicks than redirectd has threads: nginx opens a connection for each, and
    /// after the burst keeps some of them open with nothing on them. Every click must still be answered at once,
    /// not after nginx's 60 s read timeout: a thread serves whichever connection has a request.
    @Test func burstsOfMoreClicksThanThreadsAreAllAnswered() throws {
        let stack = try RedirectStack(threads: 2)
        defer { stack.stop() }
        let clients = 8
        let port = stack.port
        let answers = Locked<[(session: String, status: Int?, seconds: Double)]>([])
        for burst in 0..<4 {
            DispatchQueue.concurrentPerform(iterations: clients) { client in
                let session = "b\(burst)-\(client)"
                let start = Date()
                let status = try? RawHTTP.request(port: port, path: "/redirect/welcome/" + session).status
                answers.withLock { $0.append((session, status, Date().timeIntervalSince(start))) }
            }
            usleep(200_000)  // nginx now keeps idle connections
        }
        let all = answers.withLock { $0 }
        #expect(all.count == 4 * clients)
        #expect(all.allSatisfy { $0.status == 302 }, "not 302: \(all.filter { $0.status != 302 })")
        let slowest = all.map(\.seconds).max() ?? 0
        #expect(slowest < 3, "slowest click took \(slowest) s")
        let sessions = Set(try stack.events().compactMap { $0["session"] as? String })
        #expect(sessions == Set(all.map(\.session)))
    }

    /// redirectd with 200 open files and 2 threads, so at most 200 - 2 - 96 = 102 connections; `cleanUp` stops it.
    static func stackWith200OpenFiles(keepalive: Int? = nil) throws -> (RedirectStack, cleanUp: () -> Void) {
        let root = NSTemporaryDirectory() + "redirectd-limit-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let wrapper = root + "/redirectd-200-files"
        try "#!/bin/sh\nexec /usr/bin/prlimit --nofile=200:200 -- \(RedirectStack.redirectd) \"$@\"\n"
            .write(toFile: wrapper, atomically: true, encoding: .utf8)
        chmod(wrapper, 0o755)
        let stack = try RedirectStack(executable: wrapper, threads: 2, keepalive: keepalive)
        return (
            stack,
            {
                stack.stop()
                try? FileManager.default.removeItem(atPath: root)
            }
        )
    }

    /// Connections are kept below what libfcgi can take (descriptors below 1024, here below the open-files limit),
    /// less a reserve. At that limit, when no connection is idle (these have not sent their first request, which
    /// would be lost if one were closed), a further connection waits in the socket's queue, not refused (which
    /// nginx would answer with a 502): the click is answered once another connection closes, and the limit is
    /// logged.
    @Test func connectionsBeyondTheLimitWaitForOneToClose() throws {
        let (stack, cleanUp) = try Self.stackWith200OpenFiles()
        defer { cleanUp() }

        // Idle connections of our own, beyond the limit. No click has gone through yet, so nginx keeps no
        // connection of its own that the click below could take.
        var held: [RawFastCGI] = []
        for _ in 0..<110 { held.append(try RawFastCGI(socketPath: stack.socketPath)) }
        usleep(300_000)
        let answer = Locked<(status: Int?, seconds: Double)?>(nil)
        let start = Date()
        let port = stack.port
        let client = Thread {
            let status = try? RawHTTP.request(port: port, path: "/redirect/welcome/waited").status
            answer.withLock { $0 = (status, Date().timeIntervalSince(start)) }
        }
        client.start()
        usleep(700_000)
        #expect(answer.withLock { $0 } == nil, "answered while every connection was taken")
        held.removeFirst(20)  // closed as they go
        let deadline = Date().addingTimeInterval(10)
        while answer.withLock({ $0 }) == nil && Date() < deadline { usleep(20_000) }
        let result = answer.withLock { $0 }
        #expect(result?.status == 302, "\(String(describing: result))")
        #expect(stack.responderStderr().contains("connections are open, the most one process takes"))
        #expect(try stack.events().contains { $0["session"] as? String == "waited" })
        withExtendedLifetime(held) {}  // the other 90 stay open to the end
    }

    /// nginx may keep more idle connections than one process takes (worker_processes x keepalive). At the limit,
    /// a new connection takes the place of the one idle the longest: its request is answered at once, not after
    /// nginx's timeouts, and no request on either is lost.
    @Test func anIdleConnectionMakesRoomForANewOneAtTheLimit() throws {
        let (stack, cleanUp) = try Self.stackWith200OpenFiles()
        defer { cleanUp() }

        // 102 connections as nginx keeps them, each with one click answered: the limit, all idle now.
        var clients: [RawFastCGI] = []
        for i in 0..<102 {
            let client = try RawFastCGI(socketPath: stack.socketPath)
            try client.send(pathInfo: "/welcome/idle-\(i)")
            clients.append(client)
        }
        #expect(clients.allSatisfy { $0.receive()?.contains("Status: 302") == true })
        usleep(50_000)
        // 8 more: each takes the place of one idle since its answer, and its click is answered at once (not after
        // nginx's 60 s timeouts, as when they waited for a connection to close).
        let start = Date()
        for i in 102..<110 {
            let client = try RawFastCGI(socketPath: stack.socketPath)
            try client.send(pathInfo: "/welcome/idle-\(i)")
            clients.append(client)
        }
        let answers = clients[102...].map { $0.receive() }
        let seconds = Date().timeIntervalSince(start)
        #expect(answers.allSatisfy { $0?.contains("Status: 302") == true }, "\(answers)")
        #expect(seconds < 5, "8 answers took \(seconds) s")
        usleep(200_000)
        let closed = clients.indices.filter { clients[$0].isClosedByPeer() }
        #expect(closed.count >= 8, "closed: \(closed)")
        // The ones idle the longest went, not the new ones.
        #expect(!closed.contains { $0 >= 102 }, "closed: \(closed)")

        // A click through nginx finds room the same way.
        let clickStart = Date()
        #expect(try RawHTTP.request(port: stack.port, path: "/redirect/welcome/after").status == 302)
        #expect(Date().timeIntervalSince(clickStart) < 5)
        #expect(stack.responderStderr().contains("closing the one idle longest for each new one"))
        let sessions = try stack.events().compactMap { $0["session"] as? String }
        #expect(sessions.sorted() == ((0..<110).map { "idle-\($0)" } + ["after"]).sorted())
    }

    /// nginx itself keeping more connections than the limit (2 workers x keepalive 128 against 102): clicks on
    /// new connections make room by closing idle ones, nginx sends a click that finds its cached connection
    /// closed again on another, and every click is answered once and recorded once.
    @Test func nginxKeepingMoreThanTheLimitLosesNoClick() throws {
        let (stack, cleanUp) = try Self.stackWith200OpenFiles(keepalive: 128)
        defer { cleanUp() }

        let load = ClickLoad(port: stack.port, redirect: "welcome", clients: 160)
        let deadline = Date().addingTimeInterval(20)
        // Until connections were closed to make room for some time, or 20 s.
        var evictingSince: Date?
        while Date() < deadline {
            if evictingSince == nil && stack.responderStderr().contains("closing the one idle longest") {
                evictingSince = Date()
            }
            if let since = evictingSince, Date().timeIntervalSince(since) > 2 { break }
            usleep(100_000)
        }
        let clicks = load.finish()
        #expect(evictingSince != nil, "nginx never kept more connections than the limit")
        let failed = clicks.filter { $0.status != 302 }
        #expect(failed.count == 0, "\(failed.count) of \(clicks.count) not 302, e.g. \(failed.prefix(3))")
        let slowest = clicks.map(\.seconds).max() ?? 0
        #expect(slowest < 5, "slowest click took \(slowest) s")
        let recorded = try stack.events().compactMap { $0["session"] as? String }
        #expect(recorded.count == clicks.count, "\(clicks.count) clicks, \(recorded.count) events")
        #expect(Set(recorded) == Set(clicks.map(\.session)))
    }

    @Test func sigtermStopsCleanly() throws {
        let stack = try RedirectStack()
        defer { stack.stop() }
        #expect(try stack.get("/redirect/welcome").status == 302)
        #expect(try stack.terminateResponder() == 0)
        #expect(!FileManager.default.fileExists(atPath: stack.root.appendingPathComponent("redirectd.sock").path))
        #expect(try stack.spoolLines().count == 1)
    }
}

extension RedirectStack.Mode: CustomTestStringConvertible {
    var testDescription: String { self == .fastCGI ? "FastCGI" : "CGI (fcgiwrap)" }
}
