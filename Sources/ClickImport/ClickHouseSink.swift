import ClickSpool
import JSON
import RedirectCore

/// ClickHouse's HTTP interface: `INSERT INTO <table> FORMAT JSONEachRow`, one row per event, the event flattened.
///
/// Rows hold `ClickHouseSchema`'s columns, both built from `ClickEventField`: `request.*` becomes `request_*`,
/// `properties` travels as its JSON text, `time` is written the way the table's `time` column reads it. Fields
/// older responders did not write (`bot_category`, `rule`, …) are NULL in their rows. Which time layout the table
/// has is learnt before the first batch (`prepared(query:)`), which also names any column the table lacks.
public struct ClickHouseSink: ClickSink {
    /// The server's HTTP endpoint as given (`http://host:8123/`, maybe with `?database=…&user=…`).
    public let url: String
    public let table: String
    public let time: ClickHouseSchema.TimeColumns

    public init(url: String, table: String = "clicks", time: ClickHouseSchema.TimeColumns = .dateTime64) {
        self.url = url
        self.table = table
        self.time = time
    }

    public var name: String { "clickhouse" }
    /// ClickHouse decodes `Content-Encoding: gzip` request bodies.
    public var acceptsGzip: Bool { true }

    /// The URL of a query: the endpoint with `settings` (`name=value`, already URL-safe) and `query=` added to its
    /// parameters.
    func url(query: String, settings: [String] = []) -> String {
        var encoded = ""
        for byte in query.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "-"):
                encoded.append(Character(Unicode.Scalar(byte)))
            default:
                let hex = Array("0123456789ABCDEF")
                encoded += "%" + String(hex[Int(byte >> 4)]) + String(hex[Int(byte & 15)])
            }
        }
        let separator = url.contains("?") ? (url.hasSuffix("?") || url.hasSuffix("&") ? "" : "&") : "?"
        return url + separator + settings.map { $0 + "&" }.joined() + "query=" + encoded
    }

    /// Settings of every INSERT. `insert_distributed_sync=1`: a `Distributed` table (a cluster's, see
    /// `ClickHouseCluster`) answers only once every shard has its rows, so a shard that is down fails the batch and
    /// it stays in `ready/` for the next run, instead of waiting in a queue on the node. A plain table ignores it
    /// (checked on 18.16).
    static let insertSettings = ["insert_distributed_sync=1"]

    public func plan(_ records: [SpoolRecord]) -> SinkPlan {
        guard !records.isEmpty else { return SinkPlan() }
        var plan = SinkPlan()
        var body: [UInt8] = []
        var ids: [String] = []
        for record in records {
            guard let line = JSONValue(parsing: record.line.dropLast()) else {
                plan.rejections.append(
                    SinkRejection(id: record.id, reason: "the line does not parse as JSON", status: nil))
                continue
            }
            switch row(from: line, id: record.id) {
            case .success(let row):
                row.write(to: &body)
                body.append(UInt8(ascii: "\n"))
                ids.append(record.id)
            case .failure(let reason):
                plan.rejections.append(SinkRejection(id: record.id, reason: reason.text, status: nil))
            }
        }
        if !ids.isEmpty {
            var request = SinkRequest(
                url: url(query: "INSERT INTO \(table) FORMAT JSONEachRow", settings: Self.insertSettings), body: body,
                contentType: "application/x-ndjson", eventIDs: ids)
            request.permanentServerError = Self.isPermanent
            plan.requests.append(request)
        }
        return plan
    }

    struct RowProblem: Error {
        var text: String
    }

    /// One JSONEachRow row from one spool line: a column per `ClickEventField` that has one, in table order.
    ///
    /// A key the line lacks (a line written before the field existed) is read as null: a nullable column gets
    /// NULL, a `String` column the empty string. A number out of its column's range is left out, so the column
    /// takes its default.
    func row(from line: JSONValue, id: String) -> Result<JSONValue, RowProblem> {
        guard let stamp = line["time"]?.stringValue, let time = Self.splitTime(stamp) else {
            return .failure(RowProblem(text: "time is not a UTC time such as 2026-11-29T02:08:14.431Z"))
        }
        var row: [(key: String, value: JSONValue)] = []
        for field in ClickEventField.all {
            guard let column = field.column, let type = field.columnType else { continue }
            let value = field == .id ? .string(id) : field.value(in: line)
            switch type {
            case .string, .few:
                row.append((column, .string(value?.stringValue ?? "")))
            case .nullableString, .fewOrNull:
                row.append((column, value?.stringValue.map(JSONValue.string) ?? .null))
            case .jsonText:
                row.append((column, .string((value ?? .object([])).jsonText)))
            case .uint8, .uint16:
                let limit = type == .uint8 ? 255 : 65535
                if case .int(let number)? = value, (0...limit).contains(number) { row.append((column, .int(number))) }
            case .time:
                switch self.time {
                case .dateTime64:
                    row.append((column, .string(time.seconds + "." + time.milliseconds)))
                case .dateTimeAndMilliseconds:
                    row.append((column, .string(time.seconds)))
                    row.append((column + "_ms", .int(Int(time.milliseconds) ?? 0)))
                }
            }
        }
        return .success(.object(row))
    }

    /// `2026-11-29T02:08:14.431Z` → (`2026-11-29 02:08:14`, `431`); nil for any other shape.
    static func splitTime(_ text: String) -> (seconds: String, milliseconds: String)? {
        let bytes = Array(text.utf8)
        guard bytes.count >= 20, bytes.last == UInt8(ascii: "Z") else { return nil }
        let digits = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18]
        let isDigit = { (b: UInt8) in b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }
        guard digits.allSatisfy({ isDigit(bytes[$0]) }), bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
            bytes[10] == UInt8(ascii: "T"), bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":")
        else { return nil }
        var seconds = bytes[0..<19]
        seconds[seconds.startIndex + 10] = UInt8(ascii: " ")
        var fraction: ArraySlice<UInt8> = []
        if bytes.count > 20 {
            guard bytes[19] == UInt8(ascii: "."), bytes.count > 21 else { return nil }
            fraction = bytes[20..<(bytes.count - 1)]
            guard fraction.allSatisfy(isDigit) else { return nil }
        }
        let milliseconds = String(decoding: fraction.prefix(3), as: UTF8.self)
        return (
            String(decoding: seconds, as: UTF8.self),
            milliseconds + String(repeating: "0", count: 3 - milliseconds.count)
        )
    }

    public func interpret(_ response: SinkResponse, to request: SinkRequest) throws(SinkError) -> [SinkRejection] {
        if (200..<300).contains(response.status) { return [] }
        let detail = SinkAnswer.excerpt(response.body, limit: 600)
        guard response.status == 400 || response.status == 422 || response.status >= 500 else {
            // 401/403: user or password; 404: unknown database or table.
            throw .misconfigured(url: request.url, status: response.status, detail: detail)
        }
        // ClickHouse's exception names no event id, so the importer halves the batch until the bad rows are alone.
        throw .refused(url: request.url, status: response.status, detail: detail)
    }

    /// ClickHouse answers 500 to most exceptions. Those about the data or the table's structure fail the same way
    /// on every retry; others (memory, too many parts, timeouts, a replica down) may pass later.
    @Sendable static func isPermanent(status: Int, body: [UInt8]) -> Bool {
        guard status == 500, let code = exceptionCode(body) else { return false }
        // CANNOT_PARSE_TEXT, NO_SUCH_COLUMN_IN_TABLE, CANNOT_PARSE_QUOTED_STRING, CANNOT_PARSE_INPUT_ASSERTION_FAILED,
        // BAD_ARGUMENTS, CANNOT_PARSE_DATE, CANNOT_PARSE_DATETIME, ILLEGAL_TYPE_OF_ARGUMENT, ILLEGAL_COLUMN,
        // UNKNOWN_IDENTIFIER, TYPE_MISMATCH, SYNTAX_ERROR, ARGUMENT_OUT_OF_BOUND, CANNOT_CONVERT_TYPE,
        // CANNOT_PARSE_NUMBER, INCORRECT_DATA, TOO_LARGE_STRING_SIZE, CANNOT_INSERT_NULL_IN_ORDINARY_COLUMN.
        let permanent: Set<Int> = [6, 16, 26, 27, 36, 38, 41, 43, 44, 47, 53, 62, 69, 70, 72, 117, 131, 349]
        return permanent.contains(code)
    }

    /// The number after `Code: ` at the start of a ClickHouse exception text.
    static func exceptionCode(_ body: [UInt8]) -> Int? {
        let text = String(decoding: body.prefix(40), as: UTF8.self).trimmingSpaces
        guard text.hasPrefix("Code: ") else { return nil }
        return Int(text.dropFirst(6).prefix { $0.isNumber })
    }
}
