import JSON
import Testing
import Timestamps

@testable import RedirectCore

@Suite struct ClickDeciderTests {
    let now = Timestamp(year: 2026, month: 11, day: 29, hour: 2, minute: 8, second: 14, millisecond: 431)
    let clickID = "01a2256d-9f98-77af-9da3-2ebfc2723450"
    let sale = Redirect(
        id: "sale", url: "https://shop.example.com/sale?utm_source=mail", eventType: "email-click",
        source: "newsletter", properties: [("campaign", .string("spring"))])

    func respond(
        _ request: ClickRequest, defaults: RedirectDefaults = RedirectDefaults(),
        redirects: [Redirect] = []
    ) -> ClickDecision {
        let all = redirects.isEmpty ? [sale] : redirects
        return ClickDecider.decide(for: request, defaults: defaults, now: now, clickID: clickID) { id in
            all.first { $0.id == id }.map(RedirectLookup.found) ?? .notFound
        }
    }

    @Test func redirectWithSession() throws {
        let d = respond(
            ClickRequest(
                method: "GET", pathInfo: "/sale/s-1", remoteAddress: "203.0.113.7",
                userAgent: "Mozilla/5.0", host: "go.example.com"))
        #expect(
            d.response
                == RedirectResponse(
                    status: 302, location: "https://shop.example.com/sale?utm_source=mail",
                    headers: [.init("Cache-Control", "private, no-store")]))
        #expect(
            String(decoding: d.response.cgiBytes(includeBody: true), as: UTF8.self) == """
                Status: 302 Found\r
                Location: https://shop.example.com/sale?utm_source=mail\r
                Cache-Control: private, no-store\r
                Content-Type: text/plain; charset=utf-8\r
                Content-Length: 0\r
                \r

                """)
        let event = try #require(d.event)
        #expect(event.outcome == .redirected)
        #expect(event.session == "s-1")
        #expect(event.sessionStatus == .valid)
        #expect(event.sessionSource == .path)
        #expect(event.type == "email-click")
        #expect(event.source == "newsletter")
        #expect(event.bot == nil)
    }

    /// Tracardi's redirect takes the session from its `tracardi-session-id` cookie when the path has none.
    @Test(
        arguments: [
            // (path, cookie header, GPC, session, status, source)
            ("/sale", "a=1; tracardi-session-id=c-9; b=2", false, "c-9", "valid", "cookie"),
            ("/sale", "tracardi-session-id=\"c-9\"", false, "c-9", "valid", "cookie"),
            ("/sale/s-1", "tracardi-session-id=c-9", false, "s-1", "valid", "path"),
            ("/sale", "tracardi-session-id=not a session", false, nil, "malformed", nil),
            ("/sale", "other=c-9", false, nil, "absent", nil),
            ("/sale", "tracardi-session-id=c-9", true, nil, "absent", nil),
            ("/sale/bad session", "tracardi-session-id=c-9", false, nil, "malformed", nil),
        ] as [(String, String, Bool, String?, String, String?)])
    func sessionFromTracardisCookie(
        path: String, cookie: String, privacy: Bool, session: String?, status: String,
        source: String?
    ) throws {
        let d = respond(
            ClickRequest(
                method: "GET", pathInfo: path, userAgent: "Mozilla/5.0",
                globalPrivacyControl: privacy, cookie: cookie))
        let event = try #require(d.event)
        #expect(event.session == session)
        #expect(event.sessionStatus.rawValue == status)
        #expect(event.sessionSource?.rawValue == source)
        #expect(d.response.status == 302)
        let line = String(decoding: event.jsonLine(), as: UTF8.self)
        #expect(line.contains(#""session_source":"# + (source.map { "\"\($0)\"" } ?? "null")))
    }

    @Test func permanentRedirectHasNoCacheControl() {
        let d = respond(
            ClickRequest(method: "GET", pathInfo: "/docs"),
            redirects: [Redirect(id: "docs", url: "https://docs.example.com/", status: .movedPermanently)])
        #expect(d.response == RedirectResponse(status: 301, location: "https://docs.example.com/"))
    }

    @Test func malformedSessionStillRedirects() {
        let d = respond(ClickRequest(method: "GET", pathInfo: "/sale/bad session", userAgent: "Mozilla/5.0"))
        #expect(d.response.status == 302)
        #expect(d.event?.session == nil)
        #expect(d.event?.sessionStatus == .malformed)
    }

    @Test(arguments: ["/nope", "/../etc/passwd", "/a/b/c", ""])
    func unknownOrInvalidIsNotFound(path: String) {
        let d = respond(ClickRequest(method: "GET", pathInfo: path))
        #expect(d.response.status == 404)
        #expect(d.response.location == nil)
        #expect(d.event?.outcome == .notFound)
        #expect(d.event?.status == 404)
    }

    @Test func notFoundURLFromDefaults() {
        let d = respond(
            ClickRequest(method: "GET", pathInfo: "/nope"),
            defaults: RedirectDefaults(notFoundURL: "https://example.com/missing"))
        #expect(d.response.status == 302)
        #expect(d.response.location == "https://example.com/missing")
        #expect(d.event?.outcome == .notFound)
    }

    @Test func headIsRedirectedAndFlagged() {
        let d = respond(ClickRequest(method: "HEAD", pathInfo: "/sale", userAgent: "Mozilla/5.0"))
        #expect(d.response.status == 302)
        #expect(d.event?.bot == "head-request")
        #expect(d.event?.botCategory == .preview)
        let notFound = respond(ClickRequest(method: "HEAD", pathInfo: "/nope"))
        #expect(
            String(decoding: notFound.response.cgiBytes(includeBody: false), as: UTF8.self).hasSuffix(
                "Content-Length: 10\r\n\r\n"))
    }

    @Test func crawlerIsRedirectedAndFlaggedWithItsCategory() {
        let googlebot = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
        let d = respond(ClickRequest(method: "GET", pathInfo: "/sale", userAgent: googlebot))
        #expect(d.response.status == 302)
        #expect(d.event?.bot == "googlebot")
        #expect(d.event?.botCategory == .crawler)
        let line = String(decoding: d.event?.jsonLine() ?? [], as: UTF8.self)
        #expect(line.hasSuffix(#""bot":"googlebot","bot_category":"crawler"}\#n"#))
    }

    @Test(arguments: ["POST", "PUT", "DELETE", "OPTIONS", "get"])
    func otherMethodsAre405(method: String) {
        let d = respond(ClickRequest(method: method, pathInfo: "/sale"))
        #expect(d.response.status == 405)
        #expect(d.response.headers.contains(.init("Allow", "GET, HEAD")))
        #expect(d.event == nil)
    }

    @Test func disabledIs404() {
        var off = sale
        off.enabled = false
        let d = respond(ClickRequest(method: "GET", pathInfo: "/sale"), redirects: [off])
        #expect(d.response.status == 404)
        #expect(d.event?.outcome == .disabled)
    }

    @Test func defaultsFillSourceTypeAndProperties() {
        let plain = Redirect(id: "p", url: "https://e.com/", properties: [("b", .string("own"))])
        let defaults = RedirectDefaults(
            source: "web", eventType: "click",
            properties: [("a", .int(1)), ("b", .string("default"))])
        let d = respond(ClickRequest(method: "GET", pathInfo: "/p"), defaults: defaults, redirects: [plain])
        #expect(d.event?.source == "web")
        #expect(d.event?.type == "click")
        #expect(JSONValue.object(d.event?.properties ?? []).jsonText == #"{"a":1,"b":"own"}"#)
        let bare = respond(ClickRequest(method: "GET", pathInfo: "/p"), redirects: [plain])
        #expect(bare.event?.type == "redirect")
        #expect(bare.event?.source == nil)
    }
}

@Suite struct DecimalDigitsTests {
    /// Numbers in responses and event lines (status, Content-Length, integer properties) are written without
    /// making strings; they must read exactly as Swift prints them.
    @Test func digitsMatchSwiftsOwn() {
        var generator = SystemRandomNumberGenerator()
        let edges = [0, 1, -1, 9, 10, -10, 99, 100, 302, 999, 1000, Int.max, Int.min, Int.min + 1]
        let samples =
            edges
            + (0..<500).map { _ in
                Int.random(in: Int.min...Int.max, using: &generator) >> Int.random(in: 0...62, using: &generator)
            }
        for value in samples {
            var out: [UInt8] = []
            DecimalDigits.append(value, to: &out)
            #expect(String(decoding: out, as: UTF8.self) == String(value))
        }
    }
}
