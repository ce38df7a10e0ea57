import JSON
import Testing
import Timestamps

@testable import RedirectCore

/// The reserved `_via` parameter: taken out of the query before anything reads it, recorded as `via`.
@Suite struct ClickViaTests {
    let now = Timestamp(year: 2026, month: 11, day: 29, hour: 2, minute: 8, second: 14, millisecond: 431)

    func file(_ text: String) throws -> Redirect {
        try #require(RedirectFileParser.parseRedirect(text: text, id: "sale", file: "sale.toml").value)
    }

    func click(_ query: String, on redirect: Redirect) throws -> ClickDecision {
        let request = ClickRequest(
            method: "GET", pathInfo: "/sale/s-1", query: query, remoteAddress: "203.0.113.7",
            userAgent: "Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0")
        return ClickDecider.decide(
            for: request, defaults: RedirectDefaults(), now: now, clickID: "01a2256d-9f98-77af-9da3-2ebfc2723450"
        ) { $0 == redirect.id ? .found(redirect) : .notFound }
    }

    @Test func forwardQueryDoesNotPassItOnAndTheEventRecordsQR() throws {
        let sale = try file(
            """
            url = "https://shop.example.com/sale?utm_source=mail"
            forward_query = true
            [properties]
            content = "{query.utm_content}"
            """)
        let d = try click("utm_content=b&_via=qr&x=1", on: sale)
        #expect(d.response.location == "https://shop.example.com/sale?utm_source=mail&utm_content=b&x=1")
        let event = try #require(d.event)
        #expect(event.via == .qr)
        #expect(event.request.query == "utm_content=b&x=1")
        #expect(JSONValue.object(event.properties) == .object([("content", .string("b"))]))
        let line = try #require(JSONValue(parsing: event.jsonLine().dropLast()))
        #expect(line["via"] == .string("qr"))
        #expect(line["request"]?["query"] == .string("utm_content=b&x=1"))
    }

    @Test func overrideAndTheOnlyParameterLeaveNoTrace() throws {
        let sale = try file(
            """
            url = "https://shop.example.com/sale"
            forward_query = "override"
            """)
        let d = try click("_via=qr", on: sale)
        #expect(d.response.location == "https://shop.example.com/sale")
        #expect(d.event?.request.query == "")
        #expect(d.event?.via == .qr)
    }

    @Test func aQueryRuleOnOtherParametersStillMatches() throws {
        let sale = try file(
            """
            url = "https://shop.example.com/sale"
            [[rules]]
            name = "b"
            query = { utm_content = "b" }
            url = "https://shop.example.com/b"
            """)
        let scanned = try click("_via=qr&utm_content=b", on: sale)
        #expect(scanned.response.location == "https://shop.example.com/b")
        #expect(scanned.event?.rule == "b")
        #expect(scanned.event?.via == .qr)
        let clicked = try click("utm_content=b", on: sale)
        #expect(clicked.event?.rule == "b")
        #expect(clicked.event?.via == nil)
    }

    @Test(arguments: [
        // (query, via, query recorded)
        ("_via=qr", ClickVia?.some(.qr), ""),
        ("%5Fvia=qr&a=1", .qr, "a=1"),
        ("a=1&_via=qr&_via=email", .qr, "a=1"),
        ("_via=QR&a=1", nil, "a=1"),
        ("_via=&a=1", nil, "a=1"),
        ("_via", nil, ""),
        ("a=_via&b_via=qr", nil, "a=_via&b_via=qr"),
        ("", nil, ""),
    ])
    func valuesAndSpellings(query: String, via: ClickVia?, recorded: String) throws {
        let sale = try file(#"url = "https://shop.example.com/sale""#)
        let d = try click(query, on: sale)
        #expect(d.event?.via == via)
        #expect(d.event?.request.query == recorded)
        #expect(d.response.location == "https://shop.example.com/sale")
    }

    @Test func aPixelRecordsTheViaToo() throws {
        let open = try file("kind = \"pixel\"")
        let d = try click("_via=qr", on: open)
        #expect(d.event?.outcome == .opened)
        #expect(d.event?.via == .qr)
    }

    // MARK: Files that name the reserved parameter

    static let reservedFiles: [(text: String, message: String)] = [
        (
            "url = \"https://e.com/?a=1&_via=qr\"",
            "sale.toml:1:1: url sets _via: the query parameter _via is reserved"
        ),
        (
            "url = \"https://e.com/?from={query._via}\"",
            "sale.toml:1:1: url has the placeholder {query._via}: the query parameter _via is reserved"
        ),
        (
            "url = \"https://e.com/\"\nexpired_url = \"https://e.com/?%5Fvia=x\"",
            "sale.toml:2:1: expired_url sets %5Fvia: the query parameter _via is reserved"
        ),
        (
            "url = \"https://e.com/\"\n[properties]\nvia = \"{query._via}\"",
            "sale.toml:3:1: property via has the placeholder {query._via}: the query parameter _via is reserved"
        ),
        (
            "url = \"https://e.com/\"\n[[rules]]\nname = \"qr\"\nquery = { _via = \"qr\" }\nurl = \"https://e.com/qr\"",
            "sale.toml:4:11: rule \"qr\": query._via: the query parameter _via is reserved"
        ),
        (
            "url = \"https://e.com/\"\n[[rules]]\nname = \"qr\"\nurl = \"https://e.com/?_via=qr\"",
            "sale.toml:4:1: rule \"qr\": url sets _via: the query parameter _via is reserved"
        ),
    ]

    @Test(arguments: reservedFiles)
    func aFileThatNamesTheReservedParameterIsRefused(text: String, message: String) {
        let result = RedirectFileParser.parseRedirect(text: text, id: "sale", file: "sale.toml")
        #expect(result.value == nil)
        #expect(result.errors.count == 1)
        #expect(result.errors.first?.description.hasPrefix(message) == true, "\(result.errors)")
    }
}
