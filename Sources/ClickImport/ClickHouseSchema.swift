import RedirectCore

/// The ClickHouse table that `redirectctl import --clickhouse` writes to, fitted to a server version.
///
/// One row per click event, the event's fields flattened so queries need no JSON functions. The engine is a
/// `ReplacingMergeTree` whose sorting key ends in the event id: a batch resent after a crash carries the same ids,
/// so its rows collapse when parts merge, and `SELECT … FINAL` sees none of them twice before that.
public struct ClickHouseSchema: Sendable, Equatable {
    /// How the click's time is stored.
    public enum TimeColumns: Sendable, Equatable {
        /// `time DateTime64(3, 'UTC')`: milliseconds in one column (ClickHouse 20.1 and later).
        case dateTime64
        /// `time DateTime('UTC')` and `time_ms UInt16`: servers without `DateTime64`, such as Debian 12's 18.16.
        case dateTimeAndMilliseconds
    }

    /// One column the importer fills.
    public struct Column: Sendable, Equatable {
        public var name: String
        public var type: String

        public init(_ name: String, _ type: String) {
            self.name = name
            self.type = type
        }
    }

    public var table: String
    public var time: TimeColumns
    /// `LowCardinality(String)` for the few-valued columns; used from 20.1 on (experimental in 18.x).
    public var lowCardinality: Bool
    /// Months after which a row is deleted by a `TTL` clause (19.6 and later); nil for none.
    public var retentionMonths: Int?
    /// Whether the server takes a `TTL` clause; when it does not, the statement says how to drop old months.
    public var serverHasTTL: Bool

    /// The current-release variant, for ClickHouse 20.1 and later.
    public init(table: String = "clicks", retentionMonths: Int? = 13) {
        self.init(table: table, version: nil, retentionMonths: retentionMonths)
    }

    /// The variant for `version` (nil: the current release).
    public init(table: String, version: ClickHouseVersion?, retentionMonths: Int?) {
        self.table = table
        let modern = version.map { $0 >= ClickHouseVersion(20, 1) } ?? true
        time = modern ? .dateTime64 : .dateTimeAndMilliseconds
        lowCardinality = modern
        serverHasTTL = version.map { $0 >= ClickHouseVersion(19, 6) } ?? true
        self.retentionMonths = retentionMonths
    }

    /// The columns in table order: the event's fields in line order (`ClickEventField`), `request.*` flattened.
    public var columns: [Column] {
        ClickEventField.all.flatMap { field -> [Column] in
            guard let name = field.column, let type = field.columnType else { return [] }
            return columns(name, type)
        }
    }

    /// The column(s) one field is stored in, in this server's types.
    func columns(_ name: String, _ type: ClickEventField.ColumnType) -> [Column] {
        switch type {
        case .string, .jsonText: return [Column(name, "String")]
        case .nullableString: return [Column(name, "Nullable(String)")]
        case .few: return [Column(name, lowCardinality ? "LowCardinality(String)" : "String")]
        case .fewOrNull:
            return [Column(name, lowCardinality ? "LowCardinality(Nullable(String))" : "Nullable(String)")]
        case .uint8: return [Column(name, "UInt8")]
        case .uint16: return [Column(name, "UInt16")]
        case .time:
            switch time {
            case .dateTime64: return [Column(name, "DateTime64(3, 'UTC')")]
            case .dateTimeAndMilliseconds: return [Column(name, "DateTime('UTC')"), Column(name + "_ms", "UInt16")]
            }
        }
    }

    /// The `CREATE TABLE` statement, with comments saying what the server version left out.
    public var createTable: String {
        createTable(named: table, onCluster: nil)
    }

    /// The `CREATE TABLE` of a `ReplacingMergeTree` named `name` (the table itself, or a shard's local table under a
    /// `Distributed` one), `ON CLUSTER` a cluster when given, with comments saying what the server version left out.
    func createTable(named name: String, onCluster cluster: String?) -> String {
        let width = columns.map(\.name.count).max() ?? 0
        let body = columns.map { "    " + $0.name + String(repeating: " ", count: width - $0.name.count + 1) + $0.type }
            .joined(separator: ",\n")
        var lines = [
            "CREATE TABLE IF NOT EXISTS \(name)" + (cluster.map { " ON CLUSTER \($0)" } ?? ""), "(", body, ")",
            "ENGINE = ReplacingMergeTree",
            "PARTITION BY toYYYYMM(time)",
            "ORDER BY (redirect, id)",
        ]
        if let months = retentionMonths, serverHasTTL {
            let time = self.time == .dateTime64 ? "toDateTime(time)" : "time"
            lines.append("TTL \(time) + INTERVAL \(months) MONTH")
        }
        var comments: [String] = []
        if time == .dateTimeAndMilliseconds {
            comments.append(
                "-- This server has no DateTime64: time holds whole seconds (UTC), time_ms the milliseconds.")
        }
        if let months = retentionMonths, !serverHasTTL {
            comments.append("-- This server has no TTL (19.6 and later have it). To keep \(months) months, drop old")
            comments.append("-- months from cron, e.g. on the 1st of each month:")
            comments.append(
                "--   clickhouse-client --query \"ALTER TABLE \(name) DROP PARTITION $(date -d '\(months) months ago' +%Y%m)\""
            )
        }
        return (comments + lines).joined(separator: "\n") + "\n"
    }

    /// A table name as the importer takes it: `name` or `database.name`, letters, digits and underscores.
    public static func isValidTableName(_ name: String) -> Bool {
        let parts = name.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count) else { return false }
        return parts.allSatisfy { part in
            guard let first = part.first, first == "_" || first.isASCII && first.isLetter else { return false }
            return part.allSatisfy { $0 == "_" || $0.isASCII && ($0.isLetter || $0.isNumber) }
        }
    }
}

/// A ClickHouse server version as `SELECT version()` prints it: `18.16.1`, `24.8.4.13`.
public struct ClickHouseVersion: Sendable, Comparable, CustomStringConvertible {
    public var parts: [Int]

    public init(_ parts: Int...) {
        self.parts = parts
    }

    /// Parses `18.16.1` (and `24.3.2.23-lts`); nil for anything else.
    public init?(parsing text: String) {
        let trimmed = text.trimmingSpaces.split(whereSeparator: { $0 == "\n" || $0 == "\r" }).first ?? ""
        let numeric = trimmed.prefix { $0.isNumber || $0 == "." }
        let parts = numeric.split(separator: ".").compactMap { Int($0) }
        guard parts.count >= 2 else { return nil }
        self.parts = parts
    }

    public static func < (lhs: ClickHouseVersion, rhs: ClickHouseVersion) -> Bool {
        for (a, b) in zip(lhs.parts, rhs.parts) where a != b { return a < b }
        return lhs.parts.count < rhs.parts.count
    }

    public static func == (lhs: ClickHouseVersion, rhs: ClickHouseVersion) -> Bool {
        !(lhs < rhs) && !(rhs < lhs)
    }

    public var description: String { parts.map(String.init).joined(separator: ".") }
}
