import ClickSpool
import Foundation
import JSON
import RedirectCore
import TestSupport
import Testing

@testable import ClickImport

/// Pure halves of the sinks and the importer's small values: no network, no files.
@Suite struct SinkTests {
    static func record(_ event: ClickEvent) -> SpoolRecord {
        let line = event.jsonLine()
        return SpoolRecord(
            line: line[...], id: event.id, outcome: event.outcome.rawValue, bot: event.bot, offset: 0,
            endOffset: Int64(line.count), lineNumber: 1)
    }

    @Test func tracardiGroupsByVisitor() throws {
        var sameVisitor = TestSpool.event(file: 1, n: 2, session: "a")
        sameVisitor.request = TestSpool.event(file: 1, n: 0, session: "a").request
        var otherLanguage = sameVisitor
        otherLanguage.id = TestSpool.id(1, 5)
        otherLanguage.request.acceptLanguage = "fr"
        let events = [
            TestSpool.event(file: 1, n: 0, session: "a"), TestSpool.event(file: 1, n: 1, session: nil), sameVisitor,
            TestSpool.event(file: 1, n: 3, session: "a", source: "other"),
            TestSpool.event(file: 1, n: 4, session: "b", source: nil), otherLanguage,
            // Same session, another user agent and IP (a link preview, say): a call of its own.
            TestSpool.event(file: 1, n: 6, session: "a"),
        ]
        let plan = TracardiSink(baseURL: "https://t.example/api/").plan(events.map(Self.record))
        #expect(
            plan.requests.map(\.url) == [
                "https://t.example/api/track", "https://t.example/api/track?profile_less=true",
                "https://t.example/api/track", "https://t.example/api/track",
                "https://t.example/api/track",
            ])
        #expect(
            plan.requests.map(\.eventIDs) == [
                [events[0].id, events[2].id], [events[1].id], [events[3].id],
                [events[5].id], [events[6].id],
            ])
        #expect(
            plan.requests.map(\.source) == ["email-source", "email-source", "other", "email-source", "email-source"])
        #expect(plan.rejections.map(\.id) == [events[4].id])
        #expect(plan.rejections.first?.reason.contains("--tracardi-source") == true)
        // The visitor's IP goes in the header Tracardi's USE_X_FORWARDED_IP names.
        #expect(plan.requests[0].headers == [HTTPHeaderField(name: "X-Forwarded-For", value: "203.0.113.0")])

        let withDefault = TracardiSink(
            baseURL: "https://t.example", defaultSource: "fallback",
            forwardedIPHeader: "X-Real-IP"
        ).plan([Self.record(events[4])])
        let request = try #require(withDefault.requests.first)
        #expect(request.headers == [HTTPHeaderField(name: "X-Real-IP", value: "203.0.113.4")])
        let payload = try #require(JSONValue(parsing: request.body))
        #expect(payload["source"]?["id"] == .string("fallback"))
        #expect(payload["session"]?["id"] == .string("b"))
        #expect(payload["request"]?["headers"]?["user-agent"] == .string("Mozilla/5.0 (test 4)"))
        #expect(payload["request"]?["headers"]?["accept-language"] == .string("de-DE"))
        #expect(payload["context"]?["browser"]?["local"]?["browser"]?["userAgent"] == .string("Mozilla/5.0 (test 4)"))
        #expect(payload["context"]?["browser"]?["local"]?["browser"]?["language"] == .string("de-DE"))
        #expect(payload["options"]?["saveSession"] == .bool(true))
        guard case .array(let list)? = payload["events"], let event = list.first else {
            Issue.record("no events")
            return
        }
        #expect(event["id"] == .string(events[4].id))
        #expect(event["type"] == .string("redirect"))
        #expect(event["properties"] == .object([("campaign", .string("spring")), ("n", .int(4))]))
        #expect(event["time"]?["create"] == .string(events[4].time.iso8601))
        #expect(event["time"]?["insert"] == .string(events[4].time.iso8601))
        #expect(event["context"]?["request"]?["ip"] == .string("203.0.113.4"))
        #expect(event["context"]?["redirect"]?["click_id"] == .string(events[4].id))
        #expect(event["context"]?["browser"]?["local"]?["browser"]?["userAgent"] == .string("Mozilla/5.0 (test 4)"))
        #expect(event["context"]?["bot"] == .null)

        // A click recorded without an IP (privacy signal) sends the header empty, so Tracardi stores no address.
        var privateClick = events[1]
        privateClick.request.ip = nil
        let anonymous = TracardiSink(baseURL: "https://t.example").plan([Self.record(privateClick)])
        #expect(anonymous.requests.first?.headers == [HTTPHeaderField(name: "X-Forwarded-For", value: "")])
        let body = try #require(anonymous.requests.first.flatMap { JSONValue(parsing: $0.body) })
        #expect(body["request"]?["headers"]?["x-forwarded-for"] == nil)
        #expect(body["options"]?["saveSession"] == .bool(false))
    }

    @Test(
        arguments: [
            ("de-DE,de;q=0.9,en;q=0.8", "de-DE"), ("en", "en"), (" fr-CH ; q=1", "fr-CH"), ("*", nil),
            ("", nil),
        ] as [(String, String?)])
    func primaryLanguage(header: String, language: String?) {
        #expect(TracardiSink.primaryLanguage(header) == language)
    }

    @Test func ndjsonBodyIsTheLinesAsTheyAre() {
        let events = (0..<3).map { TestSpool.event(file: 1, n: $0) }
        let plan = NDJSONSink(url: "http://c/x").plan(events.map(Self.record))
        #expect(plan.requests.count == 1)
        #expect(plan.requests[0].body == events.flatMap { $0.jsonLine() })
        #expect(plan.requests[0].contentType == "application/x-ndjson")
        #expect(NDJSONSink(url: "http://c/x").plan([]).requests.isEmpty)
    }

    @Test func answersThatNameEvents() throws {
        let ids = ["0190-a", "0190-b", "0190-c"]
        let request = SinkRequest(url: "http://c/x", body: [], contentType: "", eventIDs: ids)
        let sink = NDJSONSink(url: "http://c/x")
        func answer(_ status: Int, _ text: String) throws(SinkError) -> [SinkRejection] {
            try sink.interpret(SinkResponse(status: status, body: Array(text.utf8)), to: request)
        }
        #expect(try answer(200, "whatever").isEmpty)
        // A collector's 400/422 is the whole batch's (the importer halves it); an id in its text proves nothing.
        #expect(throws: SinkError.refused(url: "http://c/x", status: 400, detail: "line 3: 0190-c: bad timestamp")) {
            try answer(400, "line 3: 0190-c: bad timestamp\n")
        }
        #expect(throws: SinkError.self) {
            try answer(422, #"{"errors":[{"event_id":"0190-b","message":"type missing"}]}"#)
        }
        #expect(throws: SinkError.misconfigured(url: "http://c/x", status: 404, detail: "no such path")) {
            try answer(404, "no such path")
        }
        let fastAPI = #"{"detail":[{"loc":["body","events",1,"type"],"msg":"field required"}]}"#
        let tracardi = TracardiSink(baseURL: "http://t")
        #expect(
            try tracardi.interpret(SinkResponse(status: 422, body: Array(fastAPI.utf8)), to: request)
                == [SinkRejection(id: "0190-b", reason: "field required", status: 422)])
        #expect(throws: SinkError.self) {
            try tracardi.interpret(
                SinkResponse(status: 422, body: Array(#"{"detail":"0190-b is bad"}"#.utf8)), to: request)
        }
        // 226 lists workflow errors after the events were saved (Tracardi 0.8.x): nothing is rejected.
        let errors = #"{"errors":["event 0190-c: no such type"]}"#
        #expect(try tracardi.interpret(SinkResponse(status: 226, body: Array(errors.utf8)), to: request).isEmpty)
        #expect(
            try tracardi.interpret(SinkResponse(status: 200, body: Array(#"{"errors":[]}"#.utf8)), to: request).isEmpty)
    }

    @Test func tracardi401SaysWhatItRefused() throws {
        let ids = ["0190-a", "0190-b"]
        let request = SinkRequest(url: "http://t/track", body: [], contentType: "", eventIDs: ids, source: "mail")
        let tracardi = TracardiSink(baseURL: "http://t")
        func answer(_ status: Int, _ detail: String) throws(SinkError) -> [SinkRejection] {
            let body = #"{"detail": ""# + detail + #""}"#
            return try tracardi.interpret(SinkResponse(status: status, body: Array(body.utf8)), to: request)
        }
        let bot = try answer(401, "Traffic from bot is not allowed.")
        #expect(bot.map(\.id) == ids && bot.allSatisfy { $0.cause == .bot && $0.status == 401 })
        for detail in [
            "Invalid event source `mail`. Request came from IP: `127.0.0.1` width payload: {}",
            "Event source disabled.", "Internal event sources are not allowed via API.",
            "This endpoint allows only bridges of types ['rest'], but the even source `m`.`mail` has types "
                + "`['redirect']`.",
        ] {
            let refused = try answer(401, detail)
            #expect(refused.map(\.id) == ids)
            #expect(refused.allSatisfy { $0.cause == .source("mail") })
            #expect(refused.first?.reason.contains("event source of type REST") == true)
            #expect(refused.first?.reason.contains("`mail`") == true)
        }
        // Anything else in a 401 is about credentials: the run stops.
        #expect(throws: SinkError.self) { try answer(401, "Incorrect username or password") }
        #expect(throws: SinkError.self) { try answer(403, "Forbidden") }
        let invalid = try answer(406, "Validation failed with error: properties.email is required")
        #expect(invalid.map(\.id) == ids && invalid.allSatisfy { $0.cause == .event })
    }

    @Test func headersFromFlagsAndEnvironment() {
        let (headers, invalid) = HTTPHeaderField.collect(
            flags: ["X-Api-Key:  k1 ", "broken"],
            environment: ["REDIRECTCTL_IMPORT_HEADERS": "X-Tenant: t\nAlso broken", "REDIRECTCTL_IMPORT_TOKEN": "tok"])
        #expect(
            headers == [
                HTTPHeaderField(name: "X-Api-Key", value: "k1"), HTTPHeaderField(name: "X-Tenant", value: "t"),
                HTTPHeaderField(name: "Authorization", value: "Bearer tok"),
            ])
        #expect(invalid == ["broken", "Also broken"])
        let explicit = HTTPHeaderField.collect(
            flags: ["Authorization: Basic x"], environment: ["REDIRECTCTL_IMPORT_TOKEN": "tok"])
        #expect(explicit.headers == [HTTPHeaderField(name: "Authorization", value: "Basic x")])
        #expect(HTTPHeaderField(name: "Authorization", value: "secret").description == "Authorization: …")
    }

    @Test func checkpointTextRoundTrips() {
        let checkpoint = ImportCheckpoint(file: "20261129T020800.jsonl", inode: 1234, offset: 5678)
        #expect(checkpoint.text == #"{"file":"20261129T020800.jsonl","inode":1234,"offset":5678}"# + "\n")
        #expect(ImportCheckpoint(text: checkpoint.text) == checkpoint)
        #expect(ImportCheckpoint(text: "garbage") == nil)
    }

    @Test func retryDelaysGrowWithJitterAndACap() {
        let policy = RetryPolicy(retries: 5, baseDelaySeconds: 0.5, maximumDelaySeconds: 4)
        for _ in 0..<100 {
            #expect((0.25...0.5).contains(policy.delay(beforeRetry: 1)))
            #expect((0.5...1).contains(policy.delay(beforeRetry: 2)))
            #expect((2...4).contains(policy.delay(beforeRetry: 10)))
        }
    }

    @Test func summaryLine() {
        var summary = ImportSummary()
        summary.events = 12
        summary.files = 3
        summary.rejected = 1
        summary.botsSkipped = 2
        summary.seconds = 1.26
        #expect(summary.line == "shipped 12 events from 3 files in 1.3 s (1 rejected, 2 bots skipped)")
    }

    @Test func gzipBodiesDecompress() throws {
        let text = Array(String(repeating: #"{"id":"x","n":1}"# + "\n", count: 1000).utf8)
        let zipped = try #require(GzipEncoder.compress(text))
        #expect(zipped.count < text.count / 10)
        #expect(zipped.prefix(2) == [0x1F, 0x8B])
        let path = NSTemporaryDirectory() + "gz-" + UUID().uuidString + ".gz"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data(zipped).write(to: URL(fileURLWithPath: path))
        let gunzip = try ProcessRun.run("/usr/bin/env", ["gzip", "-dc", path])
        #expect(gunzip.status == 0)
        #expect(Array(gunzip.stdout.utf8) == text)
    }

    @Test(arguments: ["http://h/x", "https://h:8080", "HTTP://[::1]:8000/x"])
    func goodURLs(url: String) throws {
        try ClickImporter.checkURL(url, flag: "--ndjson")
    }

    @Test(arguments: ["h/x", "http://", "http:///x", "ftp://h", "http://h x"])
    func badURLs(url: String) {
        #expect(throws: ImportError.self) { try ClickImporter.checkURL(url, flag: "--ndjson") }
    }
}
