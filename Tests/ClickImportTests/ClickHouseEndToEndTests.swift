import ClickImport
import ClickSpool
import Foundation
import RedirectCore
import TestSupport
import Testing
import Timestamps

#if canImport(Glibc)
    import Glibc
#endif

/// `redirectctl import --clickhouse` and `redirectctl clickhouse-schema` against Debian's real `clickhouse-server`,
/// one server for the suite, one table per test.
@Suite(.clickHouseServer) struct ClickHouseEndToEndTests {
    struct Setup {
        let server: TestClickHouse
        let spool: TestSpool
        let table: String

        init() throws {
            server = try #require(TestClickHouse.current, "the suite's ClickHouse server is not running")
            spool = try TestSpool()
            table = "clicks_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(12).lowercased()
        }

        /// Creates the table from what `redirectctl clickhouse-schema --clickhouse URL` prints, changed by `edit`.
        @discardableResult
        func createTable(_ edit: (String) -> String = { $0 }) throws -> String {
            let printed = try Redirectctl.runQuickly([
                "clickhouse-schema", "--clickhouse", server.url, "--table", table,
            ])
            #expect(printed.status == 0, "clickhouse-schema failed: \(printed.stderr)")
            try server.query(edit(printed.stdout))
            return printed.stdout
        }

        func options(_ change: (inout ImportOptions) -> Void = { _ in }) -> ImportOptions {
            var options = ImportOptions.forTest(
                spool: spool.directory, sink: .clickhouse(url: server.url, table: table))
            // An INSERT into ClickHouse 18.16 takes a good part of a second on a busy machine.
            options.requestTimeoutSeconds = 30
            options.retries = 2
            change(&options)
            return options
        }

        func run(_ options: ImportOptions) async -> (
            code: ImportExitCode, summary: ImportSummary, output: CapturedOutput
        ) {
            await runImport(options)
        }

        /// Files in `ready/` and `shipped/`, and whether a checkpoint exists: what "nothing moved" compares.
        var spoolState: [String] {
            spool.names(in: "ready").map { "ready/" + $0 } + spool.names(in: "shipped").map { "shipped/" + $0 }
                + (FileManager.default.fileExists(atPath: spool.directory + "/import.checkpoint") ? ["checkpoint"] : [])
        }

        func finish() {
            _ = try? server.query("DROP TABLE IF EXISTS \(table)")
            spool.remove()
        }
    }

    /// A spool line as a responder that records `bot_category` writes it (the key is added when the event type
    /// does not write it yet).
    static func line(_ event: ClickEvent, botCategory: String?) -> [UInt8] {
        var bytes = event.jsonLine()
        guard let botCategory, !String(decoding: bytes, as: UTF8.self).contains("\"bot_category\"") else {
            return bytes
        }
        bytes.removeLast(2)
        bytes += Array(",\"bot_category\":\"\(botCategory)\"}\n".utf8)
        return bytes
    }

    /// Events with milliseconds, sessions, a missing referer, and a bot with its category.
    static func events(file: Int) -> [(event: ClickEvent, botCategory: String?)] {
        (0..<5).map { n in
            var event = TestSpool.event(
                file: file, n: n, session: n == 3 ? nil : "sess-\(n % 2)",
                bot: n == 4 ? "Slackbot" : nil)
            event.time = Timestamp(millisecondsSinceEpoch: event.time.millisecondsSinceEpoch + Int64(100 * n + 37))
            if n == 2 { event.request.referer = nil }
            event.botCategory = n == 4 ? .preview : nil
            if n == 1 {
                event.rule = "phones"
                event.variant = "b"
                event.country = "DE"
                event.device = .android
                event.form = .tablet
            }
            return (event, n == 4 ? "preview" : nil)
        }
    }

