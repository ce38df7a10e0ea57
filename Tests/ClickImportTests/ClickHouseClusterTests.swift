import Foundation
import TestSupport
import Testing

/// `redirectctl clickhouse-schema --cluster` and `redirectctl import --clickhouse` against two real
/// `clickhouse-server` 18.16 processes, the two shards of cluster `fleet` (no keeper), one table per test.
/// Serialized: a test stops a shard for a while. Synchronous: each runs `redirectctl` as a user does, to its end.
@Suite(.clickHouseCluster, .serialized) struct ClickHouseClusterTests {
    struct Setup {
        let servers: [TestClickHouse]
        let spool: TestSpool
        let table: String

        init() throws {
            servers = TestClickHouse.currentCluster
            try #require(servers.count == 2, "the suite's ClickHouse cluster is not running")
            spool = try TestSpool()
            table = "clicks_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(12).lowercased()
        }

        var urls: [String] { servers.map(\.url) }

        func redirectctl(_ arguments: [String]) throws -> ProcessRun {
            try Redirectctl.runQuickly(arguments)
        }

        /// `clickhouse-schema --cluster fleet --apply` on both servers.
        @discardableResult
        func apply() throws -> ProcessRun {
            let run = try redirectctl(["clickhouse-schema", "--cluster", "fleet", "--table", table, "--apply"] + urls)
            #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
            return run
        }

        /// An import through the first server, quick to give up on a shard that is down.
        func importRun() throws -> ProcessRun {
            try redirectctl([
                "import", "--spool", spool.directory, "--clickhouse", servers[0].url, "--table", table,
                "--batch-size", "200", "--retries", "1", "--retry-delay", "0.1", "--timeout", "30", "--quiet",
            ])
        }

        func count(_ sql: String) throws -> Int {
            try servers[0].count(sql)
        }

        func finish() {
            for server in servers {
                _ = try? server.query("DROP TABLE IF EXISTS \(table)")
                _ = try? server.query("DROP TABLE IF EXISTS \(table)_local")
            }
            spool.remove()
        }
    }

    @Test func applyCreatesBothTablesOnEachServerOnceAndEventsSentTwiceCountOnceUnderFinal() throws {
        let setup = try Setup()
        defer { setup.finish() }
        let first = try setup.apply()
        let lines = first.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 2)
        for (line, url) in zip(lines, setup.urls) {
            #expect(line.hasPrefix(url + " (ClickHouse 18.16"), "\(line)")
            #expect(line.hasSuffix(": created \(setup.table)_local, \(setup.table)"), "\(line)")
        }
        let again = try setup.apply()
        for line in again.stdout.split(separator: "\n") {
            #expect(line.hasSuffix(": already there: \(setup.table)_local, \(setup.table)"), "\(line)")
        }
        for server in setup.servers {
            let engine = try server.query(
                "SELECT engine_full FROM system.tables WHERE database = 'default' AND name = '\(setup.table)'")
            #expect(engine.hasPrefix("Distributed(fleet, "), "\(engine)")
            #expect(engine.contains("default"), "\(engine)")
            #expect(engine.contains(", \(setup.table)_local, cityHash64(id))"), "\(engine)")
        }

        // 1,000 events through the Distributed table, then the same 1,000 again (as after a lost checkpoint).
        let ids = try setup.spool.writeEvents(files: 1...4, perFile: 250)
        let run = try setup.importRun()
        #expect(run.status == 0, "\(run.stderr)")
        for name in setup.spool.names(in: "shipped") {
            try FileManager.default.copyItem(
                atPath: setup.spool.directory + "/shipped/" + name, toPath: setup.spool.ready + "/" + name)
        }
        try FileManager.default.removeItem(atPath: setup.spool.directory + "/import.checkpoint")
        let rerun = try setup.importRun()
        #expect(rerun.status == 0, "\(rerun.stderr)")

