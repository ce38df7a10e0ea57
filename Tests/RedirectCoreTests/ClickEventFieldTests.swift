import JSON
import Testing
import Timestamps

@testable import RedirectCore

/// The hand-tuned writer against the field table: a key written but not listed (or listed but not written, or
/// written in another order, type or nullability) fails here.
@Suite struct ClickEventFieldTests {
    /// An event with every field set.
    static let full = ClickEvent(
        id: "01a2256d-9f98-77af-9da3-2ebfc2723450",
        time: Timestamp(year: 2026, month: 11, day: 29, hour: 2, minute: 8, second: 14, millisecond: 431),
        outcome: .redirected, redirect: "spring-sale", session: "s-1", sessionStatus: .valid, source: "email",
        type: "redirect", properties: [("campaign", .string("spring"))], target: "https://shop.example.com/",
        status: 302,
        request: .init(
            method: "GET", ip: "203.0.113.7", userAgent: "Mozilla/5.0 (iPhone)", referer: "https://mail.example/",
            acceptLanguage: "de-DE", host: "go.example.com", query: "utm_source=mail"),
        bot: "slack-preview", botCategory: .preview, sessionSource: .cookie, rule: "phones", variant: "b",
        country: "DE", device: .ios, form: .mobile, via: .qr)

    /// An event with every optional field null.
    static let empty = ClickEvent(
        id: "01a2256d-9f98-77af-9da3-2ebfc2723451",
        time: Timestamp(year: 2026, month: 11, day: 29, hour: 2, minute: 8, second: 14, millisecond: 431),
        outcome: .notFound, redirect: nil, session: nil, sessionStatus: .absent, source: nil, type: "redirect",
        properties: [], target: nil, status: 404,
        request: .init(
            method: "GET", ip: nil, userAgent: nil, referer: nil, acceptLanguage: nil, host: nil, query: ""),
        bot: nil)

    /// The line's fields in order, members after their object: (path, value).
    static func written(_ event: ClickEvent) throws -> [(path: String, value: JSONValue)] {
        let line = event.jsonLine()
        #expect(line.last == UInt8(ascii: "\n"))
        guard case .object(let members)? = JSONValue(parsing: line.dropLast()) else {
            Issue.record("the line is no JSON object")
            return []
        }
        var fields: [(path: String, value: JSONValue)] = []
        for (key, value) in members {
            fields.append((key, value))
            if key == ClickEventField.request.key, case .object(let inner) = value {
                fields += inner.map { (key + "." + $0.key, $0.value) }
            }
        }
        return fields
    }

    static func kind(of value: JSONValue) -> ClickEventField.Kind? {
        switch value {
        case .string: .string
        case .int: .integer
        case .object: .object
        default: nil
        }
    }

    @Test func theWriterWritesTheTablesKeysInOrder() throws {
        let table = ClickEventField.all.map(\.path)
        #expect(try Self.written(Self.full).map(\.path) == table)
        #expect(try Self.written(Self.empty).map(\.path) == table)
    }

    @Test func everyFieldSetIsWrittenWithItsJSONType() throws {
        for (field, written) in zip(ClickEventField.all, try Self.written(Self.full)) {
            #expect(Self.kind(of: written.value) == field.kind, "\(field.path): \(written.value.jsonText)")
        }
    }

    @Test func exactlyTheNullableFieldsAreNullWhenUnknown() throws {
        for (field, written) in zip(ClickEventField.all, try Self.written(Self.empty)) {
            if field.isNullable {
                #expect(written.value == .null, "\(field.path) should be null, is \(written.value.jsonText)")
            } else {
                #expect(Self.kind(of: written.value) == field.kind, "\(field.path): \(written.value.jsonText)")
            }
        }
    }

    @Test func theNewFieldsCarryTheirValues() throws {
        let written = Dictionary(uniqueKeysWithValues: try Self.written(Self.full).map { ($0.path, $0.value) })
        #expect(written["rule"] == .string("phones"))
        #expect(written["variant"] == .string("b"))
        #expect(written["country"] == .string("DE"))
        #expect(written["device"] == .string("ios"))
        #expect(written["form"] == .string("mobile"))
        #expect(written["v"] == .int(1))
    }

    /// Each path once, each member under an object field, and a reason wherever a sink leaves a field out.
    @Test func theTableIsConsistent() {
        let paths = ClickEventField.all.map(\.path)
        #expect(Set(paths).count == paths.count)
        let objects = Set(ClickEventField.all.filter { $0.clickHouse == .members }.map(\.key))
        for field in ClickEventField.all {
            if let parent = field.parent { #expect(objects.contains(parent), "\(field.path)") }
            if field.clickHouse == .members { #expect(field.kind == .object, "\(field.path)") }
            if case .mapped = field.clickHouse, field.columnType == nil {
                Issue.record("\(field.path) has a ClickHouse column but no column type")
            }
            for destination in [field.clickHouse, field.tracardi] {
                if case .leftOut(let reason) = destination { #expect(!reason.isEmpty, "\(field.path)") }
                if case .mapped(let names) = destination { #expect(!names.isEmpty, "\(field.path)") }
            }
        }
    }

    /// The longest line the writer can be asked for stays within the buffer it sizes (it stops on overrun).
    @Test func aLineOfEscapedStringsFitsItsBuffer() {
        let worst = String(repeating: "\u{1}", count: 300)
        var event = Self.full
        event.rule = worst
        event.variant = worst
        event.country = worst
        event.redirect = worst
        event.request.userAgent = worst
        var buffer: [UInt8] = []
        let count = event.writeJSONLine(into: &buffer)
        #expect(count == event.jsonLine().count)
        #expect(count > 5 * 300 * 6)
    }
}