    @Test func everyEventArrivesAsOneRowWithItsColumnsAndASecondRunAddsNothing() async throws {
        let setup = try Setup()
        defer { setup.finish() }
        let schema = try setup.createTable()
        var expected: [String: (event: ClickEvent, botCategory: String?)] = [:]
        for file in 1...3 {
            let events = Self.events(file: file)
            try setup.spool.write(
                file: file, events: [], extra: events.flatMap { Self.line($0.event, botCategory: $0.botCategory) })
            for item in events { expected[item.event.id] = item }
        }

        let (code, summary, output) = await setup.run(setup.options())
        #expect(code == .success, "\(output.warned)")
        #expect(output.warned.isEmpty)
        #expect(summary.events == 15 && summary.files == 3)
        #expect(setup.spool.names(in: "shipped").count == 3)

        let server = setup.server
        #expect(try server.count("SELECT count() FROM \(setup.table)") == 15)
        let dateTime64 = schema.contains("DateTime64(")
        let rows = try server.rows(
            """
            SELECT id, toString(time) AS time_text, \(dateTime64 ? "" : "time_ms, ")outcome, redirect, session,
                   session_status, source, type, properties, visitParamExtractString(properties, 'campaign') AS campaign,
                   target, status, request_method, request_ip, request_user_agent, request_referer, request_accept_language,
                   request_host, request_query, bot, bot_category, rule, variant, country, device, form, v
            FROM \(setup.table) FINAL ORDER BY id
            """)
        #expect(Set(rows.compactMap { $0["id"] as? String }) == Set(expected.keys))
        #expect(rows.count == 15)
        for row in rows {
            let id = try #require(row["id"] as? String)
            let (event, category) = try #require(expected[id])
            let c = event.time.civil
            let seconds = String(
                format: "%04d-%02d-%02d %02d:%02d:%02d", c.year, c.month, c.day, c.hour, c.minute, c.second)
            if dateTime64 {
                #expect(row["time_text"] as? String == seconds + String(format: ".%03d", c.millisecond))
            } else {
                #expect(row["time_text"] as? String == seconds)
                #expect((row["time_ms"] as? NSNumber)?.intValue == c.millisecond)
            }
            #expect(row["outcome"] as? String == "redirected")
            #expect(row["redirect"] as? String == event.redirect)
            #expect(row["session"] as? String == event.session)
            #expect(row["session"] is NSNull == (event.session == nil))
            #expect(row["session_status"] as? String == event.sessionStatus.rawValue)
            #expect(row["source"] as? String == event.source)
            #expect(row["type"] as? String == event.type)
            let properties = try JSONSerialization.jsonObject(
                with: Data(try #require(row["properties"] as? String).utf8))
            #expect(
                properties as? NSDictionary == ["campaign": "spring", "n": Int(id.suffix(2)) ?? -1] as NSDictionary)
            #expect(row["campaign"] as? String == "spring")
            #expect(row["target"] as? String == event.target)
            #expect((row["status"] as? NSNumber)?.intValue == 302)
            #expect(row["request_method"] as? String == "GET")
            #expect(row["request_ip"] as? String == event.request.ip)
            #expect(row["request_user_agent"] as? String == event.request.userAgent)
            #expect(row["request_referer"] as? String == event.request.referer)
            #expect(row["request_referer"] is NSNull == (event.request.referer == nil))
            #expect(row["request_accept_language"] as? String == "de-DE")
            #expect(row["request_host"] as? String == "go.example.com")
            #expect(row["request_query"] as? String == "utm_source=mail")
            #expect(row["bot"] as? String == event.bot)
            #expect(row["bot_category"] as? String == category)
            #expect(row["bot_category"] is NSNull == (category == nil))
            let chosen: [(String, String?)] = [
                ("rule", event.rule), ("variant", event.variant), ("country", event.country),
                ("device", event.device?.rawValue), ("form", event.form?.rawValue),
            ]
            for (column, value) in chosen {
                #expect(row[column] as? String == value, "\(column)")
                #expect(row[column] is NSNull == (value == nil), "\(column)")
            }
            #expect((row["v"] as? NSNumber)?.intValue == 1)
        }

        let again = await setup.run(setup.options())
        #expect(again.code == .success)
        #expect(again.summary.events == 0)
        #expect(try server.count("SELECT count() FROM \(setup.table)") == 15)
    }

    @Test func anImporterKilledMidRunAndRunAgainLeavesNoDuplicateUnderFinal() async throws {
        let setup = try Setup()
        defer { setup.finish() }
        try setup.createTable()
        let files = 8
        let perFile = 300
        try setup.spool.writeEvents(files: 1...files, perFile: perFile)
        let total = files * perFile
        let server = setup.server
        let arguments = [
            "import", "--spool", setup.spool.directory, "--clickhouse", server.url, "--table", setup.table,
            "--batch-size", "20", "--quiet",
        ]
        var killedMidRun = 0
        var before = 0
        for _ in 0..<3 {
            let process = try Redirectctl.start(arguments)
            // Kill as soon as the run has inserted something new: a batch or more is in, more are on their way.
            let limit = Date().addingTimeInterval(60)
            while process.isRunning && Date() < limit {
                if try server.count("SELECT count() FROM \(setup.table)") > before { break }
                usleep(5_000)
            }
            if process.isRunning {
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
                let now = try server.count("SELECT count() FROM \(setup.table)")
                if now < total { killedMidRun += 1 }
                before = now
            } else {
                process.waitUntilExit()
                break
            }
        }
        #expect(killedMidRun >= 1, "no run was killed before it had shipped everything")

        let last = try await Redirectctl.run(arguments)
        #expect(last.status == 0, "\(last.stderr)")
        #expect(setup.spool.names(in: "ready").isEmpty)
        #expect(try server.count("SELECT count() FROM \(setup.table) FINAL") == total)
        #expect(try server.count("SELECT uniqExact(id) FROM \(setup.table)") == total)
        #expect(
            try server.count(
                """
                SELECT count() FROM (SELECT id, count() AS n FROM \(setup.table) FINAL GROUP BY id HAVING n > 1)
                """) == 0)
        let expectedIDs = Set((1...files).flatMap { file in (0..<perFile).map { TestSpool.id(file, $0) } })
        let ids = try server.query("SELECT id FROM \(setup.table) FINAL").split(separator: "\n").map(String.init)
        #expect(Set(ids) == expectedIDs)
        // A whole file sent once more (as a lost checkpoint would): its rows may be there twice until the background
        // merge gets to them, never under FINAL, and not after a merge.
        let shipped = try #require(setup.spool.names(in: "shipped").first)
        try FileManager.default.copyItem(
            atPath: setup.spool.directory + "/shipped/" + shipped,
            toPath: setup.spool.ready + "/20261130T000000.jsonl")
        #expect(try await Redirectctl.run(arguments).status == 0)
        #expect(try server.count("SELECT count() FROM \(setup.table) FINAL") == total)
        try server.query("OPTIMIZE TABLE \(setup.table) FINAL")
        #expect(try server.count("SELECT count() FROM \(setup.table)") == total)
    }

