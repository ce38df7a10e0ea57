import ArgumentParser
import ClickImport
import RedirectCore
import SystemIO

/// `redirectctl clickhouse-schema`: the `CREATE TABLE` for `redirectctl import --clickhouse`, fitted to a server.
struct ClickHouseSchemaCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clickhouse-schema",
        abstract: "Print the CREATE TABLE that redirectctl import --clickhouse writes to.",
        discussion: """
            With --clickhouse, asks the server for its version (SELECT version()) and fits the table to it: \
            DateTime64(3) and LowCardinality from 20.1, a TTL from 19.6; older servers (Debian 12's 18.16) get \
            DateTime plus a time_ms column, and a comment on dropping old months by partition instead of a TTL. \
            Without it, prints the variant for current releases. Pipe it to the server, e.g. \
            `redirectctl clickhouse-schema --clickhouse URL | curl --data-binary @- URL`.

            With --cluster NAME, prints the tables of a sharded cluster instead: a ReplacingMergeTree \
            <table>_local on every server and a Distributed table named --table over them, sharded by \
            cityHash64(id), so an event sent twice lands on the same shard and collapses there under FINAL. \
            Without ZooKeeper or ClickHouse Keeper, ClickHouse refuses ON CLUSTER ("DDL background thread is not \
            initialized"), so the statements are for running on every server (clickhouse-client --multiquery); \
            --apply URL [URL ...] runs them on each server itself over HTTP and prints what it did on each \
            (created, already there, or why not). With a keeper, --on-cluster prints them ON CLUSTER NAME, to run \
            once.
            """)

    @Option(help: "Table name, or database.table.")
    var table = "clicks"

    @Option(help: ArgumentHelp("ClickHouse HTTP endpoint to ask for its version.", valueName: "url"))
    var clickhouse: String?

    @Option(help: ArgumentHelp("Months to keep rows (TTL); 0 keeps them for ever.", valueName: "n"))
    var retentionMonths = 13

    @Option(
        help: ArgumentHelp("The cluster's name in remote_servers: print a sharded table over it.", valueName: "name"))
    var cluster: String?

    @Option(
        parsing: .upToNextOption,
        help: ArgumentHelp(
            "With --cluster: create the tables on each of these servers (HTTP endpoints) instead of printing them.",
            valueName: "url"))
    var apply: [String] = []

    @Flag(help: "With --cluster: the statements ON CLUSTER, for a cluster with ZooKeeper or ClickHouse Keeper.")
    var onCluster = false

    @Option(
        name: .customLong("header"),
        help: ArgumentHelp(
            "A request header, e.g. \"X-ClickHouse-User: ingest\". Repeatable. Env: REDIRECTCTL_IMPORT_HEADERS.",
            valueName: "name: value"))
    var headers: [String] = []

    /// `--header` flags, then `REDIRECTCTL_IMPORT_HEADERS`, as `redirectctl import` reads them.
    private var headerFields: (headers: [HTTPHeaderField], invalid: [String]) {
        CommandEnvironment.headerFields(flags: headers)
    }

    func validate() throws {
        guard ClickHouseSchema.isValidTableName(table) else {
            throw ValidationError("--table \(table): a table name is letters, digits and _, optionally database.table")
        }
        guard retentionMonths >= 0 else { throw ValidationError("--retention-months cannot be negative") }
        if let cluster, !ClickHouseCluster.isValidName(cluster) {
            throw ValidationError("--cluster \(cluster): a cluster name is letters, digits and _")
        }
        if cluster == nil && (!apply.isEmpty || onCluster) {
            throw ValidationError("--apply and --on-cluster go with --cluster NAME")
        }
        if !apply.isEmpty && clickhouse != nil {
            throw ValidationError("--apply asks each server for its version itself: leave out --clickhouse")
        }
        if let bad = headerFields.invalid.first {
            throw ValidationError("not a header (expected \"Name: value\"): \(bad)")
        }
    }

    func run() async throws {
        let months = retentionMonths == 0 ? nil : retentionMonths
        if let cluster, !apply.isEmpty {
            let outcomes = await ClickHouseCluster.apply(
                cluster: cluster, table: table, retentionMonths: months, onCluster: onCluster, urls: apply,
                headers: headerFields.headers)
            for outcome in outcomes { print(outcome.line.escapingControlCharacters) }
            let failed = outcomes.filter { $0.problem != nil }.count
            if failed > 0 {
                StandardError.log(
                    "redirectctl clickhouse-schema: \(failed) of \(outcomes.count) servers not set up; "
                        + "fix what they say and apply again (tables already there are left as they are)")
                throw ExitCode.failure
            }
            return
        }
        var version: ClickHouseVersion?
        if let clickhouse {
            do {
                version = try await ClickHouseSchema.serverVersion(url: clickhouse, headers: headerFields.headers)
            } catch {
                var message = error.description
                if case .sink(.unavailable(let url, _, let problem)) = error {
                    message =
                        "cannot ask \(url) for its version: \(problem); run this again when the server answers, "
                        + "or leave out --clickhouse for the table of current releases"
                }
                StandardError.log(("redirectctl clickhouse-schema: " + message).escapingControlCharacters)
                throw ExitCode(error.exitCode.rawValue)
            }
        }
        let schema = ClickHouseSchema(table: table, version: version, retentionMonths: months)
        let fitted =
            version.map { "-- For ClickHouse \($0) (SELECT version())." }
            ?? "-- For ClickHouse 20.1 and later; pass --clickhouse URL to fit it to an older server."
        print(fitted)
        if let cluster {
            print(
                ClickHouseCluster(name: cluster, schema: schema).script(database: nil, onCluster: onCluster),
                terminator: "")
        } else {
            print(schema.createTable, terminator: "")
        }
    }
}
