import JSON
import Testing
import Timestamps

@testable import RedirectCore

@Suite struct RedirectFileParserTests {
    func parse(_ text: String) -> RedirectFileResult<Redirect> {
        RedirectFileParser.parseRedirect(text: text, id: "x", file: "x.toml")
    }

    @Test func minimalFileGetsDefaults() throws {
        let redirect = try #require(parse(#"url = "https://example.com/a""#).value)
        #expect(redirect == Redirect(id: "x", url: "https://example.com/a"))
        #expect(redirect.status == .found)
        #expect(redirect.enabled)
    }

    @Test func everyKey() throws {
        let text = """
            url = "https://example.com/{session}"
            status = 307
            event_type = "email-click"
            source = "newsletter"
            name = "N"
            description = "D"
            tags = ["a", "b"]
            forward_query = true
            valid_from = 2026-01-01T00:00:00Z
            valid_until = 2026-02-01T01:00:00+01:00
            expired_url = "https://example.com/over"
            enabled = false

            [properties]
            campaign = "spring"
            position = 3
            ratio = 0.5
            flag = true
            list = [1, 2]
            """
        let result = parse(text)
        #expect(result.problems.isEmpty)
        let r = try #require(result.value)
        #expect(r.status == .temporaryRedirect)
        #expect(r.eventType == "email-click")
        #expect(r.source == "newsletter")
        #expect(r.name == "N" && r.description == "D")
        #expect(r.tags == ["a", "b"])
        #expect(r.forwardQuery == .merge)
        #expect(r.validFrom == Timestamp(year: 2026, month: 1, day: 1))
        #expect(r.validUntil == Timestamp(year: 2026, month: 2, day: 1))
        #expect(r.expiredURL == "https://example.com/over")
        #expect(!r.enabled)
        #expect(
            JSONValue.object(r.properties).jsonText
                == #"{"campaign":"spring","position":3,"ratio":0.5,"flag":true,"list":[1,2]}"#)
    }

    static let wrongFiles: [(String, String)] = [
        ("url = \"https://e.com/\"\nstatus = \"302\"\n", "x.toml:2:1: status must be an integer, found a string"),
        (
            "url = \"https://e.com/\"\n\n  status = 304\n",
            "x.toml:3:3: status must be one of 301, 302, 303, 307, 308, found 304"
        ),
        ("url = 5\n", "x.toml:1:1: url must be a string, found an integer"),
        ("name = \"n\"\n", "x.toml:1:1: missing required key \"url\""),
        ("url = \"/relative\"\n", "x.toml:1:1: url must be an absolute http or https URL, found \"/relative\""),
        ("url = \"ftp://e.com/\"\n", "x.toml:1:1: url must be an absolute http or https URL, found \"ftp://e.com/\""),
        ("url = \"https://e.com/a b\"\n", "x.toml:1:1: url must not contain spaces (percent-encode them as %20)"),
        ("url = \"https://{query.h}/\"\n", "x.toml:1:1: url must not take its host from a placeholder"),
        (
            "url = \"https://e.com/{sesion}\"\n",
            "x.toml:1:1: url has an unknown placeholder {sesion} (known: {session}, {redirect}, {click_id}, {query.NAME})"
        ),
        (
            "url = \"https://e.com/\"\nenabled = \"yes\"\n",
            "x.toml:2:1: enabled must be a boolean (true or false), found a string"
        ),
        (
            "url = \"https://e.com/\"\ntags = [\"a\", 1]\n",
            "x.toml:2:14: tags must be an array of strings, found an integer in it"
        ),
        (
            "url = \"https://e.com/\"\nproperties = 3\n",
            "x.toml:2:1: properties must be a table ([properties]), found an integer"
        ),
        (
            "url = \"https://e.com/\"\nvalid_from = \"tomorrow\"\n",
            "x.toml:2:1: valid_from must be a date-time such as 2026-12-01T00:00:00Z, found a string"
        ),
        (
            "url = \"https://e.com/\"\nvalid_from = 2026-02-01T00:00:00Z\nvalid_until = 2026-01-01T00:00:00Z\n",
            "x.toml:3:1: valid_until must be later than valid_from"
        ),
        (
            "url = \"https://e.com/\"\nforward_query = \"yes\"\n",
            "x.toml:2:1: forward_query must be true, false or \"override\", found \"yes\""
        ),
        (
            "url = \"https://e.com/\"\nforward_query = 1\n",
            "x.toml:2:1: forward_query must be true, false or \"override\", found an integer"
        ),
    ]

