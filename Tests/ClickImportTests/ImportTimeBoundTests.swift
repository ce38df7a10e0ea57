import ClickImport
import ClickSpool
import Foundation
import Testing

/// `--timeout` bounds a request from connect to the last byte of the answer, and `--max-seconds` bounds the run,
/// against sinks (sink.py) that send their answer's head at once and then drip the body or never end it, on
/// NDJSON batches and on ClickHouse's `system.columns` query. The time limit fails a test that would hang.
@Suite(.timeLimit(.minutes(1))) struct ImportTimeBoundTests {
    /// A slow answer and a sink to meet it with.
    struct Case: CustomTestStringConvertible, Sendable {
        var control: String
        var target: String

        var testDescription: String { "\(control) on \(target)" }
    }

    static let cases = [
        Case(control: #"{"drip_seconds": 0.5, "drip_bytes": 40}"#, target: "ndjson"),
        Case(control: #"{"endless": true}"#, target: "ndjson"),
        Case(control: #"{"drip_seconds": 0.5, "drip_bytes": 40}"#, target: "clickhouse"),
        Case(control: #"{"endless": true}"#, target: "clickhouse"),
    ]

    /// A spool whose first batch the sink took (so there is a checkpoint), and what "nothing changed" compares.
    struct Setup {
        let setup: SinkSetup
        var spool: TestSpool { setup.spool }

        init() async throws {
            setup = try SinkSetup(model: "plain")
            try setup.spool.writeEvents(files: 1...2, perFile: 6)
            try setup.sink.control(#"{"succeed_first": 1, "fail_status": 401}"#)
            // A long timeout here: on a machine busy with other tests, a retried first batch would find the 401.
            let first = await setup.run(
                setup.options(.ndjson(url: setup.sink.baseURL + "/ingest")) {
                    $0.requestTimeoutSeconds = 60
                })
            #expect(first.code == .misconfiguration && first.summary.events == 4, "\(first.output.warned)")
        }

        func target(_ name: String) -> ImportOptions.Sink {
            name == "clickhouse"
                ? .clickhouse(url: setup.sink.baseURL + "/", table: "clicks")
                : .ndjson(url: setup.sink.baseURL + "/ingest")
        }

        /// `ready/`'s files with their sizes, and the checkpoint's text.
        var state: [String] {
            spool.names(in: "ready").map { name in
                let size = (try? FileManager.default.attributesOfItem(atPath: spool.ready + "/" + name)[.size]) ?? 0
                return "ready/\(name) \(size as? Int ?? -1)"
            } + spool.names(in: "shipped").map { "shipped/" + $0 } + [spool.text(of: "import.checkpoint")]
        }
    }

    @Test(arguments: cases)
    func aSlowAnswerIsATimeoutRetriedAsOne(_ slow: Case) async throws {
        let setup = try await Setup()
        defer { setup.setup.finish() }
        let before = setup.state
        #expect(before.last?.contains("\"offset\":") == true)
        try setup.setup.sink.control(slow.control)
        let started = Date()
        let (code, _, output) = await setup.setup.run(
            setup.setup.options(setup.target(slow.target)) {
                $0.requestTimeoutSeconds = 1
                $0.retries = 1
            })
        let seconds = Date().timeIntervalSince(started)
        #expect(code == .sinkUnavailable)
        // Two attempts of 1 s each, where the drip needs 20 s for one answer and the endless sink never ends; the
        // rest is slack for the whole suite running beside this in-process import (seen: up to 10.7 s).
        #expect(seconds < 15, "the run took \(seconds) s")
        // The whole-answer bound, or (when a starved sink pauses the endless body for over a second) the read
        // timeout between bytes: either way a timeout, retried once.
        #expect(
            output.warned.contains {
                ($0.contains("timeout (no complete answer in 1 s)") || $0.contains("read timeout"))
                    && $0.contains("2 attempts")
            },
            "\(output.warned)")
        #expect(setup.state == before)
    }

    @Test(arguments: cases)
    func maxSecondsEndsTheRunWithinOneTimeoutAfterIt(_ slow: Case) async throws {
        let setup = try await Setup()
        defer { setup.setup.finish() }
        let before = setup.state
        try setup.setup.sink.control(slow.control)
        let started = Date()
        let (code, _, output) = await setup.setup.run(
            setup.setup.options(setup.target(slow.target)) {
                $0.requestTimeoutSeconds = 2
                $0.retries = 100
                $0.maxSeconds = 3
            })
        let seconds = Date().timeIntervalSince(started)
        #expect(code == .sinkUnavailable)
        // --max-seconds + --timeout is 5 s, where 100 retries of a 20 s drip would take over half an hour; the
        // rest is slack for the whole suite running beside this in-process import (seen: up to 9.5 s).
        #expect(seconds < 15, "the run took \(seconds) s")
        #expect(output.warned.contains { $0.contains("--max-seconds") }, "\(output.warned)")
        #expect(setup.state == before)
    }

    /// The issue's command line, shortened: the built `redirectctl` gives up by --max-seconds + --timeout, exits 4
    /// and lets the next run take the lock.
    @Test func theCommandLineRunEndsByMaxSecondsPlusTimeoutAndFreesTheLock() async throws {
        let setup = try await Setup()
        defer { setup.setup.finish() }
        let before = setup.state
        try setup.setup.sink.control(#"{"drip_seconds": 1, "drip_bytes": 100}"#)
        let arguments = [
            "import", "--spool", setup.spool.directory, "--ndjson", setup.setup.sink.baseURL + "/ingest",
            "--timeout", "2", "--retries", "1", "--retry-delay", "0.01", "--max-seconds", "3",
        ]
        let started = Date()
        let run = try await Redirectctl.run(arguments)
        let seconds = Date().timeIntervalSince(started)
        #expect(run.status == ImportExitCode.sinkUnavailable.rawValue, "\(run.stderr)")
        // --max-seconds + --timeout is 5 s; the rest is slack for a machine busy with other tests.
        #expect(seconds < 8, "the run took \(seconds) s")
        #expect(setup.state == before)
        try setup.setup.sink.control("{}")
        let next = try await Redirectctl.run(arguments)
        #expect(next.status == 0, "\(next.stderr)")
        #expect(setup.spool.names(in: "ready").isEmpty)
    }
}