    @Test func clickHouseDownExitsWith4AndMovesNothing() async throws {
        let setup = try Setup()
        defer { setup.finish() }
        try setup.spool.write(file: 1, events: (0..<5).map { TestSpool.event(file: 1, n: $0) })
        let before = setup.spoolState
        let down = "http://127.0.0.1:\(try TestClickHouse.freePort())/"
        let result = try await Redirectctl.run([
            "import", "--spool", setup.spool.directory, "--clickhouse", down,
            "--table", setup.table, "--retries", "1", "--retry-delay", "0.01",
            "--connect-timeout", "1",
        ])
        #expect(result.status == 4)
        #expect(result.stderr.contains("sink unavailable: \(down)"), "\(result.stderr)")
        #expect(setup.spoolState == before)
        #expect(before == ["ready/" + TestSpool.fileName(1)])
    }

    @Test func aTableMissingAColumnStopsTheRunNamingIt() async throws {
        let setup = try Setup()
        defer { setup.finish() }
        try setup.spool.write(
            file: 1, events: [],
            extra: Self.events(file: 1).flatMap {
                Self.line($0.event, botCategory: $0.botCategory)
            })
        let before = setup.spoolState

        // No table at all.
        let missing = await setup.run(setup.options())
        #expect(missing.code == .misconfiguration)
        #expect(
            missing.output.warned.contains { $0.contains("table \(setup.table) does not exist") },
            "\(missing.output.warned)")

