extension ClickHouseCluster {
    /// What `clickhouse-schema --cluster --apply` did on one server.
    public struct ServerOutcome: Sendable, Equatable {
        public var url: String
        public var version: ClickHouseVersion?
        /// Tables this run created, in statement order.
        public var created: [String] = []
        /// Tables that were there already (`IF NOT EXISTS` left them as they were).
        public var existing: [String] = []
        /// Why the server is not set up; nil when both tables are there.
        public var problem: String?

        /// One line for the person applying: the server, then what happened there.
        public var line: String {
            let head = url + (version.map { " (ClickHouse \($0))" } ?? "")
            if let problem { return head + ": FAILED: " + problem }
            var parts: [String] = []
            if !created.isEmpty { parts.append("created " + created.joined(separator: ", ")) }
            if !existing.isEmpty { parts.append("already there: " + existing.joined(separator: ", ")) }
            return head + ": " + parts.joined(separator: "; ")
        }
    }

    /// Creates the cluster's tables on each server itself, over HTTP, one statement at a time: what to do when
    /// `ON CLUSTER` is refused for want of a keeper. Idempotent (`IF NOT EXISTS`). The columns are fitted to the
    /// oldest server that answers, so every shard holds the same columns. A server is left alone, and named, when
    /// its `remote_servers` lacks the cluster or the table name is taken by a table that is not `Distributed` (the
    /// table of a single server, to be renamed to the local table first).
    public static func apply(
        cluster name: String, table: String, retentionMonths: Int?, onCluster: Bool, urls: [String],
        headers: [HTTPHeaderField]
    ) async -> [ServerOutcome] {
        var outcomes = urls.map { ServerOutcome(url: $0) }
        for index in outcomes.indices {
            do {
                outcomes[index].version = try await ClickHouseSchema.serverVersion(url: urls[index], headers: headers)
            } catch {
                outcomes[index].problem = "cannot ask for its version: \(error)"
            }
        }
        let oldest = outcomes.compactMap(\.version).min()
        let cluster = ClickHouseCluster(
            name: name, schema: ClickHouseSchema(table: table, version: oldest, retentionMonths: retentionMonths))
        for index in outcomes.indices where outcomes[index].problem == nil {
            do {
                try await cluster.apply(to: &outcomes[index], headers: headers, onCluster: onCluster)
            } catch {
                outcomes[index].problem = error.description
            }
        }
        return outcomes
    }

    private func apply(to outcome: inout ServerOutcome, headers: [HTTPHeaderField], onCluster: Bool)
        async throws(ImportError)
    {
        let url = outcome.url
        func ask(_ sql: String) async throws(ImportError) -> String {
            let answer = try await ClickHouseSchema.ask(
                url: url, sql: sql, headers: headers, timeoutSeconds: 30, serverErrorsAreAnswers: true)
            let text = String(decoding: answer.body, as: UTF8.self)
            guard (200..<300).contains(answer.status) else {
                let firstLine = sql.split(separator: "\n").first { !$0.hasPrefix("--") } ?? ""
                throw .badOption(
                    "\(firstLine) answered HTTP \(answer.status): " + SinkAnswer.excerpt(answer.body, limit: 400))
            }
            return text
        }
        let known = try await ask("SELECT count() FROM system.clusters WHERE cluster = '\(name)'")
        guard (Int(known.prefix { $0.isNumber }) ?? 0) > 0 else {
            throw .badOption(
                "cluster \(name) is not in this server's remote_servers (SELECT cluster FROM system.clusters); "
                    + "add it to a file in the server's config.d/ and try again")
        }
        var database = self.database ?? ""
        if self.database == nil {
            database = try await ask("SELECT currentDatabase()").split(separator: "\n").first.map(String.init) ?? ""
        }
        let tables = [localTable, schema.table].map { $0.split(separator: ".").last.map(String.init) ?? $0 }
        let listed = try await ask(
            "SELECT name, engine FROM system.tables WHERE database = '\(database)' AND name IN ('\(tables[0])', "
                + "'\(tables[1])') FORMAT TabSeparated")
        var engines: [String: String] = [:]
        for row in listed.split(separator: "\n") {
            let fields = row.split(separator: "\t", omittingEmptySubsequences: false)
            if fields.count == 2 { engines[String(fields[0])] = String(fields[1]) }
        }
        if let engine = engines[tables[1]], engine != "Distributed" {
            throw .badOption(
                "\(schema.table) is a \(engine) table here, not a Distributed one: a single server's table; rename "
                    + "it to the local table (RENAME TABLE \(schema.table) TO \(localTable)) and apply again")
        }
        let statements = statements(database: database, onCluster: onCluster)
        for (table, statement) in zip([localTable, schema.table], statements) {
            let bare = table.split(separator: ".").last.map(String.init) ?? table
            if engines[bare] != nil {
                outcome.existing.append(table)
            } else {
                _ = try await ask(statement)
                outcome.created.append(table)
            }
        }
    }
}
