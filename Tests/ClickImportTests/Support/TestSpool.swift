import ClickSpool
import Foundation
import RedirectCore
import Timestamps

/// A spool directory of a test, with `ready/` files written directly in the responder's line format.
struct TestSpool {
    let root: String
    var directory: String { root + "/spool" }
    var ready: String { directory + "/ready" }

    init() throws {
        root = NSTemporaryDirectory() + "redirectd-import-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: root + "/spool/ready", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: root + "/spool/current", withIntermediateDirectories: true)
        // Whatever the umask: the importer refuses spool directories others may write.
        for path in [root, root + "/spool", root + "/spool/ready", root + "/spool/current"] {
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
        }
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: root)
    }

    static func id(_ file: Int, _ n: Int) -> String {
        String(format: "0190b5a0-%04d-7000-8000-%012d", file, n)
    }

    /// A click event as the responder records it.
    static func event(
        file: Int, n: Int, session: String? = "sess-1", source: String? = "email-source",
        bot: String? = nil, outcome: ClickEvent.Outcome = .redirected
    ) -> ClickEvent {
        ClickEvent(
            id: id(file, n),
            time: Timestamp(year: 2026, month: 11, day: 29, hour: 2, minute: file % 60, second: n % 60),
            outcome: outcome, redirect: outcome == .notFound ? "nope" : "spring-sale", session: session,
            sessionStatus: session == nil ? .absent : .valid, source: source, type: "redirect",
            properties: [("campaign", .string("spring")), ("n", .int(n))], target: "https://shop.example.com/sale",
            status: 302,
            request: .init(
                method: "GET", ip: "203.0.113.\(n % 250)", userAgent: "Mozilla/5.0 (test \(n))",
                referer: "https://mail.example.com/", acceptLanguage: "de-DE", host: "go.example.com",
                query: "utm_source=mail"),
            bot: bot)
    }

    /// The name of the n-th test file: a bucket on 2026-11-29, long past.
    static func fileName(_ file: Int) -> String {
        String(format: "20261129T02%02d00.jsonl", file)
    }

    /// Writes events to `ready/` (or `current/`); returns the bytes written.
    @discardableResult
    func write(file: Int, events: [ClickEvent], into subdirectory: String = "ready", extra: [UInt8] = []) throws
        -> [UInt8]
    {
        let bytes = events.flatMap { $0.jsonLine() } + extra
        try Data(bytes).write(to: URL(fileURLWithPath: directory + "/" + subdirectory + "/" + Self.fileName(file)))
        return bytes
    }

    /// Writes `perFile` events made by ``event(file:n:session:source:bot:outcome:)`` into each of `files` in
    /// `ready/`; returns their ids in order.
    @discardableResult
    func writeEvents(files: ClosedRange<Int>, perFile: Int) throws -> [String] {
        var ids: [String] = []
        for file in files {
            let events = (0..<perFile).map { Self.event(file: file, n: $0) }
            try write(file: file, events: events)
            ids += events.map(\.id)
        }
        return ids
    }

    func names(in subdirectory: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory + "/" + subdirectory)) ?? [])
            .filter { $0.hasSuffix(".jsonl") }.sorted()
    }

    func text(of path: String) -> String {
        (try? String(contentsOfFile: directory + "/" + path, encoding: .utf8)) ?? ""
    }
}
