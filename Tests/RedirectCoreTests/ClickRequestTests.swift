import BotDetection
import Testing
import Timestamps

@testable import RedirectCore

/// A request built from CGI parameters, as the FastCGI and CGI hosts hand them over (`NAME=value` bytes), and
/// what of it reaches the event line.
@Suite struct ClickRequestTests {
    /// A request from `parameters` (name, value bytes) in the given order.
    func request(_ parameters: [(String, [UInt8])]) -> ClickRequest {
        ClickRequest(parameters: parameters.map { (name: $0.0, value: $0.1) })
    }

    func event(_ request: ClickRequest, defaults: RedirectDefaults = RedirectDefaults()) -> ClickEvent {
        let decision = ClickDecider.decide(
            for: request, defaults: defaults, now: Timestamp(millisecondsSinceEpoch: 0),
            clickID: "01a2256d-9f98-77af-9da3-2ebfc2723450"
        ) { id in .found(Redirect(id: id, url: "https://example.com/")) }
        return decision.event!
    }

    func requestObject(_ event: ClickEvent) -> String {
        let line = String(decoding: event.jsonLine(), as: UTF8.self)
        let from = line.range(of: "\"request\":")!.upperBound
        let to = line.range(of: ",\"bot\":")!.lowerBound
        return String(line[from..<to])
    }

    @Test func fieldsComeFromTheirParameters() {
        let r = request([
            ("SCRIPT_NAME", Array("/redirect".utf8)), ("REQUEST_METHOD", Array("GET".utf8)),
            ("PATH_INFO", Array("/sale/s-1".utf8)), ("QUERY_STRING", Array("a=1".utf8)),
            ("REMOTE_ADDR", Array("203.0.113.7".utf8)), ("HTTP_USER_AGENT", Array("Mozilla/5.0 (X11)".utf8)),
            ("HTTP_REFERER", Array("https://mail.example/".utf8)), ("HTTP_ACCEPT_LANGUAGE", Array("de".utf8)),
            ("HTTP_HOST", Array("go.example.com".utf8)), ("HTTP_COOKIE", Array("a=1".utf8)),
        ])
        #expect(r.method == "GET")
        #expect(r.pathInfo == "/sale/s-1")
        #expect(r.query == "a=1")
        #expect(r.remoteAddress == "203.0.113.7")
        #expect(r.userAgent == "Mozilla/5.0 (X11)")
        #expect(r.referer == "https://mail.example/")
        #expect(r.acceptLanguage == "de")
        #expect(r.host == "go.example.com")
        #expect(r.cookie == "a=1")
        #expect(!r.globalPrivacyControl && !r.doNotTrack)
        #expect(
            requestObject(event(r)) == """
                {"method":"GET","ip":"203.0.113.7","user_agent":"Mozilla/5.0 (X11)","referer":"https://mail.example/",\
                "accept_language":"de","host":"go.example.com","query":"a=1"}
                """)
    }

    @Test func missingParametersAreAbsentAndEmptyOnesEmpty() {
        let r = request([("HTTP_USER_AGENT", []), ("HTTP_REFERER", [])])
        #expect(r.method == "GET")
        #expect(r.pathInfo == "")
        #expect(r.query == "")
        #expect(r.remoteAddress == nil)
        #expect(r.userAgent == "")
        #expect(r.referer == "")
        #expect(r.host == nil)
        #expect(BotClassifier.classify(r) == .noUserAgent)
    }

    @Test func theFirstOfARepeatedNameCounts() {
        let r = request([
            ("HTTP_USER_AGENT", Array("first".utf8)), ("HTTP_USER_AGENT", Array("second".utf8)),
            ("HTTP_SEC_GPC", Array(" 1 ".utf8)), ("HTTP_SEC_GPC", Array("0".utf8)), ("HTTP_DNT", Array("0".utf8)),
        ])
        #expect(r.userAgent == "first")
        #expect(r.globalPrivacyControl)
        #expect(!r.doNotTrack)
    }

    /// Invalid UTF-8 is repaired in the field it is in: the end of one field and the start of the next, which
    /// together would spell `€` (E2 82 AC), become a replacement character each, and the other fields keep
    /// their bytes.
    @Test func invalidUTF8IsRepairedFieldByField() {
        let r = request([
            ("REQUEST_METHOD", Array("GET".utf8)), ("PATH_INFO", Array("/sale".utf8)),
            ("HTTP_USER_AGENT", Array("Agent ".utf8) + [0xE2, 0x82]), ("HTTP_REFERER", [0xAC] + Array(" ref".utf8)),
            ("HTTP_ACCEPT_LANGUAGE", Array("fr-CH, f\u{FC}r".utf8)), ("HTTP_HOST", Array("go.example.com".utf8)),
        ])
        #expect(r.userAgent == "Agent \u{FFFD}")
        #expect(r.referer == "\u{FFFD} ref")
        #expect(r.acceptLanguage == "fr-CH, f\u{FC}r")
        #expect(r.host == "go.example.com")
        #expect(r.pathInfo == "/sale")
        #expect(
            requestObject(event(r)) == """
                {"method":"GET","ip":null,"user_agent":"Agent \u{FFFD}","referer":"\u{FFFD} ref",\
                "accept_language":"fr-CH, f\u{FC}r","host":"go.example.com","query":""}
                """)
    }

    /// The privacy signal leaves IP, user agent and referer out of the event; anonymising shortens the IP; the
    /// request itself keeps them all.
    @Test func privacyAndAnonymisingChangeOnlyTheEvent() {
        let parameters: [(String, [UInt8])] = [
            ("PATH_INFO", Array("/sale".utf8)), ("REMOTE_ADDR", Array("203.0.113.7".utf8)),
            ("HTTP_USER_AGENT", Array("Mozilla/5.0".utf8)), ("HTTP_REFERER", Array("https://r.example/".utf8)),
            ("HTTP_HOST", Array("go.example.com".utf8)),
        ]
        let privateClick = request(parameters + [("HTTP_DNT", Array("1".utf8))])
        let hidden = event(privateClick).request
        #expect(hidden.ip == nil && hidden.userAgent == nil && hidden.referer == nil)
        #expect(hidden.host == "go.example.com")
        #expect(privateClick.userAgent == "Mozilla/5.0")

        let shortened = event(request(parameters), defaults: RedirectDefaults(anonymizeIP: true)).request
        #expect(shortened.ip == "203.0.113.0")
        #expect(shortened.userAgent == "Mozilla/5.0")
        #expect(shortened.referer == "https://r.example/")
    }

    @Test func settingAFieldOfTheEventKeepsTheOthers() {
        var info = event(
            request([
                ("REMOTE_ADDR", Array("203.0.113.7".utf8)), ("HTTP_USER_AGENT", Array("UA".utf8)),
                ("HTTP_HOST", Array("go.example.com".utf8)),
            ])
        ).request
        info.userAgent = "Another agent"
        info.ip = nil
        #expect(
            info
                == ClickEvent.RequestInfo(
                    method: "GET", ip: nil, userAgent: "Another agent", referer: nil, acceptLanguage: nil,
                    host: "go.example.com", query: ""))
    }
}
