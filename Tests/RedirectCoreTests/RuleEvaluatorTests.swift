import CountryCodes
import DeviceDetection
import JSON
import Testing
import Timestamps

@testable import RedirectCore

/// Which target a click gets: every condition, combinations, order, splits, stickiness and the fallback.
@Suite struct RuleEvaluatorTests {
    static let redirect: Redirect = {
        let result = RedirectFileParser.parseRedirect(text: RedirectRulesParserTests.example, id: "sale", file: "s")
        return result.value ?? Redirect(id: "broken", url: "https://broken.example/")
    }()

    static let noon = Timestamp(year: 2026, month: 2, day: 1, hour: 12)
    static let launch = Timestamp(year: 2026, month: 3, day: 3)

    static func context(
        device: DeviceOS? = nil, form: FormFactor? = nil, language: String? = nil, country: String? = nil,
        query: String = "", now: Timestamp = noon, bot: Bool = false, draw: UInt64 = 0
    ) -> RuleContext {
        RuleContext(
            device: device, form: form, language: language.flatMap { PrimaryLanguage($0) },
            country: country.flatMap { CountryCode($0) }, query: QueryString(parsing: query), now: now, isBot: bot,
            draw: .random(draw))
    }

    /// A click, and the rule (name) and variant (name) it gets in the issue's example file.
    static let clicks: [(String, RuleContext, String?, String?)] = [
        ("iPhone", context(device: .ios, form: .mobile), "ios", nil),
        ("iPad: ios but not mobile", context(device: .ios, form: .tablet, draw: 0), nil, "a"),
        ("Android phone", context(device: .android, form: .mobile, draw: UInt64.max), nil, "b"),
        ("German in Austria", context(language: "de", country: "AT"), "dach", nil),
        (
            "German in Germany on an iPhone: earlier rule wins",
            context(device: .ios, form: .mobile, language: "de", country: "DE"), "ios", nil
        ),
        ("German in France", context(language: "de", country: "FR"), nil, "a"),
        ("English in Austria", context(language: "en", country: "AT"), nil, "a"),
        ("no country known", context(language: "de"), nil, "a"),
        ("bot", context(bot: true), "previews", nil),
        ("launch query in the window", context(query: "utm_content=b", now: launch, draw: 0), "launch-week", "red"),
        (
            "launch query, last draw", context(query: "utm_content=b", now: launch, draw: UInt64.max), "launch-week",
            "blue"
        ),
        ("launch query before the window", context(query: "utm_content=b", now: noon), nil, "a"),
        (
            "launch query at until (exclusive)",
            context(query: "utm_content=b", now: Timestamp(year: 2026, month: 3, day: 8)), nil, "a"
        ),
        (
            "launch query at from (inclusive)",
            context(query: "utm_content=b", now: Timestamp(year: 2026, month: 3, day: 1)), "launch-week", "red"
        ),
        ("launch query with another value", context(query: "utm_content=c", now: launch), nil, "a"),
        ("launch query percent-encoded", context(query: "x=1&utm%5Fcontent=%62", now: launch), "launch-week", "red"),
        (
            "launch query: the first of a name counts", context(query: "utm_content=c&utm_content=b", now: launch), nil,
            "a"
        ),
    ]

    @Test(arguments: clicks)
    func clickGetsItsTarget(label: String, context: RuleContext, rule: String?, variant: String?) {
        let r = Self.redirect
        let match = RuleEvaluator.evaluate(r, in: context)
        let outcome = r.outcome(for: match)
        #expect(outcome.rule == rule, "\(label)")
        #expect(outcome.variant == variant, "\(label)")
    }

