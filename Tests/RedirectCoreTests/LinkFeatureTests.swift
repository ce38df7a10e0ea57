import JSON
import Testing
import Timestamps

@testable import RedirectCore

@Suite struct TargetBuilderTests {
    func values(session: String? = "s-1", query: String = "") -> PlaceholderValues {
        PlaceholderValues(
            session: session, redirect: "sale", clickID: "01a2256d-9f98-77af-9da3-2ebfc2723450",
            query: QueryString(parsing: query))
    }

    static let placeholderCases: [(String, String, String)] = [
        ("https://e.com/p/{session}", "", "https://e.com/p/s-1"),
        ("https://e.com/?s={session}&r={redirect}", "", "https://e.com/?s=s-1&r=sale"),
        ("https://e.com/?c={click_id}", "", "https://e.com/?c=01a2256d-9f98-77af-9da3-2ebfc2723450"),
        ("https://e.com/?u={query.utm_source}", "utm_source=news+letter", "https://e.com/?u=news%20letter"),
        ("https://e.com/?u={query.x}", "x=%2F%2Fevil.example%3F%40", "https://e.com/?u=%2F%2Fevil.example%3F%40"),
        ("https://e.com/?u={query.x}", "x=a%0D%0ALocation:%20evil", "https://e.com/?u=a%0D%0ALocation%3A%20evil"),
        ("https://e.com/?u={query.missing}", "", "https://e.com/?u="),
        ("https://e.com/{unknown}", "", "https://e.com/{unknown}"),
    ]

    @Test(arguments: placeholderCases)
    func placeholders(template: String, query: String, expected: String) {
        #expect(TargetBuilder.build(template: template, values: values(query: query), forwardQuery: false) == expected)
    }

    static let forwardCases: [(String, String, String)] = [
        ("https://e.com/p", "a=1&b=2", "https://e.com/p?a=1&b=2"),
        // The file's own parameters win, and go out byte for byte (`+`, `%20`, order).
        ("https://e.com/p?a=0&keep=1", "a=1&b=2", "https://e.com/p?a=0&keep=1&b=2"),
        ("https://e.com/p?q=spring+sale&x=%20y", "z=1", "https://e.com/p?q=spring+sale&x=%20y&z=1"),
        (
            "https://e.com/p?utm_source=mail&a=1", "utm_source=evil&utm_medium=x",
            "https://e.com/p?utm_source=mail&a=1&utm_medium=x"
        ),
        ("https://e.com/p#frag", "a=1", "https://e.com/p?a=1#frag"),
        ("https://e.com/p", "@evil.example", "https://e.com/p?%40evil.example="),
        ("https://e.com/p", "//evil.example", "https://e.com/p?%2F%2Fevil.example="),
        ("https://e.com/p", "x=%0D%0ASet-Cookie:%20a", "https://e.com/p?x=%0D%0ASet-Cookie%3A%20a"),
        ("https://e.com", "a=1", "https://e.com?a=1"),
        // Empty parts of either query are dropped; a `?` in the fragment stays in the fragment; a path in UTF-8
        // and a visitor's UTF-8 name or value (percent-encoded) go through the byte-wise merge unchanged.
        ("https://e.com/p?&a=0&&", "&&b=1&", "https://e.com/p?a=0&b=1"),
        ("https://e.com/p?a=0#f?a=9", "a=1&c=2", "https://e.com/p?a=0&c=2#f?a=9"),
        ("https://e.com/grüße?x=é", "ü=ö&x=1", "https://e.com/grüße?x=é&%C3%BC=%C3%B6"),
        ("https://e.com/p?%61=0", "a=1", "https://e.com/p?%61=0"),
    ]

    @Test(arguments: forwardCases)
    func forwardQuery(template: String, query: String, expected: String) {
        let url = TargetBuilder.build(template: template, values: values(query: query), forwardQuery: true)
        #expect(url == expected)
        #expect(TargetBuilder.authority(of: url) == TargetBuilder.authority(of: template))
    }

    /// `forward_query = "override"`: the visitor's parameters replace the file's on the same name.
    @Test(arguments: [
        ("https://e.com/p?a=0&keep=1", "a=1", "https://e.com/p?keep=1&a=1"),
        ("https://e.com/p?q=spring+sale&a=0", "a=9", "https://e.com/p?q=spring+sale&a=9"),
        ("https://e.com/p?a=0", "a=1&a=2", "https://e.com/p?a=1&a=2"),
        ("https://e.com/p?a=0#f", "a=1", "https://e.com/p?a=1#f"),
    ])
    func forwardQueryOverride(template: String, query: String, expected: String) {
        #expect(
            TargetBuilder.build(template: template, values: values(query: query), forwardQuery: .override) == expected)
    }

    @Test func sessionPlaceholderWithoutSessionIsEmpty() {
        #expect(
            TargetBuilder.build(
                template: "https://e.com/?s={session}", values: values(session: nil), forwardQuery: false)
                == "https://e.com/?s=")
    }

    @Test func propertiesGetRawValues() {
        let merged = ClickDecider.mergedProperties(
            [], [("src", .string("{query.utm_source}")), ("who", .string("{session}/{redirect}")), ("n", .int(1))],
            values: values(query: "utm_source=news+letter"))
        #expect(JSONValue.object(merged).jsonText == #"{"src":"news letter","who":"s-1/sale","n":1}"#)
    }
}

