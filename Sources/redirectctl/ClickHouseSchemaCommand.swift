import ArgumentParser
import ClickImport

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

    @Option(name: .customLong("header"), help: ArgumentHelp("A request header, e.g. \"Authorization: Basic …\". Repeatable.",
                                                            valueName: "name: value"))
    var headers: [String] = []

    func validate() throws {
        guard ClickHouseSchema.isValidTableName(table) else {
            throw ValidationError("--table \(table): a table name is letters, digits and _, optionally database.table")
        }
        guard retentionMonths >= 0 else { throw ValidationError("--retention-months cannot be negative") }
        if let bad = HTTPHeaderField.collect(flags: headers, environment: [:]).invalid.first {
            throw ValidationError("not a header (expected \"Name: value\"): \(bad)")
        }
    }

    func run() async throws {
        var version: ClickHouseVersion?
        if let clickhouse {
            do {
                let fields = HTTPHeaderField.collect(flags: headers, environment: [:]).headers
                version = try await ClickHouseSchema.serverVersion(url: clickhouse, headers: fields)
            } catch {
                CommandEnvironment.printError("redirectctl clickhouse-schema: \(error)")
                throw ExitCode(error.exitCode.rawValue)
            }
        }
        let schema = ClickHouseSchema(table: table, version: version,
                                      retentionMonths: retentionMonths == 0 ? nil : retentionMonths)
        let fitted = version.map { "-- For ClickHouse \($0) (SELECT version())." }
            ?? "-- For ClickHouse 20.1 and later; pass --clickhouse URL to fit it to an older server."
        print(fitted)
        print(schema.createTable, terminator: "")
    }
}