    @Test func outcomeCarriesTheRulesTargetStatusTypeAndProperties() {
        var r = Self.redirect
        r.properties = [("campaign", .string("spring")), ("market", .string("world"))]
        r.status = .temporaryRedirect
        let dach = r.outcome(for: RuleEvaluator.evaluate(r, in: Self.context(language: "de", country: "CH")))
        #expect(dach.url == "https://shop.example.com/de/sale")
        #expect(dach.status == .temporaryRedirect)
        #expect(JSONValue.object(dach.properties).jsonText == #"{"campaign":"spring","market":"dach"}"#)
        let ios = r.outcome(for: RuleEvaluator.evaluate(r, in: Self.context(device: .ios, form: .mobile)))
        #expect(ios.status == .found)
        let launch = r.outcome(
            for: RuleEvaluator.evaluate(r, in: Self.context(query: "utm_content=b", now: Self.launch)))
        #expect(launch.url == "https://shop.example.com/launch?c=red")
        #expect(launch.eventType == "launch-click")
        #expect(
            JSONValue.object(launch.properties).jsonText == #"{"campaign":"spring","market":"world","colour":"red"}"#)
    }

    /// A rule's target is built as the file's `url` is: placeholders filled in and percent-encoded, the
    /// file's `forward_query` applied, the host fixed by the file.
    @Test func aRulesTargetIsBuiltAsTheFilesURLIs() throws {
        let text = """
            url = "https://e.com/"
            forward_query = true
            [[rules]]
            name = "app"
            device = ["android"]
            url = "https://play.example.com/store?id=app&ref={query.ref}&s={session}"
            """
        let r = try #require(RedirectFileParser.parseRedirect(text: text, id: "x", file: "x.toml").value)
        let query = QueryString(parsing: "ref=a%20b&utm_source=mail")
        let context = RuleContext(device: .android, query: query, now: Self.noon, draw: .random(0))
        let outcome = r.outcome(for: RuleEvaluator.evaluate(r, in: context))
        let values = PlaceholderValues(session: "s/1", redirect: "x", clickID: "c", query: query)
        #expect(
            ClickDecider.buildTarget(template: outcome.url, values: values, forwardQuery: r.forwardQuery)
                == "https://play.example.com/store?id=app&ref=a%20b&s=s%2F1&utm_source=mail")
    }

    @Test func withoutRulesOrVariantsEveryClickGetsTheFilesURL() {
        let r = Redirect(id: "x", url: "https://e.com/")
        let match = RuleEvaluator.evaluate(r, in: Self.context(device: .ios, language: "de", bot: true))
        #expect(match == .fallback)
        #expect(r.outcome(for: match).url == "https://e.com/")
        #expect(r.outcome(for: match).rule == nil && r.outcome(for: match).variant == nil)
    }

    @Test func rulesWithoutVariantsAndNoFileVariantsFallBackToTheURL() {
        var r = Self.redirect
        r.variants = []
        let match = RuleEvaluator.evaluate(r, in: Self.context(device: .linux))
        #expect(match == .fallback)
        #expect(r.outcome(for: match).url == "https://shop.example.com/sale")
    }

    /// Each condition alone, true and false: the rule takes the click exactly when the condition holds.
    static let single: [(String, RuleConditions, RuleContext, Bool)] = [
        ("device in", RuleConditions(devices: [.android, .windows]), context(device: .windows), true),
        ("device out", RuleConditions(devices: [.android, .windows]), context(device: .macos), false),
        ("device unknown", RuleConditions(devices: [.android]), context(), false),
        ("form in", RuleConditions(forms: [.desktop]), context(form: .desktop), true),
        ("form out", RuleConditions(forms: [.desktop]), context(form: .mobile), false),
        ("form unknown", RuleConditions(forms: [.desktop]), context(), false),
        ("language in", RuleConditions(languages: [PrimaryLanguage("fr")!]), context(language: "FR"), true),
        ("language out", RuleConditions(languages: [PrimaryLanguage("fr")!]), context(language: "de"), false),
        ("language none", RuleConditions(languages: [PrimaryLanguage("fr")!]), context(), false),
        ("country in", RuleConditions(countries: [CountryCode("CH")!]), context(country: "ch"), true),
        ("country out", RuleConditions(countries: [CountryCode("CH")!]), context(country: "LI"), false),
        ("country unknown", RuleConditions(countries: [CountryCode("CH")!]), context(), false),
        ("query equal", RuleConditions(query: [("a", "x y")]), context(query: "a=x+y"), true),
        ("query empty value", RuleConditions(query: [("a", "")]), context(query: "a"), true),
        ("query absent", RuleConditions(query: [("a", "")]), context(query: "b=1"), false),
        ("query all must hold", RuleConditions(query: [("a", "1"), ("b", "2")]), context(query: "a=1&b=3"), false),
        ("query all hold", RuleConditions(query: [("a", "1"), ("b", "2")]), context(query: "b=2&a=1"), true),
        ("bot true on bot", RuleConditions(bot: true), context(bot: true), true),
        ("bot true on person", RuleConditions(bot: true), context(bot: false), false),
        ("bot false on person", RuleConditions(bot: false), context(bot: false), true),
        ("bot false on bot", RuleConditions(bot: false), context(bot: true), false),
        ("from reached", RuleConditions(from: noon), context(now: noon), true),
        ("from not reached", RuleConditions(from: launch), context(now: noon), false),
        ("until not reached", RuleConditions(until: launch), context(now: noon), true),
        ("until reached", RuleConditions(until: noon), context(now: noon), false),
        (
            "all of several",
            RuleConditions(devices: [.android], forms: [.tablet], countries: [CountryCode("BR")!], bot: false),
            context(device: .android, form: .tablet, country: "BR"), true
        ),
        (
            "one of several fails",
            RuleConditions(devices: [.android], forms: [.tablet], countries: [CountryCode("BR")!], bot: false),
            context(device: .android, form: .tablet, country: "PT"), false
        ),
    ]

    @Test(arguments: single)
    func eachConditionDecides(label: String, conditions: RuleConditions, context: RuleContext, holds: Bool) {
        let r = Redirect(
            id: "x", url: "https://e.com/",
            rules: [RedirectRule(name: "r", conditions: conditions, url: "https://e.com/r")])
        let match = RuleEvaluator.evaluate(r, in: context)
        #expect((match.rule == 0) == holds, "\(label)")
        #expect(conditions.hold(in: context) == holds, "\(label)")
        // The explaining form agrees, and names a reason whenever the rule does not hold.
        #expect(conditions.failures(in: context).isEmpty == holds, "\(label)")
    }

    @Test func firstMatchingRuleWinsInFileOrder() {
        let r = Redirect(
            id: "x", url: "https://e.com/",
            rules: [
                RedirectRule(name: "late", conditions: RuleConditions(from: Self.launch), url: "https://e.com/1"),
                RedirectRule(name: "android", conditions: RuleConditions(devices: [.android]), url: "https://e.com/2"),
                RedirectRule(name: "mobile", conditions: RuleConditions(forms: [.mobile]), url: "https://e.com/3"),
            ])
        #expect(RuleEvaluator.evaluate(r, in: Self.context(device: .android, form: .mobile)).rule == 1)
        #expect(RuleEvaluator.evaluate(r, in: Self.context(device: .ios, form: .mobile)).rule == 2)
        #expect(RuleEvaluator.evaluate(r, in: Self.context(device: .android, now: Self.launch)).rule == 0)
    }

    @Test func explanationSaysWhichConditionFailedForEachEarlierRule() {
        let r = Self.redirect
        let context = Self.context(
            device: .android, form: .mobile, language: "de", country: "FR", query: "utm_content=b", now: Self.launch,
            draw: 0)
        let explanation = RuleEvaluator.explain(r, in: context)
        #expect(explanation.match == RuleMatch(rule: 3, variant: 0))
        #expect(explanation.tried.map(\.name) == ["ios", "dach", "previews", "launch-week"])
        #expect(explanation.tried.map { $0.failures.map(\.condition) } == [[.device], [.country], [.bot], []])
        #expect(
            explanation.lines(for: r) == [
                "rule \"ios\": no (device: device is \"android\", not one of \"ios\")",
                "rule \"dach\": no (country: country is \"FR\", not one of \"DE\", \"AT\", \"CH\")",
                "rule \"previews\": no (bot: the click is not flagged as a bot)",
                "rule \"launch-week\": matches",
                "target: variant \"red\", https://shop.example.com/launch?c=red (302)",
            ])
        let none = RuleEvaluator.explain(r, in: Self.context(country: "DE", now: Self.noon, draw: UInt64.max))
        #expect(none.tried.count == 4)
        #expect(none.tried[3].failures.map(\.condition) == [.query, .from])
        #expect(none.lines(for: r).last == "no rule matched: variant \"b\", https://shop.example.com/sale?v=b (302)")
    }

    // MARK: splits

    static func split(_ weights: [Int64]) -> Redirect {
        Redirect(
            id: "split", url: "https://e.com/",
            variants: weights.enumerated().map {
                RedirectVariant(name: "v\($0.offset)", weight: $0.element, url: "https://e.com/v\($0.offset)")
            })
    }

    @Test func theSameSessionGetsTheSameVariantEveryTime() {
        let r = Self.split([50, 50])
        for session in ["abc", "s-1", "0123456789abcdef", "x"] {
            let first = RuleEvaluator.evaluate(
                r, in: Self.context(draw: SplitDraw.session(linkID: "split", session: session).value))
            for k in 0..<1000 {
                var context = Self.context(
                    device: k.isMultiple(of: 2) ? .ios : .android, now: Timestamp(millisecondsSinceEpoch: Int64(k)))
                context.draw = SplitDraw.session(linkID: "split", session: session)
                #expect(RuleEvaluator.evaluate(r, in: context) == first)
            }
        }
    }

    @Test func theSameVisitorWithoutASessionGetsTheSameVariant() {
        let ua = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X)"
        let a = SplitDraw.visitor(linkID: "split", address: "203.0.113.7", userAgent: ua)
        // The anonymised address is what counts: the same /24 is the same visitor, as the event would have it.
        #expect(SplitDraw.visitor(linkID: "split", address: "203.0.113.200", userAgent: ua) == a)
        #expect(SplitDraw.visitor(linkID: "split", address: "203.0.114.7", userAgent: ua) != a)
        #expect(SplitDraw.visitor(linkID: "split", address: "203.0.113.7", userAgent: ua + " x") != a)
        #expect(
            SplitDraw.visitor(linkID: "split", address: "2001:db8:1:2::1", userAgent: ua)
                == SplitDraw.visitor(linkID: "split", address: "2001:db8:1:ffff::2", userAgent: ua))
        #expect(SplitDraw.visitor(linkID: "other", address: "203.0.113.7", userAgent: ua) != a)
        // Fixed values: the hash is ours and the same in every process and release, so splits survive restarts.
        #expect(SplitDraw.session(linkID: "split", session: "abc").value == Self.pinnedSessionDraw)
    }

    /// FNV-1a 64 over the length-prefixed fields `split`, `session`, `abc`, then MurmurHash3's fmix64.
    static let pinnedSessionDraw: UInt64 = 5_868_551_542_668_808_343

    @Test func forClickUsesTheSessionElseRandomUnderPrivacyElseTheVisitor() {
        let request = ClickRequest(
            method: "GET", pathInfo: "/split", remoteAddress: "198.51.100.23", userAgent: "curl/8")
        #expect(
            SplitDraw.forClick(request, linkID: "split", session: "s1", honorsPrivacySignal: true, random: 7)
                == .session(linkID: "split", session: "s1"))
        #expect(
            SplitDraw.forClick(request, linkID: "split", session: nil, honorsPrivacySignal: true, random: 7)
                == .random(7))
        #expect(
            SplitDraw.forClick(request, linkID: "split", session: nil, honorsPrivacySignal: false, random: 7)
                == .visitor(linkID: "split", address: "198.51.100.0", userAgent: "curl/8"))
    }

    @Test func aClicksContextComesFromItsRequest() {
        let request = ClickRequest(
            method: "GET", pathInfo: "/sale", query: "utm_content=b", remoteAddress: "198.51.100.23",
            userAgent: "curl/8", acceptLanguage: "de-CH, en;q=0.5")
        let query = QueryString(parsing: request.query)
        let context = RuleContext.forClick(
            request, linkID: "sale", session: nil, honorsPrivacySignal: false, random: 1, device: .ios,
            form: .mobile, country: CountryCode("CH"), query: query, now: Self.launch, isBot: false)
        #expect(context.language == PrimaryLanguage("de"))
        #expect(context.draw == .visitor(linkID: "sale", address: "198.51.100.99", userAgent: "curl/8"))
        let r = Self.redirect
        #expect(r.outcome(for: RuleEvaluator.evaluate(r, in: context)).rule == "ios")
    }

    @Test(arguments: [[50, 50], [90, 10], [1, 2, 3, 4], [70, 20, 10], [1, 1, 1]] as [[Int64]])
    func tenThousandSessionsSplitByTheWeights(weights: [Int64]) {
        let r = Self.split(weights)
        var counts = [Int](repeating: 0, count: weights.count)
        for k in 0..<10_000 {
            let draw = SplitDraw.session(linkID: "split", session: "session-\(k)")
            counts[RuleEvaluator.evaluate(r, in: Self.context(draw: draw.value)).variant ?? -1] += 1
        }
        let total = weights.reduce(0, +)
        for (count, weight) in zip(counts, weights) {
            let share = Double(count) / 10_000 * 100
            let wanted = Double(weight) / Double(total) * 100
            #expect(abs(share - wanted) <= 2, "\(counts) for \(weights)")
        }
    }

    @Test func tenThousandAnonymousVisitorsSplitByTheWeights() {
        let r = Self.split([50, 50])
        var counts = [0, 0]
        for k in 0..<10_000 {
            let draw = SplitDraw.visitor(
                linkID: "split", address: "10.\(k / 256 % 256).\(k % 256).1",
                userAgent: "Mozilla/5.0 build \(k / 65536)")
            counts[RuleEvaluator.evaluate(r, in: Self.context(draw: draw.value)).variant ?? 0] += 1
        }
        #expect(abs(counts[0] - 5000) <= 200, "\(counts)")
    }

    @Test func underAPrivacySignalEachClickIsDrawnAtRandom() {
        var generator = SystemRandomNumberGenerator()
        let r = Self.split([50, 50])
        var counts = [0, 0]
        for _ in 0..<10_000 {
            counts[RuleEvaluator.evaluate(r, in: Self.context(draw: generator.next())).variant ?? 0] += 1
        }
        // Random per click: both variants come up, in roughly equal shares (a 10-sigma band: never flaky).
        #expect(abs(counts[0] - 5000) <= 500, "\(counts)")
    }

    @Test func drawsCoverTheWholeRangeOfWeights() {
        let weights: [Int64] = [1, Int64.max - 1]
        #expect(SplitDraw(value: 0).pick(weights: weights) == 0)
        #expect(SplitDraw(value: 1).pick(weights: weights) == 0)
        #expect(SplitDraw(value: UInt64.max).pick(weights: weights) == 1)
        #expect(SplitDraw(value: UInt64.max).pick(weights: [3]) == 0)
        #expect(SplitDraw(value: UInt64.max / 2).pick(weights: [1, 1]) == 0)
        #expect(SplitDraw(value: UInt64.max / 2 + 1).pick(weights: [1, 1]) == 1)
    }

    @Test func variantsInsideARuleSplitOnlyItsClicks() {
        let r = Self.redirect
        var seen: Set<String> = []
        for k in 0..<200 {
            let context = Self.context(
                query: "utm_content=b", now: Self.launch, draw: SplitDraw.session(linkID: "sale", session: "\(k)").value
            )
            let outcome = r.outcome(for: RuleEvaluator.evaluate(r, in: context))
            #expect(outcome.rule == "launch-week")
            seen.insert(outcome.variant ?? "")
        }
        #expect(seen == ["red", "blue"])
    }
}
