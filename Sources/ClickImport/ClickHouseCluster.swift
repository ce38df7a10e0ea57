/// The click table of a ClickHouse cluster: a `ReplacingMergeTree` named `<table>_local` on every server, and a
/// `Distributed` table named as the importer's table over them, sharded by `cityHash64(id)`.
///
/// The sharding key is the event id alone, so an event sent again (a batch resent after a crash, or after a shard
/// was down) lands on the shard that already holds it, and collapses there like on one server: `FINAL` over the
/// `Distributed` table never counts it twice. The importer needs no change beyond writing synchronously
/// (`insert_distributed_sync`): a shard that is down fails the batch, which stays in `ready/` for the next run,
/// where an asynchronous insert would have queued it on the node the importer talks to.
public struct ClickHouseCluster: Sendable, Equatable {
    /// The cluster's name in every server's `remote_servers`.
    public var name: String
    /// The columns and engine settings; its `table` is the `Distributed` table the importer writes to.
    public var schema: ClickHouseSchema

    public init(name: String, schema: ClickHouseSchema) {
        self.name = name
        self.schema = schema
    }

    /// The database named in the table (`web.clicks`), nil for a bare name.
    public var database: String? {
        let parts = schema.table.split(separator: ".")
        return parts.count == 2 ? String(parts[0]) : nil
    }

    /// Each server's own table: `clicks_local`, or `web.clicks_local` for `web.clicks`.
    public var localTable: String { Self.localTable(of: schema.table) }

    /// The local table that belongs to a `Distributed` table of this layout.
    public static func localTable(of table: String) -> String { table + "_local" }

    /// The two statements, local table first: run on every server (or once, `ON CLUSTER`, with a keeper).
    ///
    /// `database`: where the `Distributed` table finds the local tables on each shard when the table name names
    /// none; a name rather than `currentDatabase()`, which a server evaluates again when it loads the table at
    /// start, in its default database.
    public func statements(database fallback: String, onCluster: Bool) -> [String] {
        let cluster = onCluster ? name : nil
        let database = self.database ?? fallback
        let local = schema.createTable(named: localTable, onCluster: cluster)
        let bareLocal = localTable.split(separator: ".").last.map(String.init) ?? localTable
        let distributed = [
            "CREATE TABLE IF NOT EXISTS \(schema.table)" + (cluster.map { " ON CLUSTER \($0)" } ?? "")
                + " AS \(localTable)",
            "ENGINE = Distributed(\(name), '\(database)', \(bareLocal), cityHash64(id))",
        ].joined(separator: "\n")
        return [local, distributed + "\n"]
    }

    /// The statements as `clickhouse-schema --cluster` prints them: what to run where, then each ending in `;`,
    /// so `clickhouse-client --multiquery` takes the whole text.
    /// `database`: the server's current database when known (nil: `default`).
    public func script(database: String?, onCluster: Bool) -> String {
        var lines: [String]
        if onCluster {
            lines = [
                "-- Cluster \(name): run once, on any server; ON CLUSTER needs ZooKeeper or ClickHouse Keeper in",
                "-- every server's configuration (without one, 18.16 answers \"DDL background thread is not initialized\").",
            ]
        } else {
            lines = [
                "-- Cluster \(name): run these on every server of the cluster (each one's remote_servers names it):",
                "--   clickhouse-client --multiquery < this-file, or redirectctl clickhouse-schema --cluster \(name)",
                "--   --apply URL [URL ...], which runs them over HTTP on each server. Without ZooKeeper or ClickHouse",
                "--   Keeper, ON CLUSTER is refused (\"DDL background thread is not initialized\"); with one,",
                "--   --on-cluster prints them to run once.",
            ]
        }
        if self.database == nil {
            lines.append(
                "-- The Distributed table reads \(localTable) in database \(databaseName(database)); name another")
            lines.append("-- with --table database.table.")
        }
        let statements = self.statements(database: databaseName(database), onCluster: onCluster)
        lines.append("")
        lines.append("-- Each server's share of the clicks:")
        lines.append(terminated(statements[0]))
        lines.append(
            "-- The table redirectctl import --clickhouse writes to; rows go to shard cityHash64(id) % shards:")
        lines.append(terminated(statements[1]))
        return lines.joined(separator: "\n")
    }

    private func databaseName(_ given: String?) -> String { database ?? given ?? "default" }

    private func terminated(_ statement: String) -> String {
        var text = statement
        while text.hasSuffix("\n") { text.removeLast() }
        return text + ";\n"
    }

    /// A cluster name as `remote_servers` and the statements take it unquoted: letters, digits and underscores.
    public static func isValidName(_ name: String) -> Bool {
        guard let first = name.first, first == "_" || first.isASCII && first.isLetter else { return false }
        return name.allSatisfy { $0 == "_" || $0.isASCII && ($0.isLetter || $0.isNumber) }
    }
}
