import ClickImport
import ClickSpool
import Foundation
import TestSupport
import Testing

/// A sink that refuses everything stops the run whatever the batch sizes, and `redirectctl status` tells when
/// refusals went to `rejected/` with nothing accepted; against sink.py on a free loopback port.
@Suite struct RefusingSinkTests {
    /// Files, events per file and batch size: on a quiet site every batch holds one event.
    struct Layout: CustomTestStringConvertible, Sendable {
        var files: Int
        var perFile: Int
        var batchSize: Int

        var testDescription: String { "\(files) files of \(perFile) events, batches of \(batchSize)" }
    }

    static func status(_ spool: TestSpool) throws -> ProcessRun {
        try Redirectctl.runQuickly(["status", "--spool", spool.directory])
    }

    /// What "nothing moved" compares: `ready/`, `shipped/`, `rejected/` and the checkpoint.
    static func state(_ spool: TestSpool) -> [String] {
        spool.names(in: "ready").map { "ready/" + $0 } + spool.names(in: "shipped").map { "shipped/" + $0 }
            + spool.names(in: "rejected").map { "rejected/" + $0 } + [spool.text(of: "import.checkpoint")]
    }

    @Test(arguments: [Layout(files: 5, perFile: 1, batchSize: 4), Layout(files: 1, perFile: 5, batchSize: 1)])
    func aSinkThatRefusesEveryEventStopsTheRunWithNothingMoved(_ layout: Layout) async throws {
        let setup = try SinkSetup(model: "plain")
        defer { setup.finish() }
        try setup.spool.writeEvents(files: 1...layout.files, perFile: layout.perFile)
        try setup.sink.control(
            #"{"status": 400, "answer_text": "unknown format: expected CSV", "content_type": "text/plain"}"#)
        let before = Self.state(setup.spool)
        let (code, summary, output) = await setup.run(
            setup.options(.ndjson(url: setup.sink.baseURL + "/ingest")) {
                $0.batchSize = layout.batchSize
            })
        #expect(code == .misconfiguration)
        #expect(ImportExitCode.misconfiguration.rawValue == 5)
        #expect(summary.events == 0 && summary.files == 0)
        let message = try #require(output.warned.first { $0.contains("refused all") }, "\(output.warned)")
        #expect(
            message.contains("refused all 2 events") && message.contains("HTTP 400: unknown format: expected CSV"),
            "\(message)")
        #expect(Self.state(setup.spool) == before)
        #expect(setup.spool.names(in: "rejected").isEmpty)
        #expect(try setup.sink.requests().count == 2)
        let status = try Self.status(setup.spool)
        #expect(status.status == 1 && !status.stdout.contains("status: ok"), "\(status.stdout)")
    }

    /// Two events the sink rightly refuses at the head of `ready/` would stop every run; `--set-aside-refused`,
    /// given once the operator has checked the sink, puts them in `rejected/` and ships what follows.
    @Test func setAsideRefusedGetsPastEventsTheSinkRightlyRefuses() async throws {
        let setup = try SinkSetup(model: "plain")
        defer { setup.finish() }
        let ids = try setup.spool.writeEvents(files: 1...4, perFile: 1)
        try setup.sink.control(#"{"reject_ids": ["\#(ids[0])", "\#(ids[1])"], "reject_style": "plain"}"#)
        let target = ImportOptions.Sink.ndjson(url: setup.sink.baseURL + "/ingest")
        let stopped = await setup.run(setup.options(target))
        #expect(stopped.code == .misconfiguration)
        #expect(stopped.output.warned.contains { $0.contains("--set-aside-refused") }, "\(stopped.output.warned)")
        #expect(setup.spool.names(in: "ready").count == 4)

        let (code, summary, output) = await setup.run(setup.options(target) { $0.setAsideRefused = true })
        #expect(code == .success, "\(output.warned)")
        #expect(summary.events == 2 && summary.rejected == 2 && summary.files == 4)
        #expect(setup.spool.names(in: "rejected") == [TestSpool.fileName(1), TestSpool.fileName(2)])
        #expect(setup.spool.names(in: "ready").isEmpty)
        #expect(try ImportEndToEndTests.ndjsonIDs(setup.sink.accepted()) == Array(ids.suffix(2)))
    }

    @Test func aSingleRefusalFollowedByAcceptedEventsGoesToRejected() async throws {
        let setup = try SinkSetup(model: "plain")
        defer { setup.finish() }
        let ids = try setup.spool.writeEvents(files: 1...3, perFile: 1)
        try setup.sink.control(#"{"reject_ids": ["\#(ids[0])"], "reject_style": "plain"}"#)
        let (code, summary, output) = await setup.run(setup.options(.ndjson(url: setup.sink.baseURL + "/ingest")))
        #expect(code == .success, "\(output.warned)")
        #expect(summary.events == 2 && summary.rejected == 1 && summary.files == 3)
        #expect(setup.spool.names(in: "rejected") == [TestSpool.fileName(1)])
        #expect(setup.spool.text(of: "rejected/" + TestSpool.fileName(1)).contains(ids[0]))
        #expect(setup.spool.names(in: "ready").isEmpty && setup.spool.names(in: "shipped").count == 3)
        let status = try Self.status(setup.spool)
        #expect(status.status == 0 && status.stdout.contains("status: ok"), "\(status.stdout)")
    }

    /// One event refused, none accepted: it goes to `rejected/` at the end of the run, and `status` is not ok
    /// until a run has the sink accept an event again.
    @Test func rejectedEventsWithNoneAcceptedMakeTheStatusUnhealthyUntilTheSinkTakesOne() async throws {
        let setup = try SinkSetup(model: "plain")
        defer { setup.finish() }
        try setup.spool.writeEvents(files: 1...1, perFile: 1)
        try setup.sink.control(#"{"status": 400}"#)
        let options = setup.options(.ndjson(url: setup.sink.baseURL + "/ingest"))
        let refused = await setup.run(options)
        #expect(refused.code == .success && refused.summary.rejected == 1, "\(refused.output.warned)")
        #expect(setup.spool.names(in: "rejected") == [TestSpool.fileName(1)])
        let unhealthy = try Self.status(setup.spool)
        #expect(unhealthy.status == 1, "\(unhealthy.stdout)")
        #expect(
            unhealthy.stdout.contains("1 event in rejected/ since the sink last accepted one"), "\(unhealthy.stdout)")

        // A run with nothing to ship changes nothing; one in which the sink takes an event clears it.
        #expect(await setup.run(options).code == .success)
        #expect(try Self.status(setup.spool).status == 1)
        try setup.sink.control("{}")
        try setup.spool.writeEvents(files: 2...2, perFile: 1)
        let accepted = await setup.run(options)
        #expect(accepted.code == .success && accepted.summary.events == 1)
        let healthy = try Self.status(setup.spool)
        #expect(healthy.status == 0 && healthy.stdout.contains("status: ok"), "\(healthy.stdout)")
    }
}
