import ClickSpool
import DeviceDetection
import Foundation
import JSON
import RedirectCore
import Testing
import Timestamps

@testable import ClickImport

/// Every field the responder writes reaches each sink where `ClickEventField` says, and is described in the docs:
/// a field written but not mapped (or mapped to a place the sink does not fill) fails here.
@Suite struct EventFieldMappingTests {
    /// An event with every field set, and a distinct value in each.
    static let full = ClickEvent(
        id: "0190b5a0-0001-7000-8000-000000000001",
        time: Timestamp(year: 2026, month: 11, day: 29, hour: 2, minute: 8, second: 14, millisecond: 431),
        outcome: .redirected, redirect: "spring-sale", session: "s-1", sessionStatus: .valid, source: "email",
        type: "email-click", properties: [("campaign", .string("spring"))], target: "https://shop.example.com/",
        status: 302,
        request: .init(
            method: "GET", ip: "203.0.113.7", userAgent: "Mozilla/5.0 (iPhone)", referer: "https://mail.example/",
            acceptLanguage: "de-DE", host: "go.example.com", query: "utm_source=mail"),
        bot: "slack-preview", botCategory: .preview, sessionSource: .cookie, rule: "phones", variant: "b",
        country: "DE", device: .ios, form: .mobile, via: .qr)

    static func record(_ line: [UInt8], id: String) -> SpoolRecord {
        SpoolRecord(
            line: line[...], id: id, outcome: "redirected", bot: nil, offset: 0, endOffset: Int64(line.count),
            lineNumber: 1)
    }

    static let line = JSONValue(parsing: full.jsonLine().dropLast())!

    static func value(at path: String, in json: JSONValue) -> JSONValue? {
        path.split(separator: ".").reduce(json as JSONValue?) { $0?[String($1)] }
    }

    static var docs: String {
        String(#filePath).components(separatedBy: "/Tests/")[0] + "/docs/"
    }

    @Test(arguments: [ClickHouseSchema.TimeColumns.dateTime64, .dateTimeAndMilliseconds])
    func everyFieldWithAColumnIsInTheTableAndItsRow(time: ClickHouseSchema.TimeColumns) throws {
        var schema = ClickHouseSchema(table: "clicks", retentionMonths: nil)
        schema.time = time
        schema.lowCardinality = time == .dateTime64
        let columns = Set(schema.columns.map(\.name))
        let sink = ClickHouseSink(url: "http://h:8123/", time: time)
        guard case .success(.object(let members)) = sink.row(from: Self.line, id: Self.full.id) else {
            Issue.record("no row")
            return
        }
        let row = Dictionary(members.map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a })
        #expect(Set(row.keys) == columns, "the row's keys are the table's columns")
        for field in ClickEventField.all {
            switch field.clickHouse {
            case .members:
                #expect(row[field.key] == nil)
            case .leftOut:
                #expect(row[field.key] == nil, "\(field.path) is left out but has a column")
            case .mapped:
                let column = try #require(field.column)
                #expect(columns.contains(column), "\(field.path): no column \(column) in the table")
                let written = try #require(field.value(in: Self.line))
                let stored = try #require(row[column], "\(field.path): no \(column) in the row")
                switch field.columnType {
                case .time?:
                    #expect(stored.stringValue?.hasPrefix("2026-11-29 02:08:14") == true)
                case .jsonText?:
                    #expect(stored == .string(written.jsonText))
                default:
                    #expect(stored == written, "\(field.path) → \(column)")
                }
            }
        }
    }

    @Test func everyFieldSentToTracardiIsWhereTheTableSays() throws {
        let plan = TracardiSink(baseURL: "https://t.example").plan([
            Self.record(Self.full.jsonLine(), id: Self.full.id)
        ])
        let request = try #require(plan.requests.first)
        let payload = try #require(JSONValue(parsing: request.body))
        guard case .array(let events)? = payload["events"], let event = events.first else {
            Issue.record("no event in \(payload.jsonText)")
            return
        }
        for field in ClickEventField.all {
            switch field.tracardi {
            case .members:
                Issue.record("\(field.path): Tracardi paths are per field")
            case .leftOut:
                continue
            case .mapped(let paths):
                let written = try #require(field.value(in: Self.line))
                for path in paths {
                    let sent =
                        path.hasPrefix("events[].")
                        ? Self.value(at: String(path.dropFirst("events[].".count)), in: event)
                        : Self.value(at: path, in: payload)
                    #expect(sent == written, "\(field.path) → \(path): \(sent?.jsonText ?? "missing")")
                }
            }
        }
    }

    /// A line of an older responder, without the newer keys, reaches both sinks with them null.
    @Test func anOldLineHasTheNewFieldsNull() throws {
        var text = String(decoding: Self.full.jsonLine(), as: UTF8.self)
        text = text.replacingOccurrences(
            of: #""rule":"phones","variant":"b","country":"DE","device":"ios","form":"mobile","#, with: "")
        #expect(!text.contains("\"rule\""))
        let old = try #require(JSONValue(parsing: text))
        guard case .success(let row) = ClickHouseSink(url: "http://h:8123/").row(from: old, id: Self.full.id) else {
            Issue.record("no row")
            return
        }
        let event = TracardiSink.event(from: old, id: Self.full.id)
        for field in [ClickEventField.rule, .variant, .country, .device, .form] {
            #expect(row[try #require(field.column)] == .null, "\(field.path)")
            #expect(event["context"]?["redirect"]?[field.key] == .null, "\(field.path)")
        }
        #expect(event["context"]?["redirect"]?["id"] == .string("spring-sale"))
    }

    @Test func everyFieldIsDescribedInTheDocs() throws {
        let events = try String(contentsOfFile: Self.docs + "events.md", encoding: .utf8)
        let clickHouse = try String(contentsOfFile: Self.docs + "clickhouse.md", encoding: .utf8)
        let tracardi = try String(contentsOfFile: Self.docs + "tracardi.md", encoding: .utf8)
        for field in ClickEventField.all {
            #expect(events.contains("| `\(field.path)` |"), "docs/events.md lists no `\(field.path)`")
            if let column = field.column {
                #expect(clickHouse.contains("`\(column)`"), "docs/clickhouse.md names no column `\(column)`")
            }
            for path in field.tracardiPaths where path.hasPrefix("events[].context.redirect.") {
                let key = path.dropFirst("events[].context.redirect.".count)
                #expect(tracardi.contains("`\(key)`"), "docs/tracardi.md names no `context.redirect.\(key)`")
            }
        }
    }
}
