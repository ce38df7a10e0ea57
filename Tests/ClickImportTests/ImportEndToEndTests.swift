import BotDetection
import ClickImport
import ClickSpool
import Foundation
import RedirectCore
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `ClickImporter` against a real HTTP server (sink.py) on a free loopback port, with spool files written the way
/// the responder writes them.
@Suite struct ImportEndToEndTests {
    /// A spool and a plain sink; options ship to its Tracardi API unless told "ndjson".
    typealias Setup = SinkSetup

    static func json(_ text: String) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] ?? [:]
    }

    /// Event ids of the accepted Tracardi calls, in order.
    static func trackedIDs(_ requests: [TestSink.Request]) throws -> [String] {
        try requests.flatMap { request -> [String] in
            let events = try json(request.body)["events"] as? [[String: Any]] ?? []
            return events.compactMap { $0["id"] as? String }
        }
    }

    /// Event ids of the accepted NDJSON posts, in order.
    static func ndjsonIDs(_ requests: [TestSink.Request]) throws -> [String] {
        try requests.flatMap { request in
            try request.body.split(separator: "\n").map { try json(String($0))["id"] as? String ?? "" }
        }
    }

    @Test func everyEventArrivesOnceInTracardisShape() async throws {
        let setup = try Setup()
        defer { setup.finish() }
        var expected: [String] = []
        for file in 1...3 {
            let events = (0..<6).map { n in
                TestSpool.event(
                    file: file, n: n, session: n % 3 == 2 ? nil : "sess-\(n % 2)",
                    source: n == 4 ? "other-source" : "email-source")
            }
            try setup.spool.write(file: file, events: events)
            expected += events.map(\.id)
        }
        // A passed bucket still in current/: the importer seals it first.
        let late = [TestSpool.event(file: 4, n: 0)]
        try setup.spool.write(file: 4, events: late, into: "current")
        expected += late.map(\.id)

        let (code, summary, output) = await setup.run(setup.options())
        #expect(code == .success)
        #expect(output.warned.isEmpty)
        let requests = try setup.sink.accepted()
        #expect(try Set(Self.trackedIDs(requests)) == Set(expected))
        #expect(try Self.trackedIDs(requests).count == expected.count)
        #expect(summary.events == expected.count && summary.files == 4)
        #expect(output.printed.last?.hasPrefix("shipped 19 events from 4 files in ") == true)
        #expect(output.printed.last?.hasSuffix(" s (0 rejected, 0 bots skipped)") == true)
        #expect(setup.spool.names(in: "ready").isEmpty)
        #expect(setup.spool.names(in: "shipped").count == 4)

        for request in requests {
            let payload = try Self.json(request.body)
            let source = (payload["source"] as? [String: Any])?["id"] as? String
            let session = (payload["session"] as? [String: Any])?["id"] as? String
            #expect(request.headers["content-type"] == "application/json")
            #expect(request.path == (session == nil ? "/track?profile_less=true" : "/track"))
            // A session is saved with its profile, so the next call for it finds the profile.
            #expect((payload["options"] as? [String: Any])?["saveSession"] as? Bool == (session != nil))
            for event in payload["events"] as? [[String: Any]] ?? [] {
                let id = try #require(event["id"] as? String)
                let parts = id.split(separator: "-")
                let file = Int(parts[1]) ?? 0
                let n = Int(parts[4]) ?? 0
                let original =
                    file == 4
                    ? late[0]
                    : TestSpool.event(
                        file: file, n: n, session: n % 3 == 2 ? nil : "sess-\(n % 2)",
                        source: n == 4 ? "other-source" : "email-source")
                #expect(source == original.source)
                #expect(session == original.session)
                #expect(event["type"] as? String == "redirect")
                #expect(event["properties"] as? NSDictionary == ["campaign": "spring", "n": n] as NSDictionary)
                #expect((event["time"] as? [String: Any])?["create"] as? String == original.time.iso8601)
                let context = try #require(event["context"] as? [String: Any])
                let recorded = try #require(context["request"] as? [String: Any])
                #expect(recorded["user_agent"] as? String == original.request.userAgent)
                #expect(recorded["ip"] as? String == original.request.ip)
                #expect(recorded["referer"] as? String == "https://mail.example.com/")
                let browser =
                    ((context["browser"] as? [String: Any])?["local"] as? [String: Any])?["browser"] as? [String: Any]
                #expect(browser?["userAgent"] as? String == original.request.userAgent)
                #expect((context["redirect"] as? [String: Any])?["id"] as? String == "spring-sale")
            }
        }

        let record = ImportRecord.load(spool: setup.spool.directory)
        #expect(record.lastRunExit == 0 && record.lastRunEvents == 19 && record.lastSuccessAt == record.lastRunAt)

        // A second run finds nothing to ship.
        let before = try setup.sink.requests().count
        let (again, second, secondOutput) = await setup.run(setup.options())
        #expect(again == .success)
        #expect(second.events == 0 && second.files == 0)
        #expect(try setup.sink.requests().count == before)
        #expect(secondOutput.printed.last?.hasPrefix("shipped 0 events from 0 files in ") == true)
    }

    @Test(arguments: [false, true])
    func ndjsonSinkReceivesTheLinesUnchanged(gzip: Bool) async throws {
        let setup = try Setup()
        defer { setup.finish() }
        var bytes: [UInt8] = []
        for file in 1...3 {
            bytes += try setup.spool.write(file: file, events: (0..<7).map { TestSpool.event(file: file, n: $0) })
        }
        let (code, summary, _) = await setup.run(setup.options("ndjson") { $0.gzip = gzip })
        #expect(code == .success)
        #expect(summary.events == 21)
        let requests = try setup.sink.accepted()
        #expect(requests.map(\.body).joined() == String(decoding: bytes, as: UTF8.self))
        #expect(requests.allSatisfy { $0.path == "/ingest" && $0.headers["content-type"] == "application/x-ndjson" })
        #expect(requests.allSatisfy { $0.gzip == gzip })
        // Batches of 4 never span files: 2 per file of 7 events.
        #expect(requests.count == 6)
    }

    @Test func aSecondRunWhileTheLockIsHeldExitsWith3() async throws {
        let setup = try Setup()
        defer { setup.finish() }
        try setup.spool.write(file: 1, events: [TestSpool.event(file: 1, n: 0)])
        let fd = open(setup.spool.directory + "/import.lock", O_RDWR | O_CREAT, 0o644)
        #expect(flock(fd, LOCK_EX | LOCK_NB) == 0)
        let (code, _, output) = await setup.run(setup.options())
        close(fd)
        #expect(code == .anotherImportRunning)
        #expect(code.rawValue == 3)
        #expect(output.warned.contains { $0.contains("another import is running") && $0.contains("import.lock") })
        #expect(try setup.sink.requests().isEmpty)
        #expect(setup.spool.names(in: "ready").count == 1)
    }

    @Test func serverErrorsAreRetriedThenShipped() async throws {
        let setup = try Setup()
        defer { setup.finish() }
        let ids = try setup.spool.writeEvents(files: 1...2, perFile: 5)
        try setup.sink.control(#"{"fail_first": 2, "fail_status": 503}"#)
        let (code, summary, _) = await setup.run(setup.options("ndjson"))
        #expect(code == .success)
        #expect(summary.events == 10)
        #expect(try Self.ndjsonIDs(setup.sink.accepted()) == ids)
        #expect(try setup.sink.requests().filter { $0.status == 503 }.count == 2)
    }

    @Test func aSinkThatStaysDownStopsTheRunWithNothingMovedEarly() async throws {
        let setup = try Setup()
        defer { setup.finish() }
        let ids = try setup.spool.writeEvents(files: 1...2, perFile: 6)
        // The first batch (4 events of file 1) goes through, then the sink fails for good.
        try setup.sink.control(#"{"succeed_first": 1, "fail_status": 500}"#)
        let (code, summary, output) = await setup.run(setup.options("ndjson") { $0.retries = 2 })
        #expect(code == .sinkUnavailable)
        #expect(code.rawValue == 4)
        #expect(summary.events == 4 && summary.files == 0)
        #expect(
            output.warned.contains {
                $0.contains("sink unavailable") && $0.contains("HTTP 500") && $0.contains("3 attempts")
            })
        #expect(setup.spool.names(in: "ready") == [TestSpool.fileName(1), TestSpool.fileName(2)])
        #expect(setup.spool.names(in: "shipped").isEmpty)
        #expect(setup.spool.text(of: "import.checkpoint").contains(#""offset":"#))

        // Back up: the next run ships the rest, and nothing twice.
        try setup.sink.control("{}")
        let (again, second, _) = await setup.run(setup.options("ndjson"))
        #expect(again == .success)
        #expect(second.events == 8 && second.files == 2)
        #expect(try Self.ndjsonIDs(setup.sink.accepted()) == ids)
        #expect(setup.spool.names(in: "ready").isEmpty)
    }

    @Test func unauthorizedStopsAtOnceWithNothingMoved() async throws {
        let setup = try Setup()
        defer { setup.finish() }
        try setup.spool.write(file: 1, events: (0..<3).map { TestSpool.event(file: 1, n: $0) })
        try setup.sink.control(#"{"status": 401}"#)
        let (code, summary, output) = await setup.run(
            setup.options { $0.headers = [HTTPHeaderField(name: "Authorization", value: "Bearer wrong")] })
        #expect(code == .misconfiguration)
        #expect(code.rawValue == 5)
        #expect(summary.events == 0)
        #expect(try setup.sink.requests().count == 1)  // no retries
        #expect(try setup.sink.requests().first?.headers["authorization"] == "Bearer wrong")
        #expect(output.warned.contains { $0.contains("HTTP 401") && $0.contains("credentials") })
        #expect(setup.spool.names(in: "ready") == [TestSpool.fileName(1)])
        #expect(setup.spool.names(in: "shipped").isEmpty)
    }

    @Test(arguments: ["ndjson", "tracardi"])
    func anEventTheSinkRejectsGoesToRejectedAndTheRestIsShipped(kind: String) async throws {
        let setup = try Setup()
        defer { setup.finish() }
        let events = (0..<6).map { TestSpool.event(file: 1, n: $0) }
        let lines = try setup.spool.write(file: 1, events: events)
        let bad = events[2].id
        try setup.sink.control(
            #"{"reject_ids": ["\#(bad)"], "reject_style": "\#(kind == "tracardi" ? "fastapi" : "named")"}"#)
        let (code, summary, output) = await setup.run(setup.options(kind))
        #expect(code == .success)
        #expect(summary.events == 5 && summary.rejected == 1 && summary.files == 1)
        #expect(output.printed.last?.contains("(1 rejected, 0 bots skipped)") == true)
        let accepted = try setup.sink.accepted()
        let shipped = kind == "tracardi" ? try Self.trackedIDs(accepted) : try Self.ndjsonIDs(accepted)
        #expect(shipped.sorted() == events.map(\.id).filter { $0 != bad }.sorted())

        let rejected = setup.spool.text(of: "rejected/" + TestSpool.fileName(1))
        let entry = try Self.json(String(rejected.split(separator: "\n").first ?? ""))
        #expect(rejected.split(separator: "\n").count == 1)
        #expect((entry["event"] as? [String: Any])?["id"] as? String == bad)
        #expect(entry["status"] as? Int == 422)
        // Tracardi names the event (FastAPI's detail[].loc); the collector's answer is found by halving the batch.
        if kind == "tracardi" {
            #expect(entry["reason"] as? String == "field required")
        } else {
            #expect((entry["reason"] as? String)?.hasPrefix("HTTP 422: ") == true)
            #expect((entry["reason"] as? String)?.contains("bad event " + bad.suffix(4)) == true)
        }
        #expect(entry["line"] as? Int == 3)
        // The original line is kept byte for byte.
        let line = String(decoding: events[2].jsonLine().dropLast(), as: UTF8.self)
        #expect(rejected.contains(line))
        _ = lines
        #expect(setup.spool.names(in: "shipped") == [TestSpool.fileName(1)])
    }

    /// Tracardi 0.8.x answers 226 with workflow errors that happened after the events were saved.
    @Test func tracardiWorkflowErrorsIn226AreNoRejection() async throws {
        let setup = try Setup()
        defer { setup.finish() }
        let events = (0..<2).map { TestSpool.event(file: 1, n: $0) }
        try setup.spool.write(file: 1, events: events)
        try setup.sink.control(#"{"status": 226, "errors": ["workflow failed: no such event source"]}"#)
        let (code, summary, _) = await setup.run(setup.options())
        #expect(code == .success)
        #expect(summary.rejected == 0 && summary.events == 2)
        #expect(setup.spool.names(in: "rejected").isEmpty)
        #expect(setup.spool.names(in: "shipped") == [TestSpool.fileName(1)])
    }

    @Test func aSinkThatHangsTimesOutAndTheRunStops() async throws {
        let setup = try Setup()
        defer { setup.finish() }
        try setup.spool.write(file: 1, events: [TestSpool.event(file: 1, n: 0)])
        try setup.sink.control(#"{"hang_seconds": 120}"#)
        let started = Date()
        let (code, _, output) = await setup.run(
            setup.options("ndjson") {
                $0.requestTimeoutSeconds = 0.5
                $0.retries = 1
            })
        #expect(code == .sinkUnavailable)
        // Far less than the sink would hang (tests running beside it can starve the machine for seconds).
        #expect(Date().timeIntervalSince(started) < 45)
        #expect(output.warned.contains { $0.contains("timeout") })
        #expect(setup.spool.names(in: "ready").count == 1)
    }

    @Test func botsOrphansAndTornLinesAreSkippedAndCounted() async throws {
        let setup = try Setup()
        defer { setup.finish() }
        let events = [
            TestSpool.event(file: 1, n: 0), TestSpool.event(file: 1, n: 1, bot: "head-request"),
            TestSpool.event(file: 1, n: 2, outcome: .notFound), TestSpool.event(file: 1, n: 3, outcome: .expired),
        ]
        try setup.spool.write(file: 1, events: events, extra: Array(#"{"v":1,"id":"torn"#.utf8))
        let (code, summary, output) = await setup.run(
            setup.options("ndjson") { $0.excludeBots = Set(BotCategory.allCases) })
        #expect(code == .success)
        #expect(try Self.ndjsonIDs(setup.sink.accepted()) == [events[0].id, events[3].id])
        #expect(summary.botsSkipped == 1 && summary.orphansSkipped == 1 && summary.unreadableLines == 1)
        #expect(output.printed.last?.contains("(0 rejected, 1 bots skipped)") == true)
        #expect(output.warned.contains { $0.contains("\(TestSpool.fileName(1)):5:") && $0.contains("torn") })
        #expect(output.printed.contains { $0.contains("--include-orphans") })
        // What was left out is kept, line for line.
        let skipped = setup.spool.text(of: "skipped/" + TestSpool.fileName(1))
        #expect(skipped == String(decoding: events[1].jsonLine() + events[2].jsonLine(), as: UTF8.self))
    }

    @Test func botsOfTheCategoriesGivenAreSkipped() async throws {
        let setup = try Setup()
        defer { setup.finish() }
        var preview = TestSpool.event(file: 1, n: 1, bot: "slack-preview")
        preview.botCategory = .preview
        var crawler = TestSpool.event(file: 1, n: 2, bot: "googlebot")
        crawler.botCategory = .crawler
        let person = TestSpool.event(file: 1, n: 0)
        try setup.spool.write(file: 1, events: [person, preview, crawler])
        let (code, summary, _) = await setup.run(setup.options("ndjson") { $0.excludeBots = [.preview, .scanner] })
        #expect(code == .success)
        #expect(summary.botsSkipped == 1)
        #expect(try Self.ndjsonIDs(setup.sink.accepted()) == [person.id, crawler.id])
        #expect(
            setup.spool.text(of: "skipped/" + TestSpool.fileName(1))
                == String(decoding: preview.jsonLine(), as: UTF8.self))
    }

    /// A collector that says only "bad request": the batch is halved until the bad lines are alone.
    @Test func badLinesInABatchTheCollectorDoesNotNameAreFoundByHalving() async throws {
        let setup = try Setup()
        defer { setup.finish() }
        let events = (0..<16).map { TestSpool.event(file: 1, n: $0) }
        try setup.spool.write(file: 1, events: events)
        let bad = [events[3].id, events[11].id, events[12].id]
        try setup.sink.control(#"{"reject_ids": \#(bad.map { "\"\($0)\"" }), "reject_style": "plain"}"#)
        let (code, summary, _) = await setup.run(setup.options("ndjson") { $0.batchSize = 16 })
        #expect(code == .success)
        #expect(summary.events == 13 && summary.rejected == 3)
        #expect(try Self.ndjsonIDs(setup.sink.accepted()).sorted() == events.map(\.id).filter { !bad.contains($0) })
        let rejected = setup.spool.text(of: "rejected/" + TestSpool.fileName(1)).split(separator: "\n")
        #expect(try rejected.map { try Self.json(String($0))["status"] as? Int } == [400, 400, 400])
        #expect(
            try Set(rejected.map { try (Self.json(String($0))["event"] as? [String: Any])?["id"] as? String ?? "" })
                == Set(bad))
        // Every event was sent at most log2(16) + 1 times.
        #expect(try setup.sink.requests().count <= 2 * 3 * 4 + 1)
    }

    /// A collector that refuses every line (set up for another format) stops the run as misconfigured; the spool
    /// stays as it was.
    @Test func aCollectorThatRefusesEveryLineStopsTheRun() async throws {
        let setup = try Setup()
        defer { setup.finish() }
        let events = (0..<4).map { TestSpool.event(file: 1, n: $0) }
        try setup.spool.write(file: 1, events: events)
        try setup.sink.control(#"{"reject_ids": \#(events.map { "\"\($0.id)\"" }), "reject_style": "plain"}"#)
        let (code, summary, output) = await setup.run(setup.options("ndjson"))
        #expect(code == .misconfiguration)
        #expect(summary.events == 0 && summary.rejected == 0)
        #expect(output.warned.contains { $0.contains("the sink refused all 4 events") && $0.contains("HTTP 400") })
        #expect(setup.spool.names(in: "rejected").isEmpty)
        #expect(setup.spool.names(in: "ready") == [TestSpool.fileName(1)])
    }

    @Test func oldFilesInShippedSkippedAndRejectedArePruned() async throws {
        let setup = try Setup()
        defer { setup.finish() }
        for subdirectory in ["shipped", "skipped", "rejected"] {
            let directory = setup.spool.directory + "/" + subdirectory
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            for (name, age) in [("old.jsonl", 31.0), ("new.jsonl", 29.0)] {
                let path = directory + "/" + name
                try Data("{}\n".utf8).write(to: URL(fileURLWithPath: path))
                try FileManager.default.setAttributes(
                    [.modificationDate: Date().addingTimeInterval(-age * 86_400)],
                    ofItemAtPath: path)
            }
        }
        let (code, _, output) = await setup.run(setup.options("ndjson"))
        #expect(code == .success)
        for subdirectory in ["shipped", "skipped", "rejected"] {
            #expect(setup.spool.names(in: subdirectory) == ["new.jsonl"])
        }
        #expect(output.printed.contains { $0.contains("older than 30 days") })
    }

    @Test func dryRunSendsAndChangesNothing() async throws {
        let setup = try Setup()
        defer { setup.finish() }
        try setup.spool.write(file: 1, events: (0..<3).map { TestSpool.event(file: 1, n: $0) })
        let (code, summary, output) = await setup.run(setup.options { $0.dryRun = true })
        #expect(code == .success)
        #expect(summary.events == 3)
        #expect(try setup.sink.requests().isEmpty)
        #expect(setup.spool.names(in: "ready").count == 1)
        #expect(output.printed.first?.hasPrefix("dry run: would ship 3 events from 1 files") == true)
    }

    /// A dry run resumes where a run would: from a checkpoint that fits the file, from the start when the file is
    /// shorter than the checkpoint says (a new file that got the old one's name and inode). It leaves the
    /// checkpoint as it was.
    @Test(arguments: [(2, 3), (1_000_000, 5)])
    func dryRunCountsFromWhereARunWouldResume(checkpointLines: Int, expected: Int) async throws {
        let setup = try Setup()
        defer { setup.finish() }
        let events = (0..<5).map { TestSpool.event(file: 1, n: $0) }
        try setup.spool.write(file: 1, events: events)
        let offset =
            checkpointLines < events.count
            ? events[0..<checkpointLines].reduce(0) { $0 + $1.jsonLine().count } : checkpointLines
        let checkpointPath = try setup.checkpoint(file: 1, offset: offset)
        let before = try Data(contentsOf: URL(fileURLWithPath: checkpointPath))

        let (code, summary, output) = await setup.run(setup.options("ndjson") { $0.dryRun = true })
        #expect(code == .success)
        #expect(summary.events == expected)
        // Batches of 4 (ImportOptions.forTest): one request per batch.
        let first = events.suffix(expected).prefix(4)
        #expect(
            output.printed == [
                "dry run: would ship \(expected) events from 1 files in \((expected + 3) / 4) requests (0 not sendable, "
                    + "0 bots skipped, 0 orphans skipped, 0 unreadable lines); 0 files in current/ not sealed yet",
                "dry run: first request: POST \(setup.sink.baseURL)/ingest (application/x-ndjson, "
                    + "\(first.reduce(0) { $0 + $1.jsonLine().count }) bytes, \(first.count) events)",
            ])
        #expect(try Data(contentsOf: URL(fileURLWithPath: checkpointPath)) == before)
        #expect(try setup.sink.requests().isEmpty)
        #expect(setup.spool.names(in: "ready") == [TestSpool.fileName(1)])
    }

    @Test func resumesFromTheCheckpointAndDeletesWithTheFlag() async throws {
        let setup = try Setup()
        defer { setup.finish() }
        let events = (0..<5).map { TestSpool.event(file: 1, n: $0) }
        try setup.spool.write(file: 1, events: events)
        try setup.checkpoint(file: 1, offset: events[0..<2].reduce(0) { $0 + $1.jsonLine().count })
        let (code, summary, _) = await setup.run(setup.options("ndjson") { $0.deleteShipped = true })
        #expect(code == .success)
        #expect(summary.events == 3)
        #expect(try Self.ndjsonIDs(setup.sink.accepted()) == events[2...].map(\.id))
        #expect(setup.spool.names(in: "ready").isEmpty)
        #expect(setup.spool.names(in: "shipped").isEmpty)
    }

    @Test func aBadURLIsAMisconfiguration() async throws {
        let spool = try TestSpool()
        defer { spool.remove() }
        let captured = CapturedOutput()
        let options = ImportOptions(spoolDirectory: spool.directory, sink: .ndjson(url: "ftp://example.com/x"))
        let (code, _) = await ClickImporter(options: options, output: captured.output).run()
        #expect(code == .misconfiguration)
        #expect(
            captured.warned.contains { $0.contains("--ndjson ftp://example.com/x: not an http:// or https:// URL") })
    }

    @Test func aSinkThatIsNotThereIsUnavailable() async throws {
        let spool = try TestSpool()
        defer { spool.remove() }
        try spool.write(file: 1, events: [TestSpool.event(file: 1, n: 0)])
        let captured = CapturedOutput()
        var options = ImportOptions(spoolDirectory: spool.directory, sink: .ndjson(url: "http://127.0.0.1:9/ingest"))
        options.retries = 1
        options.retryDelaySeconds = 0.01
        let (code, _) = await ClickImporter(options: options, output: captured.output).run()
        #expect(code == .sinkUnavailable)
        #expect(
            captured.warned.contains {
                $0.contains("connection refused: is the sink running at http://127.0.0.1:9/ingest?")
            })
        #expect(spool.names(in: "ready").count == 1)
        // redirectctl status reads what the run recorded.
        let record = ImportRecord.load(spool: spool.directory)
        #expect(record.lastRunExit == 4 && record.lastRunAt != nil && record.lastSuccessAt == nil)
    }
}

extension SinkSetup {
    fileprivate init() throws { try self.init(model: "plain") }

    fileprivate func options(_ kind: String = "tracardi", _ change: (inout ImportOptions) -> Void = { _ in })
        -> ImportOptions
    {
        let target: ImportOptions.Sink =
            kind == "tracardi"
            ? .tracardi(baseURL: sink.baseURL + "/") : .ndjson(url: sink.baseURL + "/ingest")
        return options(target, change)
    }

    /// Writes a checkpoint at `offset` into file `file` of `ready/` (its name and inode); returns its path.
    @discardableResult
    fileprivate func checkpoint(file: Int, offset: Int) throws -> String {
        var s = stat()
        stat(spool.ready + "/" + TestSpool.fileName(file), &s)
        let path = spool.directory + "/import.checkpoint"
        try ImportCheckpoint(file: TestSpool.fileName(file), inode: UInt64(s.st_ino), offset: Int64(offset))
            .save(in: try SpoolDirectory.open(spool.directory, create: false))
        return path
    }
}