        // A table made before bot_category was recorded.
        try setup.createTable()
        try setup.server.query("ALTER TABLE \(setup.table) DROP COLUMN bot_category")
        let (code, _, output) = await setup.run(setup.options())
        #expect(code == .misconfiguration)
        let message = try #require(output.warned.first { $0.contains("has no column") })
        #expect(message.contains("table \(setup.table) has no column bot_category,"), "\(message)")
        #expect(message.contains("ALTER TABLE \(setup.table) ADD COLUMN bot_category "), "\(message)")
        #expect(setup.spoolState == before)
        #expect(try setup.server.count("SELECT count() FROM \(setup.table)") == 0)

        // The statement the message gives repairs the table.
        let start = try #require(message.range(of: "ALTER TABLE")).lowerBound
        let alter = String(message[start...])
        try setup.server.query(alter)
        let repaired = await setup.run(setup.options())
        #expect(repaired.code == .success, "\(repaired.output.warned)")
        #expect(try setup.server.count("SELECT count() FROM \(setup.table) WHERE bot_category = 'preview'") == 1)
    }

    /// A table `clickhouse-schema` printed before the event had `rule`, `variant`, `country`, `device` and `form`:
    /// the run stops with the `ALTER TABLE` that adds all five, which the server (18.16 here) takes, and then old
    /// lines without the keys and new lines with them ship.
    @Test func aTableFromBeforeTheRuleFieldsGetsTheAlterThatAddsThem() async throws {
        let setup = try Setup()
        defer { setup.finish() }
        let new = ["rule", "variant", "country", "device", "form"]
        try setup.createTable { schema in
            schema.split(separator: "\n", omittingEmptySubsequences: false).filter { line in
                !new.contains { line.hasPrefix("    \($0) ") }
            }.joined(separator: "\n")
        }
        var chosen = TestSpool.event(file: 1, n: 0)
        chosen.rule = "phones"
        chosen.variant = "b"
        chosen.country = "DE"
        chosen.device = .ios
        chosen.form = .mobile
        // An old responder's line: no key for any of the five.
        var old = String(decoding: TestSpool.event(file: 1, n: 1).jsonLine(), as: UTF8.self)
        old = old.replacingOccurrences(
            of: #""rule":null,"variant":null,"country":null,"device":null,"form":null,"#, with: "")
        #expect(!old.contains("\"rule\""))
        try setup.spool.write(file: 1, events: [chosen], extra: Array(old.utf8))
        let before = setup.spoolState

        let (code, _, output) = await setup.run(setup.options())
        #expect(code == .misconfiguration)
        let message = try #require(output.warned.first { $0.contains("has no column") }, "\(output.warned)")
        #expect(
            message.contains("table \(setup.table) has no columns rule, variant, country, device, form,"), "\(message)")
        #expect(message.contains("ALTER TABLE \(setup.table) ADD COLUMN rule "), "\(message)")
        #expect(setup.spoolState == before)

        let start = try #require(message.range(of: "ALTER TABLE")).lowerBound
        try setup.server.query(String(message[start...]))
        let repaired = await setup.run(setup.options())
        #expect(repaired.code == .success, "\(repaired.output.warned)")
        let rows = try setup.server.rows(
            "SELECT id, rule, variant, country, device, form FROM \(setup.table) FINAL ORDER BY id")
        #expect(rows.count == 2)
        let first = try #require(rows.first)
        #expect(first["id"] as? String == chosen.id)
        #expect(first["rule"] as? String == "phones" && first["variant"] as? String == "b")
        #expect(first["country"] as? String == "DE" && first["device"] as? String == "ios")
        #expect(first["form"] as? String == "mobile")
        let second = try #require(rows.last)
        for column in new { #expect(second[column] is NSNull, "\(column)") }
    }

    /// An open pixel's event (outcome `opened`) and a scanned click's `via` arrive in their columns.
    @Test func opensAndScansArriveWithTheirOutcomeAndVia() async throws {
        let setup = try Setup()
        defer { setup.finish() }
        try setup.createTable()
        var open = TestSpool.event(file: 1, n: 0, outcome: .opened)
        open.target = nil
        open.status = 200
        open.type = "email-open"
        var scan = TestSpool.event(file: 1, n: 1)
        scan.via = .qr
        try setup.spool.write(file: 1, events: [open, scan])
        let (code, _, output) = await setup.run(setup.options())
        #expect(code == .success, "\(output.warned)")
        let rows = try setup.server.rows("SELECT id, outcome, via, type FROM \(setup.table) FINAL ORDER BY id")
        #expect(rows.count == 2)
        #expect(rows.first?["id"] as? String == open.id)
        #expect(rows.first?["outcome"] as? String == "opened")
        #expect(rows.first?["type"] as? String == "email-open")
        #expect(rows.first?["via"] is NSNull)
        #expect(rows.last?["outcome"] as? String == "redirected")
        #expect(rows.last?["via"] as? String == "qr")
    }

    @Test func rowsClickHouseRefusesAreSetAsideWithItsErrorAndNoRetries() async throws {
        let setup = try Setup()
        defer { setup.finish() }
        // A hand-made table whose session column cannot hold NULL: the preflight passes, the insert fails.
        try setup.createTable { schema in
            schema.split(separator: "\n", omittingEmptySubsequences: false).map { line in
                line.hasPrefix("    session ") ? "    session String," : String(line)
            }.joined(separator: "\n")
        }
        let events = (0..<4).map { TestSpool.event(file: 1, n: $0, session: $0 == 1 ? nil : "sess-\($0)") }
        try setup.spool.write(file: 1, events: events)
        let started = Date()
        let (code, summary, output) = await setup.run(
            setup.options {
                $0.retries = 5
                $0.retryDelaySeconds = 5
                $0.maximumRetryDelaySeconds = 30
            })
        // Five retries would wait at least 5 + 10 + 20 + 30 + 30 s.
        #expect(Date().timeIntervalSince(started) < 30, "a refused batch was retried: \(output.warned)")
        #expect(code == .success, "\(output.warned)")
        #expect(summary.events == 3 && summary.rejected == 1)
        let message = output.warned.joined(separator: "\n")
        #expect(message.contains("rejected 1 event of \(TestSpool.fileName(1))"), "\(message)")
        #expect(message.contains("DB::Exception"), "\(message)")
        let rejected = setup.spool.names(in: "rejected").map { setup.spool.text(of: "rejected/" + $0) }.joined()
        #expect(rejected.contains(events[1].id))
        #expect(rejected.contains("DB::Exception"))
        #expect(try setup.server.count("SELECT count() FROM \(setup.table)") == 3)
        #expect(try setup.server.count("SELECT count() FROM \(setup.table) WHERE id = '\(events[1].id)'") == 0)
    }
}

