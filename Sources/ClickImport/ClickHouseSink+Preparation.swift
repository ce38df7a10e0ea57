import JSON
import RedirectCore

extension ClickHouseSink {
    /// Reads the table's columns from `system.columns`: learns how it stores `time`, and stops the run before
    /// anything is sent when the table is missing or lacks a column the rows carry, naming it and the fix.
    public func prepared(query: @Sendable (SinkRequest) async throws(SinkError) -> SinkResponse)
        async throws(ImportError)
        -> any ClickSink
    {
        let parts = table.split(separator: ".").map(String.init)
        let database = parts.count == 2 ? "'\(parts[0])'" : "currentDatabase()"
        let sql =
            "SELECT name, type FROM system.columns WHERE database = \(database) AND table = '\(parts.last ?? table)' "
            + "FORMAT JSONEachRow"
        let request = SinkRequest(url: url, body: Array(sql.utf8), contentType: "text/plain", eventIDs: [])
        let response: SinkResponse
        do {
            response = try await query(request)
        } catch {
            throw .sink(error)
        }
        guard (200..<300).contains(response.status) else {
            throw .sink(.misconfigured(url: url, status: response.status, detail: SinkAnswer.excerpt(response.body)))
        }
        // ClickHouse answers a missing table with no rows; anything but rows of name and type came from another
        // server (a web page, a proxy's text) and says nothing about the table.
        var types: [String: String] = [:]
        for line in response.body.split(separator: UInt8(ascii: "\n")) where !line.allSatisfy(Self.isBlank) {
            guard let row = JSONValue(parsing: line), let name = row["name"]?.stringValue,
                let type = row["type"]?.stringValue
            else {
                let answer = "HTTP \(response.status): " + SinkAnswer.excerpt(response.body, limit: 200)
                throw .badOption(
                    "clickhouse: the server's answer is not a ClickHouse answer: \(url) answered \(answer); "
                        + "--clickhouse takes ClickHouse's HTTP interface, e.g. http://127.0.0.1:8123/")
            }
            types[name] = type
        }
        let schemaAdvice = "redirectctl clickhouse-schema --table \(table) --clickhouse '\(url)'"
        guard let timeType = types["time"] else {
            if types.isEmpty {
                throw .badOption(
                    "clickhouse: table \(table) does not exist at \(url); create it with the statement "
                        + "`\(schemaAdvice)` prints")
            }
            throw .badOption("clickhouse: table \(table) has no column time; `\(schemaAdvice)` prints the table to use")
        }
        let time: ClickHouseSchema.TimeColumns
        if timeType.hasPrefix("DateTime64") {
            time = .dateTime64
        } else if timeType.hasPrefix("DateTime") {
            time = .dateTimeAndMilliseconds
        } else {
            throw .badOption(
                "clickhouse: column time of table \(table) is \(timeType); the importer writes "
                    + "DateTime64(3, 'UTC'), or DateTime('UTC') with time_ms UInt16")
        }
        var expected = ClickHouseSchema(table: table, version: nil, retentionMonths: nil)
        expected.time = time
        expected.lowCardinality = time == .dateTime64
        let missing = expected.columns.filter { types[$0.name] == nil }
        if !missing.isEmpty {
            let tables = try await tablesToAlter(database: database, query: query)
            let names = missing.map(\.name).joined(separator: ", ")
            let additions = missing.map { "ADD COLUMN \($0.name) \($0.type)" }.joined(separator: ", ")
            let pronoun = missing.count == 1 ? "it" : "them"
            let place =
                tables.cluster.map {
                    "on every server of cluster \($0), to the local table \(tables.names[0]) and then to \(table): "
                } ?? ": "
            throw .badOption(
                "clickhouse: table \(table) has no column\(missing.count == 1 ? "" : "s") \(names), "
                    + "which the importer writes; add \(pronoun)\(tables.cluster == nil ? "" : " ")\(place)"
                    + tables.names.map { "ALTER TABLE \($0) \(additions)" }.joined(separator: "; "))
        }
        return ClickHouseSink(url: url, table: table, time: time)
    }

    /// The tables a missing column is added to: the table alone, or for a `Distributed` table (read from
    /// `system.tables`) each server's local table first, then the `Distributed` table, and the cluster's name.
    private func tablesToAlter(
        database: String, query: @Sendable (SinkRequest) async throws(SinkError) -> SinkResponse
    ) async throws(ImportError) -> (cluster: String?, names: [String]) {
        let name = table.split(separator: ".").last.map(String.init) ?? table
        let sql =
            "SELECT engine_full FROM system.tables WHERE database = \(database) AND name = '\(name)' "
            + "FORMAT TabSeparatedRaw"
        let request = SinkRequest(url: url, body: Array(sql.utf8), contentType: "text/plain", eventIDs: [])
        let response: SinkResponse
        do {
            response = try await query(request)
        } catch {
            throw .sink(error)
        }
        let engine = String(decoding: response.body, as: UTF8.self)
        guard (200..<300).contains(response.status), let distributed = Self.distributedArguments(engine) else {
            return (nil, [table])
        }
        let prefix = table.contains(".") ? String(table.prefix { $0 != "." }) + "." : ""
        return (distributed.cluster, [prefix + distributed.localTable, table])
    }

    /// The cluster and local table of `Distributed(fleet, 'default', clicks_local, cityHash64(id))`; nil for
    /// any other engine.
    static func distributedArguments(_ engine: String) -> (cluster: String, localTable: String)? {
        guard engine.hasPrefix("Distributed(") else { return nil }
        let arguments = engine.dropFirst("Distributed(".count).split(separator: ",", maxSplits: 3).map {
            $0.filter { $0 != " " && $0 != "'" && $0 != "\"" && $0 != "`" && $0 != ")" && $0 != "\n" }
        }
        guard arguments.count >= 3, !arguments[0].isEmpty, !arguments[2].isEmpty else { return nil }
        return (String(arguments[0]), String(arguments[2]))
    }

    private static func isBlank(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\r")
    }
}
