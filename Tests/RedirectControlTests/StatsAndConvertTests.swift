import Foundation
import Testing
@testable import RedirectControl
import RedirectCore

@Suite struct TracardiConversionTests {
    let export = """
        [{"id": "spring-sale", "name": "Spring", "description": "Newsletter \\"spring\\"",
          "url": "https://shop.example.com/sale", "event_type": "redirected-click",
          "props": {"utm_source": "payload@params.utm_source", "campaign": "spring", "position": 2, "vip": true,
                    "visitor": "session@id", "email?": "payload@params.email",
                    "offer": {"code": "SPRING", "tiers": [1, 2.5], "partner?": {"name": "Acme"}}},
          "source": {"id": "8b1c9-redirect", "name": "Newsletter"}, "tags": ["email", "spring"]},
         {"id": "docs", "url": "https://docs.example.com/", "props": {}}]
        """

    /// Objects with their members in key order, so that a comparison does not depend on the parser's order.
    static func sorted(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(let members): return .object(members.map { ($0.key, sorted($0.value)) }.sorted { $0.0 < $1.0 })
        case .array(let items): return .array(items.map(sorted))
        default: return value
        }
    }

    func parsed(_ converted: TracardiRedirectConverter.Converted, id: String) throws -> Redirect {
        let result = RedirectFileParser.parseRedirect(text: converted.text, id: id, file: converted.fileName)
        #expect(result.problems.isEmpty, "\(result.problems)")
        return try #require(result.value)
    }

    @Test func convertsAnExportIntoFilesThatBehaveAsInTracardi() throws {
        let converted = try TracardiRedirectConverter.convert(json: Array(export.utf8), options: .init(source: "mail-rest"))
        #expect(converted.map(\.fileName) == ["spring-sale.toml", "docs.toml"])
        let r = try parsed(converted[0], id: "spring-sale")
        #expect(r.url == "https://shop.example.com/sale")
        #expect(r.status.rawValue == 307)
        #expect(r.name == "Spring")
        #expect(r.description == "Newsletter \"spring\"")
        #expect(r.eventType == "redirected-click")
        #expect(r.source == "mail-rest")
        #expect(r.tags == ["email", "spring"])
        #expect(Self.sorted(.object(r.properties)).jsonText
            == #"{"campaign":"spring","email":"{query.email}","offer":{"code":"SPRING","partner":{"name":"Acme"},"#
            + #""tiers":[1,2.5]},"position":2,"utm_source":"{query.utm_source}","vip":true,"visitor":"{session}"}"#)
        #expect(converted[0].notes.isEmpty)
        #expect(try parsed(converted[1], id: "docs").status.rawValue == 307)
    }

    @Test func withoutASourceEveryFileSaysWhatToDo() throws {
        let converted = try TracardiRedirectConverter.convert(json: Array(export.utf8), options: .init(status: 302))
        #expect(converted.allSatisfy { $0.notes.contains { $0.contains("--source") && $0.contains("REST") } })
        let r = try parsed(converted[0], id: "spring-sale")
        #expect(r.source == nil)
        #expect(r.status.rawValue == 302)
        #expect(converted[0].text.contains("8b1c9-redirect"))
    }

    @Test func singleObjectAndBadIDs() throws {
        let one = try TracardiRedirectConverter.convert(json: Array(#"{"id":"a1","url":"https://e.com/"}"#.utf8))
        #expect(one.count == 1)
        #expect(throws: TracardiRedirectConverter.ConversionError.self) {
            try TracardiRedirectConverter.convert(json: Array(#"{"id":"../etc","url":"https://e.com/"}"#.utf8))
        }
        #expect(throws: TracardiRedirectConverter.ConversionError.self) {
            try TracardiRedirectConverter.convert(json: Array("not json".utf8))
        }
    }
}

@Suite struct ClickStatisticsTests {
    @Test func summarizesPerRedirect() {
        let events: [(redirect: String, session: String?, bot: Bool, time: String)] = [
            ("a", "s1", false, "2026-11-29T02:00:00.000Z"),
            ("a", "s1", false, "2026-11-29T02:30:00.000Z"),
            ("a", "s2", true, "2026-11-29T03:59:59.000Z"),
            ("b", nil, false, "2026-11-29T03:00:00.000Z"),
        ]
        let stats = ClickStatistics.summarize(events, slots: 4, linesRead: 5, skipped: 1)
        #expect(stats.rows.map(\.redirect) == ["a", "b"])
        let a = stats.rows[0]
        #expect(a.clicks == 3 && a.uniqueSessions == 2 && a.bots == 1)
        #expect(a.first == "2026-11-29T02:00:00.000Z" && a.last == "2026-11-29T03:59:59.000Z")
        #expect(a.histogram == [1, 1, 0, 1])
        #expect(stats.rows[1].histogram == [0, 0, 1, 0])
        #expect(ClickStatistics.sparkline([1, 1, 0, 4]) == "▁▁ █")
    }
}
