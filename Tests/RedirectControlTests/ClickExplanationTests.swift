import Foundation
import RedirectControl
import RedirectCore
import Testing
import Timestamps

/// `redirectctl explain`'s answers on a redirects directory with rules: the rule and variant, the reasons for
/// the rules passed over, the status, Location and event redirectd would give.
@Suite struct ClickExplanationTests {
    static let iPhone =
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        + "Version/17.4 Mobile/15E148 Safari/604.1"
    static let pixel =
        "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 "
        + "Mobile Safari/537.36"
    static let windows =
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 "
        + "Safari/537.36"
    static let time = Timestamp(iso8601: "2026-03-02T10:00:00Z") ?? Timestamp(millisecondsSinceEpoch: 0)

    static let file = """
        url = "https://shop.example.com/app"
        status = 302
        event_type = "app-click"

        [[rules]]
        name = "ios"
        device = ["ios"]
        url = "https://apps.apple.com/app/id123"

        [[rules]]
        name = "android"
        device = ["android"]
        form = ["mobile"]
        url = "https://play.google.com/store/apps/details?id=shop"

        [[rules]]
        name = "german"
        language = ["de"]
        country = ["DE", "AT"]
        url = "https://shop.example.com/de/app"
        properties = { market = "dach" }

        [[rules]]
        name = "launch"
        query = { utm_content = "launch" }
        from = 2026-04-01T00:00:00Z
        url = "https://shop.example.com/launch"

        [[variants]]
        name = "a"
        weight = 50
        url = "https://shop.example.com/app?v=a"

        [[variants]]
        name = "b"
        weight = 50
        url = "https://shop.example.com/app?v=b"

        """

    /// A redirects directory with `app.toml` (the rules above) and defaults that add a property.
    func directory() throws -> TemporaryDirectory {
        let dir = try TemporaryDirectory()
        try dir.create("app.toml", .text(Self.file))
        try dir.create("_defaults.toml", .text("source = \"links\"\n[properties]\nchannel = \"link\"\n"))
        return dir
    }

    func explain(_ click: ClickExplanation.Click, in dir: TemporaryDirectory) throws -> ClickExplanation {
        try ClickExplanation.explain(id: "app", click: click, directory: dir.path, countryDatabase: nil)
    }

