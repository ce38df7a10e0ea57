import CountryCodes
import DeviceDetection
import JSON
import Testing
import Timestamps

@testable import RedirectCore

/// Rules and splits through the whole decision: the `Location` a visitor gets and the event that records why.
@Suite struct ClickDeciderRulesTests {
    static let file = """
        url = "https://shop.example.com/sale"
        event_type = "email-click"
        properties = { campaign = "spring" }

        [[rules]]
        name = "ios"
        device = ["ios"]
        url = "https://apps.apple.com/app/id123?c={click_id}"

        [[rules]]
        name = "android-phones"
        device = ["android"]
        form = ["mobile"]
        url = "https://play.google.com/store/apps/details?id=shop"
        status = 307

        [[rules]]
        name = "dach"
        language = ["de"]
        country = ["DE", "AT", "CH"]
        url = "https://shop.example.com/de/sale"
        event_type = "dach-click"
        properties = { market = "dach" }

        [[rules]]
        name = "previews"
        bot = true
        url = "https://shop.example.com/sale/preview-card"

        [[rules]]
        name = "launch-week"
        query = { utm_content = "b b" }
        from = 2026-03-01T00:00:00Z
        until = 2026-03-08T00:00:00Z
        url = "https://shop.example.com/launch"

        [[variants]]
        name = "a"
        weight = 50
        url = "https://shop.example.com/sale?v=a"
        [[variants]]
        name = "b"
        weight = 50
        url = "https://shop.example.com/sale?v=b"
        properties = { layout = "new" }
        """

    static let iPhone =
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        + "Version/17.4 Mobile/15E148 Safari/604.1"
    static let pixel =
        "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 "
        + "Mobile Safari/537.36"
    static let windows =
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 "
        + "Safari/537.36"

    let redirect: Redirect
    let inLaunchWeek = Timestamp(year: 2026, month: 3, day: 2, hour: 9, minute: 0, second: 0, millisecond: 0)
    let later = Timestamp(year: 2026, month: 4, day: 2, hour: 9, minute: 0, second: 0, millisecond: 0)

    init() throws {
        let parsed = RedirectFileParser.parseRedirect(text: Self.file, id: "sale", file: "sale.toml")
        #expect(parsed.problems.isEmpty, "\(parsed.problems)")
        redirect = try #require(parsed.value)
    }

    func click(
        path: String = "/sale/s-1", query: String = "", agent: String? = windows, language: String? = nil,
        country: String? = nil, method: String = "GET", gpc: Bool = false, at time: Timestamp? = nil,
        redirect given: Redirect? = nil, defaults: RedirectDefaults = RedirectDefaults(),
        clickID: String = "01a2256d-9f98-77af-9da3-2ebfc2723450"
    ) throws -> (status: Int, location: String?, event: ClickEvent) {
        let request = ClickRequest(
            method: method, pathInfo: path, query: query, remoteAddress: "203.0.113.7", userAgent: agent,
            acceptLanguage: language, host: "go.example.com", globalPrivacyControl: gpc)
        let redirect = given ?? self.redirect
        let d = ClickDecider.decide(
            for: request, defaults: defaults, now: time ?? later, clickID: clickID,
            country: country.flatMap { CountryCode($0) }
        ) { id in id == redirect.id ? .found(redirect) : .notFound }
        let event = try #require(d.event)
        return (d.response.status, d.response.location, event)
    }

    @Test func theFirstRuleThatHoldsWinsAndTheEventSaysWhich() throws {
        let ios = try click(agent: Self.iPhone, language: "de-DE", country: "DE")
        #expect(ios.status == 302)
        #expect(ios.location == "https://apps.apple.com/app/id123?c=01a2256d-9f98-77af-9da3-2ebfc2723450")
        #expect(ios.event.rule == "ios" && ios.event.variant == nil)
        #expect(ios.event.device == .ios && ios.event.form == .mobile && ios.event.country == "DE")
        #expect(ios.event.target == ios.location)

        let android = try click(agent: Self.pixel)
        #expect(android.status == 307)
        #expect(android.location == "https://play.google.com/store/apps/details?id=shop")
        #expect(android.event.rule == "android-phones" && android.event.status == 307)
    }

    @Test func everyConditionOfARuleMustHold() throws {
        let dach = try click(language: "de-AT,en;q=0.8", country: "AT")
        #expect(dach.location == "https://shop.example.com/de/sale")
        #expect(dach.event.rule == "dach" && dach.event.type == "dach-click")
        #expect(dach.event.properties.map(\.key) == ["campaign", "market"])

        // German, but from France: the rule does not hold, and the click falls through to the split.
        let france = try click(language: "de-DE", country: "FR")
        #expect(france.event.rule == nil && ["a", "b"].contains(france.event.variant))
        #expect(france.event.type == "email-click")
        // No country known at all (no database, nothing from nginx): a country rule never holds.
        #expect(try click(language: "de").event.rule == nil)
    }