        #expect(try setup.count("SELECT count() FROM \(setup.table) FINAL") == 1000)
        #expect(try setup.count("SELECT uniqExact(id) FROM \(setup.table)") == 1000)
        // Each shard holds its share, each event on one shard only.
        let shares = try setup.servers.map { try $0.count("SELECT count() FROM \(setup.table)_local FINAL") }
        #expect(shares.allSatisfy { $0 > 300 }, "\(shares)")
        #expect(shares.reduce(0, +) == 1000)
        let found = try setup.servers[1].query("SELECT id FROM \(setup.table) FINAL").split(separator: "\n")
        #expect(Set(found.map(String.init)) == Set(ids))
    }

    @Test func aShardThatIsDownFailsTheRunAndARunAfterItsRestartShipsEveryEventOnce() throws {
        let setup = try Setup()
        defer { setup.finish() }
        try setup.apply()
        try setup.spool.writeEvents(files: 1...3, perFile: 200)
        setup.servers[1].halt()
        let down = try setup.importRun()
        let restarted = Result { try setup.servers[1].start() }
        #expect(down.status == 4, "\(down.stderr)")
        #expect(down.stderr.contains("sink unavailable"), "\(down.stderr)")
        #expect(setup.spool.names(in: "ready").contains(TestSpool.fileName(1)))
        try restarted.get()

        let after = try setup.importRun()
        #expect(after.status == 0, "\(after.stderr)")
        #expect(setup.spool.names(in: "ready").isEmpty)
        #expect(try setup.count("SELECT count() FROM \(setup.table) FINAL") == 600)
        #expect(try setup.count("SELECT uniqExact(id) FROM \(setup.table)") == 600)
    }

    @Test func aMissingColumnIsAddedToEveryShardsLocalTableAndTheDistributedTable() throws {
        let setup = try Setup()
        defer { setup.finish() }
        try setup.apply()
        for server in setup.servers {
            try server.query("ALTER TABLE \(setup.table) DROP COLUMN bot_category")
            try server.query("ALTER TABLE \(setup.table)_local DROP COLUMN bot_category")
        }
        try setup.spool.writeEvents(files: 1...1, perFile: 20)
        let refused = try setup.importRun()
        #expect(refused.status == 5)
        let message = refused.stderr
        #expect(
            message.contains(
                "add it on every server of cluster fleet, to the local table \(setup.table)_local and then to "
                    + "\(setup.table): "), "\(message)")
        let start = try #require(message.range(of: "ALTER TABLE")).lowerBound
        let statements = message[start...].split(separator: "\n")[0].split(separator: ";").map {
            $0.trimmingCharacters(in: .whitespaces)
        }
        #expect(statements.count == 2)
        #expect(statements.first?.hasPrefix("ALTER TABLE \(setup.table)_local ADD COLUMN bot_category ") == true)
        #expect(statements.last?.hasPrefix("ALTER TABLE \(setup.table) ADD COLUMN bot_category ") == true)
        for server in setup.servers {
            for statement in statements { try server.query(statement) }
        }
        let repaired = try setup.importRun()
        #expect(repaired.status == 0, "\(repaired.stderr)")
        #expect(try setup.count("SELECT count() FROM \(setup.table) FINAL") == 20)
    }

    @Test func thePrintedStatementsWorkOnEachServerAndOnClusterIsRefusedWithoutAKeeper() throws {
        let setup = try Setup()
        defer { setup.finish() }
        let printed = try setup.redirectctl([
            "clickhouse-schema", "--cluster", "fleet", "--table", setup.table, "--clickhouse", setup.urls[0],
        ])
        #expect(printed.status == 0, "\(printed.stderr)")
        #expect(printed.stdout.contains("run these on every server of the cluster"))
        #expect(printed.stdout.contains("CREATE TABLE IF NOT EXISTS \(setup.table)_local\n"))
        #expect(
            printed.stdout.contains(
                "CREATE TABLE IF NOT EXISTS \(setup.table) AS \(setup.table)_local\n"
                    + "ENGINE = Distributed(fleet, 'default', \(setup.table)_local, cityHash64(id));"))
        let file = setup.spool.root + "/schema.sql"
        try printed.stdout.write(toFile: file, atomically: true, encoding: .utf8)
        for server in setup.servers {
            let run = try ProcessRun.run(
                "/usr/bin/clickhouse-client",
                ["--host", "127.0.0.1", "--port", String(server.ports.tcp), "--multiquery"],
                input: URL(fileURLWithPath: file))
            #expect(run.status == 0, "\(run.stderr)")
        }
        try setup.spool.writeEvents(files: 1...1, perFile: 10)
        #expect(try setup.importRun().status == 0)
        #expect(try setup.count("SELECT count() FROM \(setup.table) FINAL") == 10)

        let onCluster = try setup.redirectctl([
            "clickhouse-schema", "--cluster", "fleet", "--table", setup.table + "_x", "--on-cluster",
        ])
        #expect(onCluster.stdout.contains("CREATE TABLE IF NOT EXISTS \(setup.table)_x_local ON CLUSTER fleet\n"))
        #expect(onCluster.stdout.contains("CREATE TABLE IF NOT EXISTS \(setup.table)_x ON CLUSTER fleet AS "))
        let refused = try setup.redirectctl([
            "clickhouse-schema", "--cluster", "fleet", "--table", setup.table + "_x", "--on-cluster", "--apply",
            setup.urls[0],
        ])
        #expect(refused.status == 1)
        #expect(refused.stdout.contains("DDL background thread is not initialized"), "\(refused.stdout)")

        let unknown = try setup.redirectctl(
            [
                "clickhouse-schema", "--cluster", "elsewhere", "--table", setup.table + "_y", "--apply",
            ] + setup.urls)
        #expect(unknown.status == 1)
        #expect(unknown.stdout.contains("FAILED: cluster elsewhere is not in this server's remote_servers"))
        #expect(try setup.count("EXISTS TABLE \(setup.table)_y_local") == 0)
    }
}
