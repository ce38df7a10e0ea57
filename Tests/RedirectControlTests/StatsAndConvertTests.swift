import Foundation
import Testing
@testable import RedirectControl
import RedirectCore

@Suite struct TracardiConversionTests {
    let export = """
        [{"id": "spring-sale", "name": "Spring", "description": "Newsletter \\"spring\\"",
          "url": "https://shop.example.com/sale", "event_type": "redirected-click",
          "props": {"utm_source": "payload@params.utm_source", "campaign": "spring", "position": 2, "vip": true},
          "source": {"id": "8b1c9-rest", "name": "Newsletter"}, "tags": ["email", "spring"]},
         {"id": "docs", "url": "https://docs.example.com/", "props": {}}]
        """

    @Test func convertsAnExportIntoValidFiles() throws {
        let converted = try TracardiRedirectConverter.convert(json: Data(export.utf8))
        #expect(converted.map(\.fileName) == ["spring-sale.toml", "docs.toml"])
        let result = RedirectFileParser.parseRedirect(text: converted[0].text, id: "spring-sale", file: "spring-sale.toml")
        #expect(result.problems.isEmpty)
        let r = try #require(result.value)
        #expect(r.url == "https://shop.example.com/sale")
        #expect(r.name == "Spring")
        #expect(r.description == "Newsletter \"spring\"")
        #expect(r.eventType == "redirected-click")
        #expect(r.source == "8b1c9-rest")
        #expect(r.tags == ["email", "spring"])
        #expect(JSONValue.object(r.properties).jsonText
            == #"{"campaign":"spring","position":2,"utm_source":"{query.utm_source}","vip":true}"#)
        #expect(RedirectFileParser.parseRedirect(text: converted[1].text, id: "docs", file: "docs.toml").problems.isEmpty)
    }

    @Test func singleObjectAndBadIDs() throws {
        let one = try TracardiRedirectConverter.convert(json: Data(#"{"id":"a1","url":"https://e.com/"}"#.utf8))
        #expect(one.count == 1)
        #expect(throws: TracardiRedirectConverter.ConversionError.self) {
            try TracardiRedirectConverter.convert(json: Data(#"{"id":"../etc","url":"https://e.com/"}"#.utf8))
        }
        #expect(throws: TracardiRedirectConverter.ConversionError.self) {
            try TracardiRedirectConverter.convert(json: Data("not json".utf8))
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
