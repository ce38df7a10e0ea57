import ClickSpool
import Foundation
import RedirectCore
import Testing

@testable import ClickImport

/// The ClickHouse rows, URLs and schema, as plain values.
@Suite struct ClickHouseSinkTests {
    static func record(_ line: String) -> SpoolRecord {
        let bytes = Array((line + "\n").utf8)
        let id = (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["id"] as? String ?? ""
        return SpoolRecord(
            line: bytes[...], id: id, outcome: "redirected", bot: nil, offset: 0,
            endOffset: Int64(bytes.count), lineNumber: 1)
    }

    static let event = """
        {"v":1,"id":"0190b5a0-0001-7000-8000-000000000001","time":"2026-11-29T02:08:14.431Z","outcome":"redirected",\
        "redirect":"spring-sale","session":null,"session_status":"absent","source":"email","type":"redirect",\
        "properties":{"campaign":"spring","n":[1,2]},"target":"https://shop.example.com/","status":302,\
        "request":{"method":"HEAD","ip":"203.0.113.7","user_agent":"Slackbot 1.0","referer":null,\
        "accept_language":"de","host":"go.example.com","query":"a=1"},"bot":"Slackbot"
        """

    static func rows(_ sink: ClickHouseSink, _ lines: [String]) throws -> [[String: Any]] {
        let plan = sink.plan(lines.map(record))
        let request = try #require(plan.requests.first)
        return try String(decoding: request.body, as: UTF8.self).split(separator: "\n").map {
            try #require(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
    }

    @Test func rowsAreFlatAndFollowTheTablesTimeColumns() throws {
        let modern = try #require(
            try Self.rows(
                ClickHouseSink(url: "http://h:8123/", time: .dateTime64),
                [Self.event + ",\"bot_category\":\"link-preview\"}"]
            ).first)
        #expect(modern["time"] as? String == "2026-11-29 02:08:14.431")
        #expect(modern["time_ms"] == nil)
        #expect(modern["request_method"] as? String == "HEAD")
        #expect(modern["request_user_agent"] as? String == "Slackbot 1.0")
        #expect(modern["request_referer"] is NSNull)
        #expect(modern["request_query"] as? String == "a=1")
        #expect(modern["session"] is NSNull)
        #expect(modern["properties"] as? String == #"{"campaign":"spring","n":[1,2]}"#)
        #expect(modern["bot"] as? String == "Slackbot")
        #expect(modern["bot_category"] as? String == "link-preview")
        #expect(modern["request"] == nil)

        let old = try #require(
            try Self.rows(
                ClickHouseSink(url: "http://h:8123/", time: .dateTimeAndMilliseconds),
                [Self.event + "}"]
            ).first)
        #expect(old["time"] as? String == "2026-11-29 02:08:14")
        #expect((old["time_ms"] as? NSNumber)?.intValue == 431)
        // An event written before bot_category, rule, variant, country, device and form existed has them NULL.
        for column in ["bot_category", "rule", "variant", "country", "device", "form"] {
            #expect(old[column] is NSNull, "\(column)")
        }
    }

    @Test func anEventWithoutAUsableTimeIsRejectedBeforeSending() {
        let plan = ClickHouseSink(url: "http://h:8123/").plan([
            Self.record(Self.event.replacingOccurrences(of: "2026-11-29T02:08:14.431Z", with: "yesterday") + "}")
        ])
        #expect(plan.requests.isEmpty)
        #expect(plan.rejections.map(\.id) == ["0190b5a0-0001-7000-8000-000000000001"])
    }

    @Test(arguments: [
        ("2026-11-29T02:08:14.431Z", "2026-11-29 02:08:14", "431"),
        ("2026-11-29T02:08:14Z", "2026-11-29 02:08:14", "000"),
        ("2026-11-29T02:08:14.4Z", "2026-11-29 02:08:14", "400"),
        ("2026-11-29T02:08:14.123456Z", "2026-11-29 02:08:14", "123"),
    ])
    func timesSplitIntoSecondsAndMilliseconds(text: String, seconds: String, milliseconds: String) throws {
        let split = try #require(ClickHouseSink.splitTime(text))
        #expect(split.seconds == seconds && split.milliseconds == milliseconds)
    }

