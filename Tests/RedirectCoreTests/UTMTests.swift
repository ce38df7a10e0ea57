import JSON
import Testing
import Timestamps

@testable import RedirectCore

/// `[utm]` in redirect files and `_defaults.toml`: what the visitor's `Location` and the click's event get.
@Suite struct UTMTests {
    static let clickID = "01a2256d-9f98-77af-9da3-2ebfc2723450"

    func defaults(_ text: String) throws -> RedirectDefaults {
        let result = RedirectFileParser.parseDefaults(text: text, file: "_defaults.toml")
        #expect(result.problems.isEmpty, "\(result.problems)")
        return try #require(result.value)
    }

    func redirect(_ text: String, defaults: RedirectDefaults = RedirectDefaults()) throws -> Redirect {
        let result = RedirectFileParser.parseRedirect(text: text, id: "sale", file: "sale.toml", defaults: defaults)
        #expect(result.problems.isEmpty, "\(result.problems)")
        return try #require(result.value)
    }

    /// One click on `redirect` as the responder decides it.
    func click(
        _ redirect: Redirect, query: String = "", defaults: RedirectDefaults = RedirectDefaults(),
        agent: String = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/124.0 Safari/537.36",
        at time: Timestamp = Timestamp(year: 2026, month: 3, day: 2, hour: 9, minute: 0, second: 0, millisecond: 0)
    ) throws -> (location: String?, event: ClickEvent) {
        let request = ClickRequest(
            method: "GET", pathInfo: "/\(redirect.id)/s-1", query: query, remoteAddress: "203.0.113.7",
            userAgent: agent, host: "go.example.com")
        let decision = ClickDecider.decide(for: request, defaults: defaults, now: time, clickID: Self.clickID) { id in
            id == redirect.id ? .found(redirect) : .notFound
        }
        return (decision.response.location, try #require(decision.event))
    }

    func properties(_ event: ClickEvent) -> String { JSONValue.object(event.properties).jsonText }

    // MARK: Adding to a URL

    @Test(arguments: [
        ("https://e.com/p", "https://e.com/p?utm_source=news&utm_medium=email"),
        ("https://e.com/p?a=1", "https://e.com/p?a=1&utm_source=news&utm_medium=email"),
        ("https://e.com/p?", "https://e.com/p?utm_source=news&utm_medium=email"),
        ("https://e.com/p?a=1&", "https://e.com/p?a=1&utm_source=news&utm_medium=email"),
        ("https://e.com/p#top", "https://e.com/p?utm_source=news&utm_medium=email#top"),
        // The URL's own parameter wins, and its query goes out as written.
        ("https://e.com/p?utm_source=ad&q=a+b", "https://e.com/p?utm_source=ad&q=a+b&utm_medium=email"),
        ("https://e.com/p?utm%5Fsource=ad", "https://e.com/p?utm%5Fsource=ad&utm_medium=email"),
        ("https://e.com/p?utm_source=ad&utm_medium=", "https://e.com/p?utm_source=ad&utm_medium="),
    ])
    func addedToAURL(url: String, expected: String) {
        #expect(UTMParameters(source: "news", medium: "email").added(to: url) == expected)
    }

    @Test func valuesArePercentEncodedButForPlaceholders() {
        let utm = UTMParameters(campaign: "spring sale/{redirect}", content: "a&b={x}")
        #expect(
            utm.added(to: "https://e.com/")
                == "https://e.com/?utm_campaign=spring%20sale%2F{redirect}&utm_content=a%26b%3D%7Bx%7D")
    }

    // MARK: Precedence

    static let defaultsText = """
        [utm]
        source = "newsletter"
        medium = "email"
        """

