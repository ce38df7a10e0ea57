import BotDetection
import JSON
import Testing
import Timestamps

@testable import RedirectCore

@Suite struct ClickEventTests {
    func event(userAgent: String?, referer: String? = nil, bot: BotMatch? = nil) -> ClickEvent {
        ClickEvent(
            id: "01a2256d-9f98-77af-9da3-2ebfc2723450",
            time: Timestamp(year: 2026, month: 11, day: 29, hour: 2, minute: 8, second: 14, millisecond: 431),
            outcome: .redirected, redirect: "12345", session: "67890", sessionStatus: .valid, source: "email",
            type: "redirect", properties: [("k", .string("v"))], target: "https://example.com/", status: 302,
            request: .init(
                method: "GET", ip: "203.0.113.7", userAgent: userAgent, referer: referer,
                acceptLanguage: "en", host: "go.example.com", query: "a=1"),
            bot: bot?.label, botCategory: bot?.category, sessionSource: .path)
    }

    func line(_ e: ClickEvent) -> String { String(decoding: e.jsonLine(), as: UTF8.self) }

    @Test func exactLine() {
        #expect(
            line(event(userAgent: "UA")) == """
                {"v":1,"id":"01a2256d-9f98-77af-9da3-2ebfc2723450","time":"2026-11-29T02:08:14.431Z",\
                "outcome":"redirected","redirect":"12345","session":"67890","session_status":"valid",\
                "session_source":"path","source":"email","type":"redirect","properties":{"k":"v"},"target":"https://example.com/","status":302,\
                "rule":null,"variant":null,"country":null,"device":null,"form":null,"via":null,\
                "request":{"method":"GET","ip":"203.0.113.7","user_agent":"UA","referer":null,"accept_language":"en",\
                "host":"go.example.com","query":"a=1"},"bot":null,"bot_category":null}

                """)
    }

    @Test func exactLineOfABot() {
        let bot = BotMatch(label: "slack-preview", category: .preview)
        #expect(
            line(event(userAgent: "Slackbot-LinkExpanding 1.0", bot: bot)) == """
                {"v":1,"id":"01a2256d-9f98-77af-9da3-2ebfc2723450","time":"2026-11-29T02:08:14.431Z",\
                "outcome":"redirected","redirect":"12345","session":"67890","session_status":"valid",\
                "session_source":"path","source":"email","type":"redirect","properties":{"k":"v"},\
                "target":"https://example.com/","status":302,\
                "rule":null,"variant":null,"country":null,"device":null,"form":null,"via":null,\
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

    /// The escaping, character by character as JSON has it (and U+2028, U+2029 and DEL escaped too).
    static func referenceEscaped(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _
            where scalar.value < 0x20 || scalar.value == 0x7F || scalar.value == 0x2028 || scalar.value == 0x2029:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    /// The writer takes plain text eight bytes at a time: a character that must be escaped (or one of several
    /// bytes) is found wherever it falls in or across those words, at the end of a string, and twice in one.
    @Test func escapesAtEveryPositionOfLongerStrings() {
        let specials = [
            "\"", "\\", "\n", "\u{1}", "\u{1f}", "\u{7f}", "\u{2028}", "\u{2029}", "\u{e9}", "\u{20ac}",
            "\u{1F600}", "\u{2010}",
        ]
        for length in [1, 7, 8, 9, 15, 16, 17, 23, 24, 31] {
            let plain = Array("abcdefghijklmnopqrstuvwxyz01234567890".prefix(length))
            for special in specials {
                for position in 0...length {
                    var text = String(plain[..<position]) + special + String(plain[position...])
                    if position % 3 == 0 { text += special }
                    var out: [UInt8] = []
                    JSONWriter.writeString(text, to: &out)
                    #expect(String(decoding: out, as: UTF8.self) == Self.referenceEscaped(text), "\(Array(text.utf8))")
                }
            }
        }
    }

    @Test func invalidUTF8BecomesReplacementCharacter() {
        let bytes: [UInt8] = [0x41, 0xFF, 0xC3, 0x28, 0x42]
        let text = ClickRequest(parameters: [("HTTP_USER_AGENT", bytes)]).userAgent ?? ""
        #expect(text == "A\u{FFFD}\u{FFFD}(B")
        let out = line(event(userAgent: text))
        #expect(out.contains("\"user_agent\":\"A\u{FFFD}\u{FFFD}(B\""))
        #expect(out.utf8.allSatisfy { $0 != 0xFF })
    }

    @Test func timestamps() {
        #expect(Timestamp(millisecondsSinceEpoch: 0).iso8601 == "1970-01-01T00:00:00.000Z")
        #expect(Timestamp(millisecondsSinceEpoch: 951_782_400_000).iso8601 == "2000-02-29T00:00:00.000Z")
        #expect(
            Timestamp(year: 2026, month: 11, day: 29, hour: 23, minute: 59, second: 59, millisecond: 999).iso8601
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
