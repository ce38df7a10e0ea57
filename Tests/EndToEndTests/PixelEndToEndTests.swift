import Foundation
import Testing

/// Open pixels and `_via` through real nginx and redirectd.
@Suite(.serialized) struct PixelEndToEndTests {
    /// The 43 bytes of the pixel's GIF (RedirectCoreTests decode them); this target links none of the modules.
    static let gif: [UInt8] = [
        0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 0x01, 0x00, 0x01, 0x00, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF,
        0xFF, 0x21, 0xF9, 0x04, 0x01, 0x00, 0x00, 0x00, 0x00, 0x2C, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00,
        0x00, 0x02, 0x02, 0x44, 0x01, 0x00, 0x3B,
    ]
    static let files = [
        "_defaults.toml": "source = \"web\"\nevent_type = \"email-click\"\n",
        "open.toml": """
        kind = "pixel"
        [properties]
        mail = "december"
        """,
        "closed.toml": """
        kind = "pixel"
        enabled = false
        """,
        "fwd.toml": """
        url = "https://shop.example.com/landing?utm_source=mail"
        forward_query = true
        """,
    ]

    @Test func getAndHeadOfAPixel() throws {
        let stack = try RedirectStack(files: Self.files)
        defer { stack.stop() }
        let agent = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0"
        let get = try stack.get("/redirect/open/s-42", headers: ["User-Agent: \(agent)"])
        #expect(get.status == 200)
        #expect(get.header("Content-Type") == "image/gif")
        #expect(get.header("Cache-Control") == "private, no-store")
        #expect(get.header("Content-Length") == "43")
        #expect(get.header("Location") == nil)
        #expect(get.bodyBytes == Self.gif)

        let head = try stack.get("/redirect/open/s-42", method: "HEAD", headers: ["User-Agent: \(agent)"])
        #expect(head.status == 200)
        #expect(head.header("Content-Type") == "image/gif")
        #expect(head.header("Cache-Control") == "private, no-store")
        #expect(head.header("Content-Length") == "43")
        #expect(head.bodyBytes.isEmpty)

        let closed = try stack.get("/redirect/closed/s-42", headers: ["User-Agent: \(agent)"])
        #expect(closed.status == 200)
        #expect(closed.bodyBytes == Self.gif)

        let events = try stack.events()
        #expect(events.count == 3)
        let open = try #require(events.first)
        #expect(open["outcome"] as? String == "opened")
        #expect(open["type"] as? String == "email-open")
        #expect(open["redirect"] as? String == "open")
        #expect(open["session"] as? String == "s-42")
        #expect(open["source"] as? String == "web")
        #expect(open["status"] as? Int == 200)
        #expect(open["target"] is NSNull)
        #expect(open["via"] is NSNull)
        #expect((open["properties"] as? [String: Any])?["mail"] as? String == "december")
        #expect((open["request"] as? [String: Any])?["user_agent"] as? String == agent)
        #expect(open["bot"] is NSNull)
        #expect(events[1]["outcome"] as? String == "opened")
        #expect(events[1]["bot_category"] as? String == "preview")
        #expect((events[1]["request"] as? [String: Any])?["method"] as? String == "HEAD")
        #expect(events[2]["outcome"] as? String == "disabled")
    }

    @Test func viaIsTakenOutOfTheQueryAndRecorded() throws {
        let stack = try RedirectStack(files: Self.files)
        defer { stack.stop() }
        let response = try stack.get("/redirect/fwd/s-1?a=1&_via=qr", headers: ["User-Agent: Mozilla/5.0"])
        #expect(response.status == 302)
        #expect(response.header("Location") == "https://shop.example.com/landing?utm_source=mail&a=1")
        let event = try #require(try stack.events().first)
        #expect(event["via"] as? String == "qr")
        #expect((event["request"] as? [String: Any])?["query"] as? String == "a=1")
    }
}