@Suite struct TimeWindowTests {
    let redirect = Redirect(
        id: "w", url: "https://e.com/live", validFrom: Timestamp(year: 2026, month: 3, day: 1),
        validUntil: Timestamp(year: 2026, month: 4, day: 1), expiredURL: "https://e.com/over?from={redirect}")

    static let cases: [(Timestamp, Int, String?, String)] = [
        (
            Timestamp(year: 2026, month: 2, day: 28, hour: 23, minute: 59, second: 59), 302,
            "https://e.com/over?from=w", "expired"
        ),
        (Timestamp(year: 2026, month: 3, day: 1), 302, "https://e.com/live", "redirected"),
        (
            Timestamp(year: 2026, month: 3, day: 31, hour: 23, minute: 59, second: 59, millisecond: 999), 302,
            "https://e.com/live", "redirected"
        ),
        (Timestamp(year: 2026, month: 4, day: 1), 302, "https://e.com/over?from=w", "expired"),
    ]

    @Test(arguments: cases)
    func window(now: Timestamp, status: Int, location: String?, outcome: String) {
        let d = ClickDecider.decide(
            for: ClickRequest(method: "GET", pathInfo: "/w"), defaults: RedirectDefaults(),
            now: now, clickID: "c"
        ) { _ in .found(redirect) }
        #expect(d.response.status == status)
        #expect(d.response.location == location)
        #expect(d.event?.outcome.rawValue == outcome)
    }

    @Test func expiredWithoutURLIsGone() {
        var r = redirect
        r.expiredURL = nil
        let d = ClickDecider.decide(
            for: ClickRequest(method: "GET", pathInfo: "/w"), defaults: RedirectDefaults(),
            now: Timestamp(year: 2027, month: 1, day: 1), clickID: "c"
        ) { _ in .found(r) }
        #expect(d.response.status == 410)
        #expect(d.event?.outcome == .expired)
    }
}

@Suite struct PrivacyTests {
    func event(_ request: ClickRequest, _ defaults: RedirectDefaults) -> ClickEvent? {
        ClickDecider.decide(for: request, defaults: defaults, now: Timestamp(millisecondsSinceEpoch: 0), clickID: "c") {
            _ in
            .found(Redirect(id: "x", url: "https://e.com/"))
        }.event
    }

    static let anonymized: [(String, String)] = [
        ("203.0.113.77", "203.0.113.0"),
        ("2001:db8:abcd:1234:5678::1", "2001:db8:abcd::"),
        ("::1", "::"),
    ]

    @Test(arguments: anonymized)
    func anonymizeIP(address: String, expected: String) {
        #expect(IPAnonymizer.anonymize(address) == expected)
        let e = event(
            ClickRequest(method: "GET", pathInfo: "/x", remoteAddress: address), RedirectDefaults(anonymizeIP: true))
        #expect(e?.request.ip == expected)
    }

    @Test(arguments: [(true, false), (false, true)])
    func privacySignalsLeaveOutIdentifyingFields(gpc: Bool, dnt: Bool) {
        let request = ClickRequest(
            method: "GET", pathInfo: "/x", remoteAddress: "203.0.113.7", userAgent: "Mozilla/5.0",
            referer: "https://r.example/", globalPrivacyControl: gpc, doNotTrack: dnt)
        let honored = event(request, RedirectDefaults())
        #expect(honored?.request.ip == nil)
        #expect(honored?.request.userAgent == nil)
        #expect(honored?.request.referer == nil)
        let ignored = event(request, RedirectDefaults(honorPrivacySignals: false))
        #expect(ignored?.request.ip == "203.0.113.7")
        #expect(ignored?.request.userAgent == "Mozilla/5.0")
    }

    @Test func signalsAreReadFromParameters() {
        let r = ClickRequest { ["HTTP_SEC_GPC": " 1", "HTTP_DNT": "0", "REQUEST_METHOD": "GET"][$0] }
        #expect(r.globalPrivacyControl)
        #expect(!r.doNotTrack)
    }
}
