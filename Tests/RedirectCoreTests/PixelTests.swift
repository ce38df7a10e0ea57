import JSON
import Testing
import Timestamps

@testable import RedirectCore

/// Open pixels (`kind = "pixel"`): the decision and the file.
@Suite struct PixelTests {
    let now = Timestamp(year: 2026, month: 11, day: 29, hour: 2, minute: 8, second: 14, millisecond: 431)
    let clickID = "01a2256d-9f98-77af-9da3-2ebfc2723450"
    let open = Redirect(
        id: "open", url: "", source: "newsletter", properties: [("mail", .string("dec"))], kind: .pixel)

    func decide(
        _ request: ClickRequest, _ redirect: Redirect? = nil, defaults: RedirectDefaults = RedirectDefaults()
    ) -> ClickDecision {
        let pixel = redirect ?? open
        return ClickDecider.decide(for: request, defaults: defaults, now: now, clickID: clickID) { id in
            id == pixel.id ? .found(pixel) : .notFound
        }
    }

    func get(_ path: String = "/open/s-1", method: String = "GET", agent: String? = "Mozilla/5.0") -> ClickRequest {
        ClickRequest(method: method, pathInfo: path, remoteAddress: "203.0.113.7", userAgent: agent)
    }

    static let gifHead =
        "Status: 200 OK\r\nCache-Control: private, no-store\r\nContent-Type: image/gif\r\nContent-Length: 43\r\n\r\n"

    @Test func anOpenAnswersTheImageAndRecordsOpened() throws {
        let d = decide(get())
        #expect(d.response.status == 200)
        #expect(d.response.location == nil)
        #expect(d.response.content == .transparentGIF)
        #expect(d.response.cgiBytes(includeBody: true) == Array(Self.gifHead.utf8) + TransparentGIF.bytes)
        let event = try #require(d.event)
        #expect(event.outcome == .opened)
        #expect(event.type == "email-open")
        #expect(event.target == nil)
        #expect(event.status == 200)
        #expect(event.session == "s-1")
        #expect(event.source == "newsletter")
        #expect(event.bot == nil)
        #expect(JSONValue.object(event.properties) == .object([("mail", .string("dec"))]))
        let line = try #require(JSONValue(parsing: event.jsonLine().dropLast()))
        #expect(line["outcome"] == .string("opened"))
        #expect(line["target"] == .null)
    }

    @Test func headAnswersTheSameHeadersWithoutTheImage() throws {
        let d = decide(get(method: "HEAD"))
        #expect(d.response.cgiBytes(includeBody: false) == Array(Self.gifHead.utf8))
        let event = try #require(d.event)
        #expect(event.outcome == .opened)
        #expect(event.request.method == "HEAD")
        #expect(event.botCategory == .preview, "a HEAD request is flagged as for a click")
    }

    @Test func disabledAndExpiredPixelsStillAnswerTheImage() throws {
        var disabled = open
        disabled.enabled = false
        var expired = open
        expired.validUntil = Timestamp(year: 2026, month: 11, day: 1)
        var early = open
        early.validFrom = Timestamp(year: 2026, month: 12, day: 1)
        for (pixel, outcome) in [(disabled, ClickEvent.Outcome.disabled), (expired, .expired), (early, .expired)] {
            let d = decide(get(), pixel)
            #expect(d.response.cgiBytes(includeBody: true) == Array(Self.gifHead.utf8) + TransparentGIF.bytes)
            #expect(d.event?.outcome == outcome)
            #expect(d.event?.type == "email-open")
        }
    }

