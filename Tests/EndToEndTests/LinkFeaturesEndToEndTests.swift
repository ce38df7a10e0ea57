import Foundation
import Testing

/// The link features through real nginx and redirectd.
@Suite(.serialized) struct LinkFeaturesEndToEndTests {
    static let files = [
        "_defaults.toml": "source = \"web\"\n",
        "promo.toml": """
        url = "https://shop.example.com/p/{session}?c={click_id}&src={query.utm_source}"
        [properties]
        utm = "{query.utm_source}"
        """,
        "fwd.toml": """
        url = "https://shop.example.com/landing?utm_source=mail"
        forward_query = true
        """,
        "fwd-override.toml": """
        url = "https://shop.example.com/landing?utm_source=mail&q=spring+sale"
        forward_query = "override"
        """,
        "over.toml": """
        url = "https://shop.example.com/live"
        valid_until = 2020-01-01T00:00:00Z
        expired_url = "https://shop.example.com/ended"
        """,
        "gone.toml": """
        url = "https://shop.example.com/live"
        valid_until = 2020-01-01T00:00:00Z
        """,
    ]

    @Test func placeholderTarget() throws {
        let stack = try RedirectStack(files: Self.files)
        defer { stack.stop() }
        let response = try stack.get(
            "/redirect/promo/s-42?utm_source=news%20letter", headers: ["User-Agent: Mozilla/5.0"])
        #expect(response.status == 302)
        let e = try #require(try stack.events().first)
        let id = try #require(e["id"] as? String)
        #expect(response.header("Location") == "https://shop.example.com/p/s-42?c=\(id)&src=news%20letter")
        #expect((e["properties"] as? [String: Any])?["utm"] as? String == "news letter")
    }

    @Test(arguments: [
        ("?@evil.example", "https://shop.example.com/landing?utm_source=mail&%40evil.example="),
        ("?//evil.example", "https://shop.example.com/landing?utm_source=mail&%2F%2Fevil.example="),
        (
            "?x=%0D%0ALocation:%20https://evil.example",
            "https://shop.example.com/landing?utm_source=mail&x=%0D%0ALocation%3A%20https%3A%2F%2Fevil.example"
        ),
        // The file's own parameters win: a visitor cannot rewrite the campaign's utm_source.
        ("?utm_source=ad&a=1", "https://shop.example.com/landing?utm_source=mail&a=1"),
    ])
    func forwardQueryCannotLeaveTheHost(query: String, expected: String) throws {
        let stack = try RedirectStack(files: Self.files)
        defer { stack.stop() }
        let response = try stack.get("/redirect/fwd" + query)
        #expect(response.status == 302)
        #expect(response.header("Location") == expected)
        #expect(response.headers.count(where: { $0.0.lowercased() == "location" }) == 1)
        #expect(response.header("Set-Cookie") == nil)
    }

    @Test func forwardQueryOverrideLetsTheVisitorsParametersWin() throws {
        let stack = try RedirectStack(files: Self.files)
        defer { stack.stop() }
        let response = try stack.get("/redirect/fwd-override?utm_source=ad&a=1")
        #expect(response.header("Location") == "https://shop.example.com/landing?q=spring+sale&utm_source=ad&a=1")
    }

    @Test func expiredLink() throws {
        let stack = try RedirectStack(files: Self.files)
        defer { stack.stop() }
        let over = try stack.get("/redirect/over")
        #expect(over.status == 302)
        #expect(over.header("Location") == "https://shop.example.com/ended")
        let gone = try stack.get("/redirect/gone")
        #expect(gone.status == 410)
        #expect(try stack.events().map { $0["outcome"] as? String } == ["expired", "expired"])
    }

    @Test func globalPrivacyControlIsHonoured() throws {
        let stack = try RedirectStack(files: Self.files)
        defer { stack.stop() }
        let response = try stack.get(
            "/redirect/fwd",
            headers: [
                "User-Agent: Mozilla/5.0", "Referer: https://mail.example.com/", "Sec-GPC: 1",
            ])
        #expect(response.status == 302)
        let request = try #require(try stack.events().first?["request"] as? [String: Any])
        #expect(request["ip"] is NSNull)
        #expect(request["user_agent"] is NSNull)
        #expect(request["referer"] is NSNull)
    }

    @Test func linkPreviewIsFlaggedAndStillRedirected() throws {
        let stack = try RedirectStack(files: Self.files)
        defer { stack.stop() }
        let response = try stack.get(
            "/redirect/fwd", headers: ["User-Agent: Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)"])
        #expect(response.status == 302)
        let event = try #require(try stack.events().first)
        #expect(event["bot"] as? String == "slack-preview")
        #expect(event["bot_category"] as? String == "preview")
    }
}
