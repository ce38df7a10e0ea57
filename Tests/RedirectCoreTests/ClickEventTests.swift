import Testing
@testable import RedirectCore

@Suite struct ClickEventTests {
    func event(userAgent: String?, referer: String? = nil, bot: BotMatch? = nil) -> ClickEvent {
        ClickEvent(
            id: "01a2256d-9f98-77af-9da3-2ebfc2723450",
            time: Timestamp(year: 2026, month: 11, day: 29, hour: 2, minute: 8, second: 14, millisecond: 431),
            outcome: .redirected, redirect: "12345", session: "67890", sessionStatus: .valid, source: "email",
            type: "redirect", properties: [("k", .string("v"))], target: "https://example.com/", status: 302,
            request: .init(method: "GET", ip: "203.0.113.7", userAgent: userAgent, referer: referer,
                           acceptLanguage: "en", host: "go.example.com", query: "a=1"),
            bot: bot?.label, botCategory: bot?.category, sessionSource: .path)
    }

    func line(_ e: ClickEvent) -> String { String(decoding: e.jsonLine(), as: UTF8.self) }

    @Test func exactLine() {
        #expect(line(event(userAgent: "UA")) == """
            {"v":1,"id":"01a2256d-9f98-77af-9da3-2ebfc2723450","time":"2026-11-29T02:08:14.431Z",\
            "outcome":"redirected","redirect":"12345","session":"67890","session_status":"valid",\
            "session_source":"path","source":"email","type":"redirect","properties":{"k":"v"},"target":"https://example.com/","status":302,\
            "request":{"method":"GET","ip":"203.0.113.7","user_agent":"UA","referer":null,"accept_language":"en",\
            "host":"go.example.com","query":"a=1"},"bot":null,"bot_category":null}

            """)
    }

    @Test func exactLineOfABot() {
        let bot = BotMatch(label: "slack-preview", category: .preview)
        #expect(line(event(userAgent: "Slackbot-LinkExpanding 1.0", bot: bot)) == """
            {"v":1,"id":"01a2256d-9f98-77af-9da3-2ebfc2723450","time":"2026-11-29T02:08:14.431Z",\
            "outcome":"redirected","redirect":"12345","session":"67890","session_status":"valid",\
            "session_source":"path","source":"email","type":"redirect","properties":{"k":"v"},\
            "target":"https://example.com/","status":302,\
            "request":{"method":"GET","ip":"203.0.113.7","user_agent":"Slackbot-LinkExpanding 1.0","referer":null,\
            "accept_language":"en","host":"go.example.com","query":"a=1"},"bot":"slack-preview",\
            "bot_category":"preview"}

            """)
    }

    static let escapes: [(String, String)] = [
        ("say \"hi\"", #""say \"hi\"""#),
        ("back\\slash", #""back\\slash""#),
        ("line\nbreak\r", #""line\nbreak\r""#),
        ("tab\there", #""tab\there""#),
        ("nul\u{0}bell\u{7}del\u{7f}", #""nul\u0000bell\u0007del\u007f""#),
        ("sep\u{2028}para\u{2029}", #""sep\u2028para\u2029""#),
        ("caf\u{e9} \u{1F600}", "\"caf\u{e9} \u{1F600}\""),
        ("\",\"bot\":\"forged", #""\",\"bot\":\"forged""#),
        ("", #""""#),
    ]

    @Test(arguments: escapes)
    func stringsAreEscaped(input: String, json: String) {
        var out: [UInt8] = []
        JSONWriter.writeString(input, to: &out)
        #expect(String(decoding: out, as: UTF8.self) == json)
        let whole = line(event(userAgent: input, referer: input))
        #expect(whole.filter { $0 == "\n" }.count == 1)
        #expect(whole.contains("\"user_agent\":\(json),\"referer\":\(json),"))
    }

    @Test func invalidUTF8BecomesReplacementCharacter() {
        let bytes: [UInt8] = [0x41, 0xFF, 0xC3, 0x28, 0x42]
        let text = bytes.withUnsafeBufferPointer { ClickRequest.text($0) }
        #expect(text == "A\u{FFFD}\u{FFFD}(B")
        let out = line(event(userAgent: text))
        #expect(out.contains("\"user_agent\":\"A\u{FFFD}\u{FFFD}(B\""))
        #expect(out.utf8.allSatisfy { $0 != 0xFF })
    }

    @Test func timestamps() {
        #expect(Timestamp(millisecondsSinceEpoch: 0).iso8601 == "1970-01-01T00:00:00.000Z")
        #expect(Timestamp(millisecondsSinceEpoch: 951_782_400_000).iso8601 == "2000-02-29T00:00:00.000Z")
        #expect(Timestamp(year: 2026, month: 11, day: 29, hour: 23, minute: 59, second: 59, millisecond: 999).iso8601
            == "2026-11-29T23:59:59.999Z")
    }

    @Test func clickIDsAreVersion7AndOrdered() {
        var generator = ClickIDGenerator()
        let a = ClickID.make(at: Timestamp(millisecondsSinceEpoch: 1_795_000_000_000), using: &generator)
        let b = ClickID.make(at: Timestamp(millisecondsSinceEpoch: 1_795_000_000_001), using: &generator)
        #expect(ClickID.isWellFormed(a) && ClickID.isWellFormed(b))
        #expect(Array(a)[14] == "7")
        #expect("89ab".contains(Array(a)[19]))
        #expect(a < b)
        #expect(a.hasPrefix("01a1ee56-5e00-7"))
    }
}