    @Test(arguments: [("true", ForwardQuery.merge), ("false", .off), ("\"override\"", .override)])
    func forwardQueryModes(value: String, mode: ForwardQuery) throws {
        let r = try #require(parse("url = \"https://e.com/\"\nforward_query = \(value)\n").value)
        #expect(r.forwardQuery == mode)
    }

    @Test(arguments: wrongFiles)
    func wrongValueIsReportedAtItsLine(text: String, message: String) {
        let result = parse(text)
        #expect(result.value == nil)
        #expect(result.errors.map(\.description) == [message])
    }

    @Test func syntaxErrorHasPosition() {
        let result = parse("url = \"https://e.com/\"\nstatus = = 3\n")
        #expect(result.value == nil)
        let error = result.errors.first
        #expect(error?.line == 2)
        #expect(error?.column ?? 0 > 1)
        #expect(
            error?.description
                == "x.toml:2:10: invalid TOML: expected a value (a string in quotes, a number, true, false, a date, "
                + "[ or {), found '='")
    }

    @Test func unknownKeyIsAWarningWithSuggestion() throws {
        let result = parse("url = \"https://e.com/\"\nstatsu = 301\n")
        #expect(result.value != nil)
        #expect(result.problems.map(\.description) == [#"x.toml:2:1: unknown key "statsu" (did you mean "status"?)"#])
        #expect(result.problems.first?.severity == .warning)
    }

    /// Positions come from the parser, not from a search of the text: a key quoted, dotted, or written after a
    /// multi-line string that mentions it is found where it is.
    @Test func findingsPointAtTheKeyTheParserRead() {
        let text = """
            description = \"\"\"
            status = 301 is what we used before
            \"\"\"
            url = "https://e.com/"
              "status" = "302"
            properties.note = "{sesion}"
            """
        #expect(
            parse(text).problems.map(\.description) == [
                "x.toml:5:3: status must be an integer, found a string",
                "x.toml:6:12: property note has an unknown placeholder {sesion}",
            ])
    }

    @Test func defaultsFile() throws {
        let text = """
            source = "web"
            event_type = "click"
            not_found_url = "https://example.com/404"
            anonymize_ip = true
            honor_privacy_signals = false
            base_url = "https://go.example.com/redirect"
            [properties]
            channel = "link"
            """
        let d = try #require(RedirectFileParser.parseDefaults(text: text, file: "_defaults.toml").value)
        #expect(
            d
                == RedirectDefaults(
                    source: "web", eventType: "click", properties: [("channel", .string("link"))],
                    notFoundURL: "https://example.com/404", anonymizeIP: true, honorPrivacySignals: false,
                    baseURL: "https://go.example.com/redirect"))
    }

    /// A placeholder before the host ends cannot be filled (a value could move the link to another host), so every
    /// click answered the template with its braces: `https://{query.u}@example.com/` passed. Each part is refused,
    /// in every URL key, with the part named.
    static let placeholdersBeforeTheHostEnds: [(String, String)] = [
        (
            "url = \"https://{query.u}@example.com/\"\n",
            "x.toml:1:1: url must not take its user name or password (before @) from a placeholder"
        ),
        (
            "url = \"https://user:{query.p}@example.com/\"\n",
            "x.toml:1:1: url must not take its user name or password (before @) from a placeholder"
        ),
        (
            "url = \"{query.scheme}://example.com/\"\n",
            "x.toml:1:1: url must not take its scheme from a placeholder: start it with https:// or http://"
        ),
        (
            "url = \"http{query.s}://example.com/\"\n",
            "x.toml:1:1: url must not take its scheme from a placeholder: start it with https:// or http://"
        ),
        (
            "url = \"{query.target}\"\n",
            "x.toml:1:1: url must not take its scheme from a placeholder: start it with https:// or http://"
        ),
        ("url = \"https://example.com:{query.port}/\"\n", "x.toml:1:1: url must not take its port from a placeholder"),
        (
            "url = \"https://[2001:db8::1]:{query.port}/\"\n",
            "x.toml:1:1: url must not take its port from a placeholder"
        ),
        (
            "url = \"https://{query.h}.example.com:8443/\"\n",
            "x.toml:1:1: url must not take its host from a placeholder"
        ),
        ("url = \"https://[{query.h}]/\"\n", "x.toml:1:1: url must not take its host from a placeholder"),
        ("url = \"https://u@{session}/\"\n", "x.toml:1:1: url must not take its host from a placeholder"),
        (
            "url = \"https://e.com/\"\nexpired_url = \"https://{session}@e.com/over\"\n",
            "x.toml:2:1: expired_url must not take its user name or password (before @) from a placeholder"
        ),
    ]

    @Test(arguments: placeholdersBeforeTheHostEnds)
    func placeholderBeforeTheHostEndsIsRefused(text: String, message: String) {
        let result = parse(text)
        #expect(result.value == nil)
        #expect(result.errors.map(\.description) == [message])
    }

    /// Placeholders `check` cannot fill at all are refused, with what to write instead.
    static let unfillablePlaceholders: [(String, String)] = [
        (
            "https://e.com/{foo}",
            "url has an unknown placeholder {foo} (known: {session}, {redirect}, {click_id}, {query.NAME})"
        ),
        (
            "https://e.com/?u={query.}",
            "url has a placeholder {query.} with no parameter name: write {query.NAME}, e.g. {query.utm_source}"
        ),
        (
            "https://e.com/?u={query.a&b}",
            "url has a placeholder {query.a&b} whose parameter name holds a character other than A-Z a-z 0-9 - . _ ~ [ ]"
        ),
        (
            "https://e.com/?s={session",
            "url has a { that opens no placeholder (at \"{session\"): close it with }, or write %7B for a literal {"
        ),
        (
            "https://e.com/?a={query.a{query.b}",
            "url has a { that opens no placeholder (at \"{query.a\"): close it with }, or write %7B for a literal {"
        ),
        (
            "https://e.com/{}",
            "url has a { that opens no placeholder (at \"{}\"): close it with }, or write %7B for a literal {"
        ),
    ]

    @Test(arguments: unfillablePlaceholders)
    func unfillablePlaceholderIsRefused(url: String, message: String) {
        let result = parse("url = \"\(url)\"\n")
        #expect(result.value == nil)
        #expect(result.errors.map(\.message) == [message])
    }

    @Test func defaultsRefusePlaceholdersBeforeTheHostEnds() {
        let text = "not_found_url = \"https://{query.u}@example.com/\"\nbase_url = \"https://go.example.com:{x}/r\"\n"
        let result = RedirectFileParser.parseDefaults(text: text, file: "_defaults.toml")
        #expect(result.value == nil)
        #expect(
            result.errors.map(\.description) == [
                "_defaults.toml:1:1: not_found_url must not take its user name or password (before @) from a placeholder",
                "_defaults.toml:2:1: base_url must not take its port from a placeholder",
            ])
    }

    /// Placeholders after the host stay as they were: path, query and fragment.
    @Test func placeholdersAfterTheHostAreFine() throws {
        let text = "url = \"https://u:p@e.com:8443/{redirect}/{session}?c={click_id}&q={query.a[0]}#{query.f}\"\n"
        let result = parse(text)
        #expect(result.problems.isEmpty, "\(result.problems)")
        #expect(result.value != nil)
    }
}
