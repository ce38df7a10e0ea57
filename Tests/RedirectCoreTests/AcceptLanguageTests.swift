import Testing

@testable import RedirectCore

/// The first-choice language of an `Accept-Language` header, as rules match it.
@Suite struct AcceptLanguageTests {
    static let headers: [(String, String?)] = [
        ("de-AT,en;q=0.8", "de"),
        ("de", "de"),
        ("DE-at", "de"),
        ("en-US,en;q=0.9,de;q=0.8", "en"),
        ("fr;q=0.5, de;q=0.9, en;q=0.9", "de"),
        ("fr;q=0.5,de;q=1.0", "de"),
        ("fr;q=0.5,de;q=1", "de"),
        ("fr,de;q=1.000", "fr"),
        ("*", nil),
        ("*;q=1, de;q=1", nil),
        ("*;q=0.5, de", "de"),
        ("de;q=0", nil),
        ("de;q=0, en;q=0.001", "en"),
        ("de;q=0.0", nil),
        ("", nil),
        (" , ,", nil),
        ("  pt-BR  ;  q=0.7 , es ; q=0.6", "pt"),
        ("zh-Hant-TW", "zh"),
        ("gsw-CH;q=0.9, de;q=0.8", "gsw"),
        ("de;q=2, en;q=0.5", "en"),
        ("de;q=abc, en;q=0.5", "en"),
        ("de;q=0.12345, en;q=0.5", "en"),
        ("d3-AT, en;q=0.5", "en"),
        ("de_AT, en;q=0.5", "en"),
        ("toolonglanguage, en;q=0.5", "en"),
        ("de;level=1;q=0.4, en;q=0.5", "en"),
        ("de;q=0.9;level=1, en;q=0.5", "de"),
        ("i-klingon", "i"),
        ("ja\u{3000}", nil),
    ]

    @Test(arguments: headers)
    func firstChoice(header: String, language: String?) {
        #expect(AcceptLanguage.firstChoice(header)?.description == language, "\(header)")
    }

    @Test func aRequestsFirstChoiceIsReadFromItsHeader() {
        let request = ClickRequest(method: "GET", pathInfo: "/x", acceptLanguage: "fr-CH, fr;q=0.9, de;q=0.8")
        #expect(request.firstChoiceLanguage == PrimaryLanguage("fr"))
        #expect(ClickRequest(method: "GET", pathInfo: "/x").firstChoiceLanguage == nil)
    }

    @Test func primaryLanguagesCompareAsIntegers() {
        #expect(PrimaryLanguage("de") == PrimaryLanguage("DE"))
        #expect(PrimaryLanguage("de") != PrimaryLanguage("deu"))
        #expect(PrimaryLanguage("abcdefgh")?.description == "abcdefgh")
        #expect(PrimaryLanguage("abcdefghi") == nil)
        #expect(PrimaryLanguage("") == nil)
        #expect(PrimaryLanguage("d1") == nil)
        #expect(PrimaryLanguage("é") == nil)
        #expect(PrimaryLanguage("de")?.isNameable == true)
        #expect(PrimaryLanguage("x")?.isNameable == false)
        #expect(PrimaryLanguage("abcd")?.isNameable == false)
    }

    @Test(arguments: ["0", "0.", "0.5", "0.05", "0.005", "1", "1.", "1.0", "1.000"])
    func qualityValuesInTheGrammar(q: String) {
        var q = q
        #expect(q.withUTF8 { AcceptLanguage.qualityValue($0) } != nil)
    }

    @Test(arguments: ["", ".5", "2", "1.5", "1.001", "0.1234", "-0", "0,5", "o.5"])
    func qualityValuesOutsideTheGrammar(q: String) {
        var q = q
        #expect(q.withUTF8 { AcceptLanguage.qualityValue($0) } == nil)
    }
}
