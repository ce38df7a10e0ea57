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
            """)

    @Option(help: "Table name, or database.table.")
    var table = "clicks"

    @Option(help: ArgumentHelp("ClickHouse HTTP endpoint to ask for its version.", valueName: "url"))
    var clickhouse: String?

    @Option(help: ArgumentHelp("Months to keep rows (TTL); 0 keeps them for ever.", valueName: "n"))
    var retentionMonths = 13

    @Option(
        name: .customLong("header"),
        help: ArgumentHelp(
            "A request header, e.g. \"X-ClickHouse-User: ingest\". Repeatable. Env: REDIRECTCTL_IMPORT_HEADERS.",
            valueName: "name: value"))
    var headers: [String] = []

    /// `--header` flags, then `REDIRECTCTL_IMPORT_HEADERS`, as `redirectctl import` reads them.
    private var headerFields: (headers: [HTTPHeaderField], invalid: [String]) {
        var environment: [String: String] = [:]
        for name in ["REDIRECTCTL_IMPORT_HEADERS", "REDIRECTCTL_IMPORT_TOKEN"] {
            if let value = CommandEnvironment.value(name) { environment[name] = value }
        }
        return HTTPHeaderField.collect(flags: headers, environment: environment)
    }

    func validate() throws {
        guard ClickHouseSchema.isValidTableName(table) else {
            throw ValidationError("--table \(table): a table name is letters, digits and _, optionally database.table")
        }
        guard retentionMonths >= 0 else { throw ValidationError("--retention-months cannot be negative") }
        if let bad = headerFields.invalid.first {
            throw ValidationError("not a header (expected \"Name: value\"): \(bad)")
        }
    }

    func run() async throws {
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
        let schema = ClickHouseSchema(
            table: table, version: version,
            retentionMonths: retentionMonths == 0 ? nil : retentionMonths)
        let fitted =
            version.map { "-- For ClickHouse \($0) (SELECT version())." }
            ?? "-- For ClickHouse 20.1 and later; pass --clickhouse URL to fit it to an older server."
        print(fitted)
        print(schema.createTable, terminator: "")
    }
}