/// The built `redirectctl`, run as a user runs it.
enum Redirectctl {
    static let path = BuiltProducts.path(of: "redirectctl")

    static func start(_ arguments: [String]) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try process.run()
        return process
    }

    /// Runs a command that ends at once (`clickhouse-schema`, `status`), blocking the calling thread meanwhile.
    static func runQuickly(_ arguments: [String]) throws -> ProcessRun {
        try ProcessRun.run(path, arguments)
    }

    /// What a run printed and how it ended.
    struct Run {
        var status: Int32
        var stdout: String
        var stderr: String
        /// Killed at the time limit (a run blocked on a FIFO, or a sink, would never end).
        var timedOut: Bool
    }

    /// Runs the built `redirectctl` to its end, or kills it after `seconds`. Waits with `Task.sleep`, not by
    /// blocking a thread: the tests share two cooperative threads with in-process imports whose timers must run.
    static func run(_ arguments: [String], seconds: Double = 60) async throws -> Run {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "redirectctl-" + UUID().uuidString)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let out = directory.appendingPathComponent("out")
        let err = directory.appendingPathComponent("err")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(seconds)
        var timedOut = false
        while process.isRunning {
            if Date() > deadline {
                timedOut = true
                kill(process.processIdentifier, SIGKILL)
                break
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        process.waitUntilExit()
        return Run(
            status: process.terminationStatus, stdout: (try? String(contentsOf: out, encoding: .utf8)) ?? "",
            stderr: (try? String(contentsOf: err, encoding: .utf8)) ?? "", timedOut: timedOut)
    }
}