    @Test func botsAndQueryAndTimeWindows() throws {
        let preview = try click(agent: "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)")
        #expect(preview.event.rule == "previews" && preview.event.bot != nil)
        #expect(preview.location == "https://shop.example.com/sale/preview-card")

        let launch = try click(query: "utm_content=b%20b", at: inLaunchWeek)
        #expect(launch.event.rule == "launch-week")
        #expect(try click(query: "utm_content=b+b", at: inLaunchWeek).event.rule == "launch-week")
        // The window is half-open and the query must match.
        #expect(try click(query: "utm_content=b%20b", at: later).event.rule == nil)
        #expect(try click(query: "utm_content=a", at: inLaunchWeek).event.rule == nil)
    }

    @Test func theSplitIsStickyPerSessionAndRecordsTheVariant() throws {
        let first = try click(path: "/sale/s-42")
        for n in 0..<50 {
            // Another click id every time: the session, not the click, decides.
            let again = try click(path: "/sale/s-42", clickID: "01a2256d-9f98-77af-9da3-2ebfc27234\(n + 10)")
            #expect(again.event.variant == first.event.variant && again.location == first.location)
        }
        var counts: [String: Int] = [:]
        for n in 0..<2000 {
            let c = try click(path: "/sale/s-\(n)")
            counts[c.event.variant ?? "none", default: 0] += 1
            if c.event.variant == "b" {
                #expect(c.location == "https://shop.example.com/sale?v=b")
                #expect(c.event.properties.map(\.key) == ["campaign", "layout"])
            }
        }
        #expect(counts.keys.sorted() == ["a", "b"])
        #expect(abs(counts["a", default: 0] - 1000) < 100, "\(counts)")
    }

    @Test func withoutASessionTheVisitorKeepsTheVariantUnlessTheyAskNotToBeTracked() throws {
        let defaults = RedirectDefaults(honorPrivacySignals: true)
        let first = try click(path: "/sale", defaults: defaults)
        var seen: Set<String> = []
        for n in 0..<40 {
            let id = "01a2256d-9f98-77af-9da3-2ebfc27234\(n + 10)"
            #expect(try click(path: "/sale", defaults: defaults, clickID: id).event.variant == first.event.variant)
            seen.insert(try click(path: "/sale", gpc: true, defaults: defaults, clickID: id).event.variant ?? "none")
        }
        // Under Sec-GPC without a session nothing about the visitor is hashed: each click draws afresh.
        #expect(seen == ["a", "b"])
    }

    @Test func aDisabledOrExpiredLinkAppliesNoRule() throws {
        var disabled = redirect
        disabled.enabled = false
        let off = try click(agent: Self.iPhone, redirect: disabled)
        #expect(off.status == 404 && off.event.rule == nil && off.event.variant == nil)
        #expect(off.event.device == .ios)

        var expired = redirect
        expired.validUntil = Timestamp(year: 2026, month: 1, day: 1, hour: 0, minute: 0, second: 0, millisecond: 0)
        let gone = try click(agent: Self.iPhone, redirect: expired)
        #expect(gone.status == 410 && gone.event.rule == nil && gone.event.outcome == .expired)
    }

    @Test func aPlainFileRecordsDeviceAndCountryButNoRule() throws {
        let plain = Redirect(id: "sale", url: "https://shop.example.com/sale")
        let c = try click(agent: Self.windows, country: "ch", redirect: plain)
        #expect(c.location == "https://shop.example.com/sale")
        #expect(c.event.rule == nil && c.event.variant == nil)
        #expect(c.event.device == .windows && c.event.form == .desktop && c.event.country == "CH")
        let none = try click(agent: nil, redirect: plain)
        #expect(none.event.device == nil && none.event.form == nil && none.event.country == nil)
    }

    @Test func theEventLineCarriesTheDecision() throws {
        let c = try click(agent: Self.iPhone, country: "DE")
        var line: [UInt8] = []
        let length = c.event.writeJSONLine(into: &line)
        let object = try #require(JSONValue(parsing: Array(line[..<length])))
        #expect(object["rule"] == .string("ios"))
        #expect(object["variant"] == .null)
        #expect(object["country"] == .string("DE"))
        #expect(object["device"] == .string("ios"))
        #expect(object["form"] == .string("mobile"))
    }
}
