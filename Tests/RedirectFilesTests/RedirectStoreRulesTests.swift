import Foundation
import RedirectCore
import Testing

@testable import RedirectFiles

/// Rules and variants in the packed cache entry: they come back as the parser read them, and a file whose
/// rules turn invalid keeps its last good version serving.
@Suite struct RedirectStoreRulesTests {
    static let text = """
        url = "https://shop.example.com/sale"
        status = 307
        [properties]
        campaign = "spring"
        [[rules]]
        name = "phones"
        device = ["android", "ios"]
        form = ["tablet", "mobile"]
        url = "https://apps.example.com/{session}"
        status = 301
        event_type = "app-click"
        [[rules]]
        name = "dach"
        language = ["de", "gsw"]
        country = ["DE", "AT", "CH"]
        query = { utm_content = "b", "x y" = "é" }
        bot = false
        from = 2026-03-01T00:00:00Z
        until = 2026-03-08T00:00:00+01:00
        properties = { market = "dach", nested = { list = [1, 2.5, "three"] } }
        [[rules.variants]]
        name = "a"
        weight = 1
        url = "https://shop.example.com/de?v=a"
        properties = { arm = "a" }
        [[rules.variants]]
        name = "b"
        weight = 9223372036854775806
        url = "https://shop.example.com/de?v=b"
        [[rules]]
        name = "bots"
        bot = true
        url = "https://shop.example.com/card"
        [[variants]]
        name = "x"
        weight = 3
        url = "https://shop.example.com/sale?v=x"
        [[variants]]
        name = "y"
        weight = 1
        url = "https://shop.example.com/sale?v=y"
        properties = { arm = "y" }
        """

    @Test func rulesAndVariantsSurviveTheCache() throws {
        let fixture = try StoreFixture()
        try fixture.write("sale.toml", Self.text)
        let store = fixture.store()
        let expected = try parsed(Self.text, id: "sale")
        #expect(expected.rules.count == 3 && expected.variants.count == 2)
        // The first lookup parses the file, the second unpacks the cache entry.
        #expect(found(store.lookup("sale")) == expected)
        let unpacked = try #require(found(store.lookup("sale")))
        #expect(unpacked == expected)
        #expect(unpacked.rules[0].conditions.devices == [.android, .ios])
        #expect(unpacked.rules[1].conditions.until == Timestamp(year: 2026, month: 3, day: 7, hour: 23))
        #expect(unpacked.rules[1].variants[1].weight == 9_223_372_036_854_775_806)
        #expect(fixture.log.isEmpty)
    }

    @Test func aFileWithoutRulesPacksAsBefore() throws {
        let fixture = try StoreFixture()
        let text = "url = \"https://e.com/\"\n"
        try fixture.write("plain.toml", text)
        try fixture.write("ruled.toml", text + "[[rules]]\nname = \"b\"\nbot = true\nurl = \"https://e.com/b\"\n")
        let store = fixture.store()
        _ = store.lookup("plain")
        _ = store.lookup("ruled")
        let plain = try #require(store.cachedEntryForTesting("plain"))
        let ruled = try #require(store.cachedEntryForTesting("ruled"))
        // The id, the URL behind its length, three absent strings and no properties: nothing for rules.
        #expect(plain.withID { $0.count } == 5)
        #expect(plain.packedLength == 5 + 1 + 14 + 3 + 1)
        #expect(ruled.packedLength > plain.packedLength + 14)
    }

    @Test func anEditThatBreaksARuleKeepsTheLastGoodVersionServing() throws {
        let fixture = try StoreFixture()
        let store = fixture.store()
        try fixture.write("s.toml", Self.text)
        #expect(found(store.lookup("s"))?.rules.count == 3)
        try fixture.write("s.toml", Self.text.replacingOccurrences(of: "\"DE\", \"AT\"", with: "\"DE\", \"XX\""))
        #expect(found(store.lookup("s"))?.rules[1].conditions.countries.map(\.description) == ["DE", "AT", "CH"])
        #expect(fixture.log.count == 1)
        #expect(fixture.log.first?.contains("s.toml:15:") == true)
        #expect(fixture.log.first?.contains("country \"XX\" is not an assigned ISO 3166-1 alpha-2 code") == true)
    }
}