    @Test func theDefaultsUTMGoesOnEveryTarget() throws {
        let d = try defaults(Self.defaultsText)
        let r = try redirect(#"url = "https://shop.example.com/sale""#, defaults: d)
        let c = try click(r, defaults: d)
        #expect(c.location == "https://shop.example.com/sale?utm_source=newsletter&utm_medium=email")
        #expect(properties(c.event) == #"{"utm_source":"newsletter","utm_medium":"email"}"#)
    }

    @Test func theFilesUTMWinsOverTheDefaultsAndTheURLsOwnOverBoth() throws {
        let d = try defaults(Self.defaultsText)
        let r = try redirect(
            """
            url = "https://shop.example.com/sale?utm_medium=print"
            [utm]
            source = "spring-mailing"
            campaign = "spring"
            """, defaults: d)
        let c = try click(r, defaults: d)
        #expect(
            c.location == "https://shop.example.com/sale?utm_medium=print&utm_source=spring-mailing&utm_campaign=spring"
        )
        // The event records the [utm] values (the URL's own utm_medium is in `target`).
        #expect(
            properties(c.event) == #"{"utm_source":"spring-mailing","utm_medium":"email","utm_campaign":"spring"}"#)
        #expect(c.event.target == c.location)
    }

    /// `forward_query = true`: the visitor's parameters come last, below the URL's, the file's and the defaults'.
    @Test func forwardedQueryCannotRewriteTheUTM() throws {
        let d = try defaults(Self.defaultsText)
        let r = try redirect(
            """
            url = "https://shop.example.com/sale?utm_term=shoes"
            forward_query = true
            [utm]
            campaign = "spring"
            """, defaults: d)
        let c = try click(
            r, query: "utm_source=evil&utm_medium=x&utm_campaign=y&utm_term=z&utm_content=v&ref=1", defaults: d)
        #expect(
            c.location
                == "https://shop.example.com/sale?utm_term=shoes&utm_source=newsletter&utm_medium=email"
                + "&utm_campaign=spring&utm_content=v&ref=1")
        #expect(
            properties(c.event) == #"{"utm_source":"newsletter","utm_medium":"email","utm_campaign":"spring"}"#)
        // Without a query the target is the one built when the file was read.
        #expect(
            try click(r, defaults: d).location
                == "https://shop.example.com/sale?utm_term=shoes&utm_source=newsletter&utm_medium=email"
                + "&utm_campaign=spring")
    }

    /// `forward_query = "override"`: the visitor's parameters come first, over the URL's, the file's and the
    /// defaults'.
    @Test func overrideLetsTheVisitorsUTMWin() throws {
        let d = try defaults(Self.defaultsText)
        let r = try redirect(
            """
            url = "https://shop.example.com/sale?utm_term=shoes"
            forward_query = "override"
            [utm]
            campaign = "spring"
            """, defaults: d)
        let c = try click(r, query: "utm_source=partner&utm_term=boots&ref=1", defaults: d)
        #expect(
            c.location
                == "https://shop.example.com/sale?utm_medium=email&utm_campaign=spring&utm_source=partner"
                + "&utm_term=boots&ref=1")
        let untouched = try click(r, query: "ref=1", defaults: d)
        #expect(
            untouched.location
                == "https://shop.example.com/sale?utm_term=shoes&utm_source=newsletter&utm_medium=email"
                + "&utm_campaign=spring&ref=1")
    }

    @Test func withoutUTMNothingChanges() throws {
        let text = "url = \"https://shop.example.com/sale?a=1\"\n[properties]\nx = 1\n"
        let plain = try redirect(text)
        #expect(plain.url == "https://shop.example.com/sale?a=1")
        #expect(plain == (try redirect(text, defaults: try defaults("source = \"web\"\n"))))
    }

    // MARK: Rules, variants, expired_url

    @Test func rulesVariantsAndTheExpiredURLGetTheUTM() throws {
        let d = try defaults(Self.defaultsText)
        let r = try redirect(
            """
            url = "https://shop.example.com/sale"
            valid_until = 2026-04-01T00:00:00Z
            expired_url = "https://shop.example.com/over"
            [utm]
            campaign = "spring"
            [[rules]]
            name = "ios"
            device = ["ios"]
            url = "https://apps.apple.com/app/id1?utm_source=appstore"
            [[rules]]
            name = "split-phones"
            form = ["mobile"]
            [[rules.variants]]
            name = "m"
            weight = 1
            url = "https://m.example.com/sale"
            [[variants]]
            name = "a"
            weight = 1
            url = "https://shop.example.com/a"
            properties = { utm_campaign = "spring-a" }
            """, defaults: d)
        let iPhone =
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
            + "Version/17.4 Mobile/15E148 Safari/604.1"
        let android =
            "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 "
            + "Mobile Safari/537.36"
        let ios = try click(r, defaults: d, agent: iPhone)
        #expect(ios.event.rule == "ios")
        #expect(
            ios.location
                == "https://apps.apple.com/app/id1?utm_source=appstore&utm_medium=email&utm_campaign=spring")
        let phone = try click(r, defaults: d, agent: android)
        #expect(phone.event.variant == "m")
        #expect(
            phone.location == "https://m.example.com/sale?utm_source=newsletter&utm_medium=email&utm_campaign=spring")
        let desktop = try click(r, defaults: d)
        #expect(desktop.event.variant == "a")
        #expect(
            desktop.location == "https://shop.example.com/a?utm_source=newsletter&utm_medium=email&utm_campaign=spring")
        // The variant's explicit property wins over the one [utm] gives.
        #expect(
            properties(desktop.event) == #"{"utm_source":"newsletter","utm_medium":"email","utm_campaign":"spring-a"}"#)
        let late = try click(
            r, defaults: d, at: Timestamp(year: 2026, month: 5, day: 1, hour: 0, minute: 0, second: 0, millisecond: 0))
        #expect(late.event.outcome == .expired)
        #expect(
            late.location == "https://shop.example.com/over?utm_source=newsletter&utm_medium=email&utm_campaign=spring")
    }

    @Test func theNotFoundURLGetsNoUTM() throws {
        let d = try defaults("not_found_url = \"https://shop.example.com/\"\n" + Self.defaultsText)
        let r = try redirect(#"url = "https://shop.example.com/sale""#, defaults: d)
        let request = ClickRequest(method: "GET", pathInfo: "/nothing", query: "", remoteAddress: "203.0.113.7")
        let decision = ClickDecider.decide(
            for: request, defaults: d, now: Timestamp(millisecondsSinceEpoch: 0), clickID: Self.clickID
        ) { id in id == r.id ? .found(r) : .notFound }
        #expect(decision.response.location == "https://shop.example.com/")
    }

    // MARK: Properties

    @Test func anExplicitPropertyWinsOverTheUTMOne() throws {
        let d = try defaults(
            """
            [properties]
            utm_medium = "mail"
            [utm]
            source = "newsletter"
            medium = "email"
            term = "default-term"
            """)
        let r = try redirect(
            """
            url = "https://shop.example.com/sale"
            [properties]
            utm_source = "crm"
            segment = "vip"
            [utm]
            source = "spring-mailing"
            term = "shoes"
            """, defaults: d)
        let c = try click(r, defaults: d)
        #expect(c.location == "https://shop.example.com/sale?utm_source=spring-mailing&utm_medium=email&utm_term=shoes")
        // utm_source: the file's explicit property over its [utm]; utm_medium: the defaults' explicit property
        // over the defaults' [utm]; utm_term: the file's [utm] over the defaults' [utm].
        #expect(
            properties(c.event) == #"{"utm_medium":"mail","utm_term":"shoes","utm_source":"crm","segment":"vip"}"#)
    }

    @Test func placeholdersInUTMValuesAreFilledOnEachClick() throws {
        let d = try defaults("[utm]\ncampaign = \"{redirect}\"\ncontent = \"{query.c}\"\n")
        let r = try redirect(#"url = "https://shop.example.com/sale""#, defaults: d)
        let c = try click(r, query: "c=hero%20image", defaults: d)
        #expect(c.location == "https://shop.example.com/sale?utm_campaign=sale&utm_content=hero%20image")
        #expect(properties(c.event) == #"{"utm_campaign":"sale","utm_content":"hero image"}"#)
    }

    // MARK: Findings

    func problems(_ text: String, defaults: RedirectDefaults = RedirectDefaults()) -> [String] {
        RedirectFileParser.parseRedirect(text: text, id: "x", file: "x.toml", defaults: defaults).problems.map {
            "\($0.line):\($0.column): \($0.severity == .warning ? "warning: " : "")\($0.message)"
        }
    }

    @Test(arguments: [
        (
            "[utm]\nsorce = \"a\"\n",
            "3:1: warning: unknown key \"utm.sorce\" (known: source, medium, campaign, term, content) (did you mean \"source\"?)"
        ),
        ("[utm]\nsource = 1\n", "3:1: utm.source must be a string, found an integer"),
        ("[utm]\nmedium = \"\"\n", "3:10: utm.medium must not be empty (leave the key out to add no utm_medium)"),
        (
            "[utm]\ncampaign = \"{sesion}\"\n",
            "3:12: utm.campaign has an unknown placeholder {sesion} (known: {session}, {redirect}, {click_id}, {query.NAME})"
        ),
        (
            "[utm]\ncampaign = \"a{b\"\n",
            "3:12: utm.campaign has a { that opens no placeholder (at \"{b\"): a [utm] value cannot hold a literal {"
        ),
        (
            "utm = \"newsletter\"\n",
            "2:1: utm must be a table ([utm] with source, medium, campaign, term or content), found a string"
        ),
        (
            "[utm.allowed]\nmedium = [\"email\"]\n",
            "2:6: warning: utm.allowed is read from _defaults.toml only (it applies to the whole directory)"
        ),
    ])
    func malformedUTM(text: String, expected: String) {
        #expect(problems("url = \"https://e.com/\"\n" + text) == [expected])
    }

    @Test func errorsRefuseTheFileWarningsDoNot() {
        #expect(
            RedirectFileParser.parseRedirect(text: "url = \"https://e.com/\"\n[utm]\nsource = 1\n", id: "x", file: "x")
                .value == nil)
        #expect(
            RedirectFileParser.parseRedirect(
                text: "url = \"https://e.com/\"\n[utm]\nsorce = \"a\"\n", id: "x", file: "x"
            )
            .value?.url == "https://e.com/")
    }

    @Test func aValueOutsideTheAllowedListIsReportedAtTheValue() throws {
        let d = try defaults(
            """
            [utm]
            medium = "email"
            [utm.allowed]
            medium = ["email", "social"]
            source = ["newsletter"]
            """)
        #expect(d.utmAllowed[.medium] == ["email", "social"] && d.utmAllowed[.campaign] == nil)
        let text = """
            url = "https://e.com/"
            [utm]
            source = "newsletter"
              medium =   "fax"
            campaign = "anything"
            """
        #expect(
            problems(text, defaults: d) == [
                "4:14: warning: utm.medium \"fax\" is not in [utm.allowed] of _defaults.toml "
                    + "(medium = [\"email\", \"social\"])"
            ])
        // A warning: the responder still serves the link, with the value.
        let served = RedirectFileParser.parseRedirect(text: text, id: "x", file: "x.toml", defaults: d).value
        #expect(served?.url == "https://e.com/?utm_source=newsletter&utm_medium=fax&utm_campaign=anything")
    }

    @Test func theDefaultsOwnValuesAreCheckedAgainstTheirList() {
        let result = RedirectFileParser.parseDefaults(
            text: "[utm]\nmedium = \"fax\"\n[utm.allowed]\nmedium = [\"email\"]\nsorce = [\"a\"]\nterm = []\n"
                + "content = \"x\"\ncampaign = [1]\n",
            file: "_defaults.toml")
        #expect(
            result.problems.map { "\($0.line):\($0.column): \($0.message)" } == [
                "5:1: unknown key \"utm.allowed.sorce\" (known: source, medium, campaign, term, content) "
                    + "(did you mean \"source\"?)",
                "6:1: utm.allowed.term must not be empty (leave it out to allow any value)",
                "7:1: utm.allowed.content must be an array of strings such as [\"email\"], found a string",
                "8:13: utm.allowed.campaign must be an array of strings, found an integer in it",
                "2:10: utm.medium \"fax\" is not in [utm.allowed] of _defaults.toml (medium = [\"email\"])",
            ])
    }

    @Test func aTargetTheUTMMakesTooLongIsRefused() {
        let long = String(repeating: "a", count: 3000)
        let found = problems(
            "url = \"https://e.com/\(long)\"\n[utm]\ncampaign = \"\(String(repeating: "c", count: 100))\"\n")
        #expect(
            found == [
                "1:1: url with the [utm] parameters added must be at most 3072 bytes long (nginx cannot pass on a "
                    + "longer Location)"
            ])
    }
}