    @Test(arguments: ["2026-11-29 02:08:14.431", "2026-11-29T02:08:14.431+01:00", "2026-11-29T02:08:14.Z", ""])
    func otherTimesAreNotGuessed(text: String) {
        #expect(ClickHouseSink.splitTime(text) == nil)
    }

    @Test func theInsertGoesInTheQueryParameterBesideTheUsersOwn() {
        #expect(
            ClickHouseSink(url: "http://h:8123/", table: "db.clicks").url(
                query: "INSERT INTO db.clicks FORMAT JSONEachRow")
                == "http://h:8123/?query=INSERT%20INTO%20db.clicks%20FORMAT%20JSONEachRow")
        #expect(
            ClickHouseSink(url: "http://h:8123/?database=web&user=ingest").url(query: "SELECT 1")
                == "http://h:8123/?database=web&user=ingest&query=SELECT%201")
    }

    @Test func dataErrorsAreFinalAndResourceErrorsAreRetried() {
        let parse = Array("Code: 117, e.displayText() = DB::Exception: Unknown field found: x".utf8)
        let memory = Array("Code: 241, e.displayText() = DB::Exception: Memory limit exceeded".utf8)
        #expect(ClickHouseSink.isPermanent(status: 500, body: parse))
        #expect(!ClickHouseSink.isPermanent(status: 500, body: memory))
        #expect(!ClickHouseSink.isPermanent(status: 503, body: parse))
        #expect(!ClickHouseSink.isPermanent(status: 500, body: Array("<html>proxy error</html>".utf8)))
        #expect(ClickHouseSink.exceptionCode(Array("Code: 27. DB::Exception: Cannot parse input".utf8)) == 27)
    }

    @Test func theSchemaFitsTheServerVersion() throws {
        let debian = ClickHouseSchema(
            table: "clicks", version: ClickHouseVersion(parsing: "18.16.1\n"), retentionMonths: 13)
        #expect(debian.createTable.contains("time                    DateTime('UTC'),"))
        #expect(debian.createTable.contains("time_ms                 UInt16,"))
        #expect(!debian.createTable.contains("DateTime64("))
        #expect(!debian.createTable.contains("LowCardinality"))
        #expect(!debian.createTable.contains("\nTTL"))
        #expect(debian.createTable.contains("DROP PARTITION"))
        #expect(
            debian.createTable.contains(
                "ENGINE = ReplacingMergeTree\nPARTITION BY toYYYYMM(time)\nORDER BY (redirect, id)"))

        let ttlOnly = ClickHouseSchema(table: "clicks", version: ClickHouseVersion(19, 6, 2), retentionMonths: 13)
        #expect(ttlOnly.createTable.hasSuffix("TTL time + INTERVAL 13 MONTH\n"))

        let current = ClickHouseSchema(
            table: "web.clicks", version: ClickHouseVersion(parsing: "24.8.4.13"), retentionMonths: 6)
        #expect(current == ClickHouseSchema(table: "web.clicks", retentionMonths: 6))
        #expect(current.createTable.contains("DateTime64(3, 'UTC')"))
        #expect(current.createTable.contains("bot_category            LowCardinality(Nullable(String))"))
        #expect(current.createTable.hasSuffix("TTL toDateTime(time) + INTERVAL 6 MONTH\n"))
        #expect(current.columns.map(\.name).contains("time_ms") == false)
    }

    @Test func versionsAndTableNames() {
        #expect(ClickHouseVersion(parsing: "18.16.1") == ClickHouseVersion(18, 16, 1))
        #expect(ClickHouseVersion(parsing: "24.3.2.23-lts").map { $0 >= ClickHouseVersion(20, 1) } == true)
        #expect(ClickHouseVersion(parsing: "Ok.") == nil)
        #expect(ClickHouseSchema.isValidTableName("clicks") && ClickHouseSchema.isValidTableName("web.clicks_2"))
        for bad in ["", "a.b.c", "1clicks", "clicks;DROP", "clicks'", "a."] {
            #expect(!ClickHouseSchema.isValidTableName(bad), "\(bad)")
        }
    }
}
