import CountryCodes
import DeviceDetection
import Foundation
import JSON
import RedirectCore
import Testing
import Timestamps

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

    /// The cache keeps rules packed and evaluates them in place: every click gets what the parsed values
    /// give it, the same rule, variant, target, status, event type and properties.
    @Test func packedRulesChooseAsTheValuesDo() throws {
        let fixture = try StoreFixture()
        try fixture.write("sale.toml", Self.text)
        let store = fixture.store()
        _ = store.lookup("sale")
        let cached = try #require(found(store.lookup("sale")))
        #expect(cached.packedRules != nil)
        let values = try parsed(Self.text, id: "sale")
        #expect(values.packedRules == nil)
        var state: UInt64 = 0x1234_5678
        func next(_ n: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(state >> 33) % n
        }
        let languages: [String?] = ["de", "gsw", "en", nil]
        let countries: [String?] = ["DE", "CH", "FR", nil]
        let queries = ["", "utm_content=b", "utm_content=c", "x+y=%C3%A9&utm_content=b", "utm_content=b&x%20y=%C3%A9"]
        let times = [
            Timestamp(year: 2026, month: 2, day: 1), Timestamp(year: 2026, month: 3, day: 1),
            Timestamp(year: 2026, month: 3, day: 7, hour: 22), Timestamp(year: 2026, month: 3, day: 7, hour: 23),
        ]
        var seen: Set<String> = []
        for _ in 0..<5000 {
            let devices: [DeviceOS?] = DeviceOS.allCases + [nil]
            let forms: [FormFactor?] = FormFactor.allCases + [nil]
            let context = RuleContext(
                device: devices[next(devices.count)], form: forms[next(forms.count)],
                language: languages[next(languages.count)].flatMap { PrimaryLanguage($0) },
                country: countries[next(countries.count)].flatMap { CountryCode($0) },
                query: QueryString(parsing: queries[next(queries.count)]), now: times[next(times.count)],
                isBot: next(2) == 0, draw: SplitDraw(value: UInt64(next(1 << 30)) << 34 | UInt64(next(1 << 30))))
            let match = RuleEvaluator.evaluate(cached, in: context)
            #expect(match == RuleEvaluator.evaluate(values, in: context))
            let a = cached.outcome(for: match)
            let b = values.outcome(for: match)
            #expect(a.url == b.url && a.status == b.status && a.eventType == b.eventType)
            #expect(a.rule == b.rule && a.variant == b.variant)
            #expect(JSONValue.object(a.properties) == JSONValue.object(b.properties))
            seen.insert("\(a.rule ?? "-")/\(a.variant ?? "-")")
        }
        // Every rule and every variant came up (but "a", one share in 2^63 - 1).
        #expect(seen == ["phones/-", "dach/b", "bots/-", "-/x", "-/y"])
        // Explaining unpacks: the same words either way.
        let context = RuleContext(language: PrimaryLanguage("de"), now: times[1], draw: .random(0))
        #expect(
            RuleEvaluator.explain(cached, in: context).lines(for: cached)
                == RuleEvaluator.explain(values, in: context).lines(for: values))
    }

    @Test func settingRulesOnACachedRedirectUnpacksTheRest() throws {
        let fixture = try StoreFixture()
        try fixture.write("sale.toml", Self.text)
        let store = fixture.store()
        _ = store.lookup("sale")
        var cached = try #require(found(store.lookup("sale")))
        cached.rules.removeFirst()
        #expect(cached.packedRules == nil)
        #expect(cached.rules.map(\.name) == ["dach", "bots"])
        #expect(cached.variants.map(\.name) == ["x", "y"])
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
