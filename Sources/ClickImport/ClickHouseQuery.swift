/// Read-only queries to the ClickHouse table the importer fills, over the importer's HTTP client: for
/// `redirectctl report --clickhouse`, which aggregates there and reads only the counts.
public final class ClickHouseQuery: Sendable {
    public let url: String
    public let table: String
    private let sender: SinkSender
    /// The most of one answer kept; a longer answer is an error, never a silently shortened report.
    public static let answerLimit = 256 << 20

    public init(url: String, table: String, headers: [HTTPHeaderField] = [], timeoutSeconds: Double = 120)
        throws(ImportError)
    {
        try ClickImporter.checkURL(url, flag: "--clickhouse")
        guard ClickHouseSchema.isValidTableName(table) else {
            throw .badOption("--table \(table): letters, digits and underscores, as name or database.name")
        }
        self.url = url
        self.table = table
        var options = ImportOptions(spoolDirectory: ".", sink: .clickhouse(url: url, table: table))
        options.headers = headers
        options.retries = 2
        options.connectTimeoutSeconds = min(10, timeoutSeconds)
        options.requestTimeoutSeconds = timeoutSeconds
        sender = SinkSender(options: options, answerLimit: Self.answerLimit + 1)
    }

    /// Closes the connections; call once when done.
    public func shutdown() async {
        await sender.shutdown()
    }

    /// How the table stores `time`, learnt from `system.columns`; throws with the fix when the table is missing
    /// or lacks a column the importer writes.
    public func timeColumns() async throws(ImportError) -> ClickHouseSchema.TimeColumns {
        let sink = ClickHouseSink(url: url, table: table)
        let prepared = try await sink.prepared { request throws(SinkError) in
            try await self.sender.send(request, compress: false, deadline: nil)
        }
        return (prepared as? ClickHouseSink)?.time ?? .dateTime64
    }

    /// The answer to one statement (`SELECT …`), or the server's error.
    public func answer(_ sql: String) async throws(ImportError) -> [UInt8] {
        let request = SinkRequest(url: url, body: Array(sql.utf8), contentType: "text/plain", eventIDs: [])
        let response: SinkResponse
        do {
            response = try await sender.send(request, compress: false, deadline: nil)
        } catch {
            throw .sink(error)
        }
        guard (200..<300).contains(response.status) else {
            throw .sink(.misconfigured(url: url, status: response.status, detail: SinkAnswer.excerpt(response.body)))
        }
        guard response.body.count <= Self.answerLimit else {
            throw .badOption("clickhouse: an answer of more than \(Self.answerLimit >> 20) MiB; narrow the report")
        }
        return response.body
    }

    /// `text` as a quoted SQL string literal.
    public static func literal(_ text: String) -> String {
        var out = "'"
        for scalar in text.unicodeScalars {
            switch scalar {
            case "'": out += "\\'"
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\0": out += "\\0"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "'"
    }
}