    @Test func theFilesEventTypeWinsAndTheDefaultsClickTypeDoesNotApply() {
        let defaults = RedirectDefaults(eventType: "email-click", properties: [("team", .string("crm"))])
        let d = decide(get(), defaults: defaults)
        #expect(d.event?.type == "email-open")
        #expect(
            d.event.map { JSONValue.object($0.properties) }
                == .object([("team", .string("crm")), ("mail", .string("dec"))]))
        var typed = open
        typed.eventType = "newsletter-open"
        #expect(decide(get(), typed, defaults: defaults).event?.type == "newsletter-open")
    }

    @Test func botsAndPrivacySignalsAreRecordedAsForAClick() throws {
        let proxy = decide(get(agent: "curl/8.5.0"))
        #expect(proxy.event?.bot != nil)
        #expect(proxy.response.status == 200)
        let request = ClickRequest(
            method: "GET", pathInfo: "/open/s-1", remoteAddress: "203.0.113.7", userAgent: "Mozilla/5.0",
            globalPrivacyControl: true)
        let event = try #require(decide(request).event)
        #expect(event.request.ip == nil)
        #expect(event.request.userAgent == nil)
        #expect(event.outcome == .opened)
    }

    /// docs/opens.md: how the proxies that fetch images for mail clients show up in the events.
    @Test func mailProxiesAsTheDocsDescribeThem() throws {
        let gmail = try #require(
            decide(
                get(agent: "Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)")
            )
            .event)
        #expect(gmail.outcome == .opened)
        #expect(gmail.bot == "googleimageproxy")
        #expect(gmail.botCategory == .preview)
        // An agent that names no device (as proxies that hide the reader send) is no bot, and has no device.
        let bare = try #require(decide(get(agent: "Mozilla/5.0")).event)
        #expect(bare.bot == nil)
        #expect(bare.device == nil && bare.form == nil)
    }

    @Test func anUnknownIdIsNotAPixel() {
        let d = decide(get("/nope/s-1"))
        #expect(d.response.status == 404)
        #expect(d.event?.outcome == .notFound)
    }

    // MARK: The file

    func parse(_ text: String) -> RedirectFileResult<Redirect> {
        RedirectFileParser.parseRedirect(text: text, id: "open", file: "open.toml")
    }

    @Test func aPixelFileNeedsNoURL() throws {
        let redirect = try #require(
            parse(
                """
                kind = "pixel"
                source = "newsletter"
                event_type = "newsletter-open"
                valid_until = 2027-01-01T00:00:00Z
                enabled = true
                [properties]
                mail = "dec"
                """
            ).value)
        #expect(redirect.kind == .pixel)
        #expect(redirect.url == "")
        #expect(redirect.eventType == "newsletter-open")
        #expect(try #require(parse(#"url = "https://e.com/""#).value).kind == .redirect)
        #expect(try #require(parse("kind = \"redirect\"\nurl = \"https://e.com/\"").value).kind == .redirect)
    }

    @Test func aPixelFileRefusesTheKeysOfATarget() {
        let result = parse(
            """
            kind = "pixel"
            url = "https://e.com/"
            status = 301
            forward_query = true
            expired_url = "https://e.com/old"
            [[rules]]
            name = "r"
            url = "https://e.com/r"
            """)
        #expect(result.value == nil)
        let why =
            "is not allowed in a pixel (kind = \"pixel\"): a pixel answers every request with a 1x1 image and has no target"
        #expect(
            result.errors.map(\.description) == [
                "open.toml:2:1: url \(why); remove url, or make the file a redirect",
                "open.toml:3:1: status \(why); remove status, or make the file a redirect",
                "open.toml:4:1: forward_query \(why); remove forward_query, or make the file a redirect",
                "open.toml:5:1: expired_url \(why); remove expired_url, or make the file a redirect",
                "open.toml:6:3: rules \(why); remove rules, or make the file a redirect",
            ])
    }

    @Test func anUnknownKindIsAnError() {
        let result = parse("kind = \"image\"\nurl = \"https://e.com/\"")
        #expect(
            result.errors.map(\.description) == [#"open.toml:1:1: kind must be "redirect" or "pixel", found "image""#])
        #expect(parse("kind = 1\nurl = \"https://e.com/\"").errors.count == 1)
        #expect(
            parse("kind = \"redirect\"").errors.map(\.description) == [#"open.toml:1:1: missing required key "url""#])
    }
}