    /// The event line as JSON, for reading its fields.
    func event(_ explanation: ClickExplanation) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(explanation.eventLine.utf8)) as? [String: Any] ?? [:]
    }

    @Test func theFirstRuleMatches() throws {
        let dir = try directory()
        let result = try explain(.init(session: "s-1", userAgent: Self.iPhone, time: Self.time), in: dir)
        #expect(result.decision.response.status == 302)
        #expect(result.decision.response.location == "https://apps.apple.com/app/id123")
        let lines = result.lines
        #expect(lines.contains("rule 1    ios: matches"))
        #expect(!lines.contains { $0.hasPrefix("rule 2") })
        #expect(lines.contains("device    ios, form mobile"))
        #expect(lines.contains("session   s-1"))
        #expect(lines.contains("→ 302 https://apps.apple.com/app/id123"))
        #expect(lines.first == "redirect  app (\(dir.path)/app.toml)")
        let event = try event(result)
        #expect(event["rule"] as? String == "ios")
        #expect(event["variant"] is NSNull)
        #expect(event["device"] as? String == "ios" && event["form"] as? String == "mobile")
        #expect(event["type"] as? String == "app-click" && event["source"] as? String == "links")
        #expect((event["properties"] as? [String: Any])?["channel"] as? String == "link")
        #expect(lines.last == "event     " + result.eventLine)
    }

    @Test func aLaterRuleMatchesAndTheEarlierOnesSayWhyNot() throws {
        let dir = try directory()
        let result = try explain(.init(userAgent: Self.pixel, time: Self.time), in: dir)
        #expect(result.decision.response.location == "https://play.google.com/store/apps/details?id=shop")
        #expect(result.lines.contains(#"rule 1    ios: no, device is "android", not one of "ios""#))
        #expect(result.lines.contains("rule 2    android: matches"))
        #expect(try event(result)["rule"] as? String == "android")
    }

    @Test func languageAndGivenCountry() throws {
        let dir = try directory()
        let result = try explain(
            .init(userAgent: Self.windows, acceptLanguage: "de-AT,en;q=0.8", country: "AT", time: Self.time), in: dir)
        #expect(result.country?.description == "AT" && result.countrySource == .given)
        #expect(result.lines.contains(#"language  de (first choice of "de-AT,en;q=0.8")"#))
        #expect(result.lines.contains("country   AT (--country, as nginx's REDIRECT_COUNTRY)"))
        #expect(
            result.lines.contains(
                #"rule 2    android: no, device is "windows", not one of "android"; form is "desktop", not one of "mobile""#
            ))
        #expect(result.lines.contains("rule 3    german: matches"))
        let event = try event(result)
        #expect(event["rule"] as? String == "german" && event["country"] as? String == "AT")
        #expect((event["properties"] as? [String: Any])?["market"] as? String == "dach")
    }

    @Test func noRuleHoldsSoTheSplitDecidesBySession() throws {
        let dir = try directory()
        let result = try explain(
            .init(
                session: "s-42", userAgent: Self.windows, acceptLanguage: "de", query: "utm_content=launch",
                time: Self.time), in: dir)
        let lines = result.lines
        #expect(lines.contains(#"rule 3    german: no, country is unknown, not one of "DE", "AT""#))
        #expect(
            lines.contains(
                "rule 4    launch: no, the click at 2026-03-02T10:00:00.000Z is before from (2026-04-01T00:00:00.000Z)")
        )
        #expect(lines.contains("rules     none matched"))
        // The split's own draw for this session picks the variant.
        let expected = ["a", "b"][SplitDraw.session(linkID: "app", session: "s-42").pick(weights: [50, 50])]
        #expect(result.splitSource == .session("s-42"))
        #expect(
            lines.contains(
                "variant   \(expected), weight 50 of 100, chosen by session s-42, the same on every click"))
        #expect(result.decision.response.location == "https://shop.example.com/app?v=\(expected)")
        let event = try event(result)
        #expect(event["rule"] is NSNull && event["variant"] as? String == expected)
    }

    @Test func withoutAnAgentTheClickIsABotAndSaysSo() throws {
        let dir = try directory()
        let result = try explain(.init(address: "192.0.2.7", time: Self.time), in: dir)
        #expect(result.lines.contains("agent     none sent (pass --user-agent to give one)"))
        #expect(result.lines.contains("bot       yes, no-user-agent (other)"))
        #expect(result.lines.contains(#"rule 1    ios: no, device is none recognised, not one of "ios""#))
        #expect(result.splitSource == .visitor)
        let expected = SplitDraw.visitor(linkID: "app", address: "192.0.2.7", userAgent: nil).pick(weights: [50, 50])
        #expect(try event(result)["variant"] as? String == ["a", "b"][expected])
    }

    @Test func anHonouredPrivacySignalDrawsAfresh() throws {
        let dir = try directory()
        let result = try explain(
            .init(userAgent: Self.windows, address: "192.0.2.7", time: Self.time, globalPrivacyControl: true), in: dir)
        #expect(result.splitSource == .random)
        #expect(result.lines.contains("privacy   Sec-GPC honoured: no address, agent or referer in the event"))
        let event = try event(result)
        #expect((event["request"] as? [String: Any])?["ip"] is NSNull)
    }

    @Test func aDisabledLinkTriesNoRule() throws {
        let dir = try TemporaryDirectory()
        try dir.create("app.toml", .text("enabled = false\n" + Self.file))
        let result = try explain(.init(userAgent: Self.iPhone, time: Self.time), in: dir)
        #expect(result.rules == nil)
        #expect(result.lines.contains("link      disabled (enabled = false): rules not tried"))
        // As redirectd answers a switched-off link: not found (the event says disabled).
        #expect(result.decision.response.status == 404)
        #expect(result.lines.contains("→ 404"))
        #expect(try event(result)["outcome"] as? String == "disabled")
    }

    @Test func anUnknownIDAndABrokenFileAreErrors() throws {
        let dir = try directory()
        #expect(throws: ClickExplanationError.unknownID("shop", dir.path + "/shop.toml")) {
            try ClickExplanation.explain(
                id: "shop", click: .init(time: Self.time), directory: dir.path, countryDatabase: nil)
        }
        try dir.create("broken.toml", .text("url = \"https://e.com/\"\nstatus = \"302\"\n"))
        let error = #expect(throws: ClickExplanationError.self) {
            try ClickExplanation.explain(
                id: "broken", click: .init(time: Self.time), directory: dir.path, countryDatabase: nil)
        }
        #expect(error?.description.contains("broken.toml:2:1: status must be an integer") == true)
    }

    @Test func aBrokenDefaultsFileIsAnError() throws {
        let dir = try directory()
        try dir.create("_defaults.toml", .text("anonymize_ip = \"yes\"\n"))
        let error = #expect(throws: ClickExplanationError.self) {
            try ClickExplanation.explain(
                id: "app", click: .init(time: Self.time), directory: dir.path, countryDatabase: nil)
        }
        #expect(error?.description.contains("_defaults.toml:1:") == true)
    }

    @Test func aMissingCountryDatabaseIsAnError() throws {
        let dir = try directory()
        let error = #expect(throws: ClickExplanationError.self) {
            try ClickExplanation.explain(
                id: "app", click: .init(address: "192.0.2.7", time: Self.time), directory: dir.path,
                countryDatabase: dir.path + "/missing.mmdb")
        }
        #expect(error == .countryDatabase("country database \(dir.path)/missing.mmdb: no such file"))
        // --country wins: the database is not opened.
        let given = try ClickExplanation.explain(
            id: "app", click: .init(address: "192.0.2.7", country: "DE", time: Self.time), directory: dir.path,
            countryDatabase: dir.path + "/missing.mmdb")
        #expect(given.countrySource == .given)
    }
}
