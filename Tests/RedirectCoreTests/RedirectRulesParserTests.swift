import DeviceDetection
import JSON
import Testing
import Timestamps

@testable import RedirectCore

/// `[[rules]]` and `[[variants]]` as a person writes them, and every mistake `check` must point at.
@Suite struct RedirectRulesParserTests {
    func parse(_ text: String) -> RedirectFileResult<Redirect> {
        RedirectFileParser.parseRedirect(text: text, id: "x", file: "x.toml")
    }

    static let example = """
        url = "https://shop.example.com/sale"
        [[rules]]
        name = "ios"
        device = ["ios"]
        form = ["mobile"]
        url = "https://apps.apple.com/app/id123"
        status = 302
        [[rules]]
        name = "dach"
        language = ["de"]
        country = ["DE", "AT", "CH"]
        url = "https://shop.example.com/de/sale"
        properties = { market = "dach" }
        [[rules]]
        name = "previews"
        bot = true
        url = "https://shop.example.com/sale/preview-card"
        [[rules]]
        name = "launch-week"
        query = { utm_content = "b" }
        from = 2026-03-01T00:00:00Z
        until = 2026-03-08T00:00:00Z
        url = "https://shop.example.com/launch"
        event_type = "launch-click"
        [[rules.variants]]
        name = "red"
        weight = 1
        url = "https://shop.example.com/launch?c=red"
        properties = { colour = "red" }
        [[rules.variants]]
        name = "blue"
        weight = 3
        url = "https://shop.example.com/launch?c=blue"
        [[variants]]
        name = "a"
        weight = 50
        url = "https://shop.example.com/sale?v=a"
        [[variants]]
        name = "b"
        weight = 50
        url = "https://shop.example.com/sale?v=b"
        """

    @Test func theIssuesExampleReadsIntoTheModel() throws {
        let result = parse(Self.example)
        #expect(result.problems.isEmpty, "\(result.problems)")
        let r = try #require(result.value)
        #expect(r.rules.map(\.name) == ["ios", "dach", "previews", "launch-week"])
        #expect(r.rules[0].conditions == RuleConditions(devices: [.ios], forms: [.mobile]))
        #expect(r.rules[0].status == .found)
        #expect(r.rules[1].conditions.languages == [PrimaryLanguage("de")])
        #expect(r.rules[1].conditions.countries.map(\.description) == ["DE", "AT", "CH"])
        #expect(JSONValue.object(r.rules[1].properties).jsonText == #"{"market":"dach"}"#)
        #expect(r.rules[2].conditions == RuleConditions(bot: true))
        let launch = r.rules[3]
        #expect(launch.conditions.query.map { "\($0.name)=\($0.value)" } == ["utm_content=b"])
        #expect(launch.conditions.from == Timestamp(year: 2026, month: 3, day: 1))
        #expect(launch.conditions.until == Timestamp(year: 2026, month: 3, day: 8))
        #expect(launch.eventType == "launch-click")
        #expect(launch.variants.map(\.name) == ["red", "blue"])
        #expect(launch.variants.map(\.weight) == [1, 3])
        #expect(r.variants.map(\.url) == ["https://shop.example.com/sale?v=a", "https://shop.example.com/sale?v=b"])
    }

    @Test func aFileWithoutRulesIsAsBefore() throws {
        let r = try #require(parse("url = \"https://e.com/\"\n").value)
        #expect(r.rules.isEmpty && r.variants.isEmpty)
    }

    @Test func aRuleWithVariantsNeedsNoURL() throws {
        let text = """
            url = "https://e.com/"
            [[rules]]
            name = "de"
            language = ["DE"]
            [[rules.variants]]
            name = "a"
            weight = 1
            url = "https://e.com/a"
            """
        let r = try #require(parse(text).value)
        #expect(r.rules[0].url == "")
        #expect(r.rules[0].conditions.languages == [PrimaryLanguage("de")])
    }

    static let u = "url = \"https://e.com/\"\n"

    /// One mistake per file, with the one error (file:line:column: message) it must give.
    static let wrongFiles: [(String, String)] = [
        (u + "rules = 3\n", "x.toml:2:1: rules must be an array of tables ([[rules]]), found an integer"),
        (u + "rules = [1]\n", "x.toml:2:10: rules must be an array of tables ([[rules]]), found an integer in it"),
        (
            u + "[[rules]]\ndevice = [\"ios\"]\nurl = \"https://e.com/i\"\n",
            "x.toml:2:1: rule 1: missing required key \"name\" (recorded in the event of each click it takes)"
        ),
        (u + "[[rules]]\nname = \"\"\nurl = \"https://e.com/i\"\n", "x.toml:3:1: rule 1: name must not be empty"),
        (
            u + "[[rules]]\nname = \"a\"\nbot = true\nurl = \"https://e.com/i\"\n[[rules]]\nname = \"a\"\n"
                + "bot = false\nurl = \"https://e.com/j\"\n",
            "x.toml:7:1: rule name \"a\" is already used at line 3"
        ),
        (
            u + "[[rules]]\nname = \"a\"\ndevice = [\"iphone\"]\nurl = \"https://e.com/i\"\n",
            "x.toml:4:11: rule \"a\": device \"iphone\" is not one of ios, android, windows, macos, linux, chromeos"
        ),
        (
            u + "[[rules]]\nname = \"a\"\ndevice = [\"andriod\"]\nurl = \"https://e.com/i\"\n",
            "x.toml:4:11: rule \"a\": device \"andriod\" is not one of ios, android, windows, macos, linux, chromeos "
                + "(did you mean \"android\"?)"
        ),
        (
            u + "[[rules]]\nname = \"a\"\nform = [\"phone\"]\nurl = \"https://e.com/i\"\n",
            "x.toml:4:9: rule \"a\": form \"phone\" is not one of mobile, tablet, desktop"
        ),
        (
            u + "[[rules]]\nname = \"a\"\ndevice = []\nurl = \"https://e.com/i\"\n",
            "x.toml:4:1: rule \"a\": device must not be empty (leave the key out to match every click)"
        ),
        (
            u + "[[rules]]\nname = \"a\"\ndevice = \"ios\"\nurl = \"https://e.com/i\"\n",
            "x.toml:4:1: rule \"a\": device must be an array of strings such as [\"ios\"], found a string"
        ),
        (
            u + "[[rules]]\nname = \"a\"\ncountry = [\"DE\", \"UK\"]\nurl = \"https://e.com/i\"\n",
            "x.toml:4:18: rule \"a\": country \"UK\" is not an assigned ISO 3166-1 alpha-2 code "
                + "(the United Kingdom is \"GB\")"
        ),
        (
            u + "[[rules]]\nname = \"a\"\ncountry = [\"ZZ\"]\nurl = \"https://e.com/i\"\n",
            "x.toml:4:12: rule \"a\": country \"ZZ\" is not an assigned ISO 3166-1 alpha-2 code such as \"DE\""
        ),
        (
            u + "[[rules]]\nname = \"a\"\ncountry = [\"DEU\"]\nurl = \"https://e.com/i\"\n",
            "x.toml:4:12: rule \"a\": country \"DEU\" is not an assigned ISO 3166-1 alpha-2 code such as \"DE\""
        ),
        (
            u + "[[rules]]\nname = \"a\"\nlanguage = [\"de-AT\"]\nurl = \"https://e.com/i\"\n",
            "x.toml:4:13: rule \"a\": language \"de-AT\" is not a primary language subtag: write 2-3 letters such as "
                + "\"de\" or \"pt\" (rules match the primary subtag of the visitor's first choice: \"de\")"
        ),
        (
            u + "[[rules]]\nname = \"a\"\nlanguage = [\"*\"]\nurl = \"https://e.com/i\"\n",
            "x.toml:4:13: rule \"a\": language \"*\" is not a primary language subtag: write 2-3 letters such as "
                + "\"de\" or \"pt\""
        ),
        (
            u + "[[rules]]\nname = \"a\"\nlanguage = [\"x\"]\nurl = \"https://e.com/i\"\n",
            "x.toml:4:13: rule \"a\": language \"x\" is not a primary language subtag: write 2-3 letters such as "
                + "\"de\" or \"pt\""
        ),
        (
            u + "[[rules]]\nname = \"a\"\nquery = { utm_content = 3 }\nurl = \"https://e.com/i\"\n",
            "x.toml:4:11: rule \"a\": query.utm_content must be a string (the parameter's percent-decoded value), "
                + "found an integer"
        ),
        (
            u + "[[rules]]\nname = \"a\"\nquery = \"utm_content=b\"\nurl = \"https://e.com/i\"\n",
            "x.toml:4:1: rule \"a\": query must be a table such as { utm_content = \"b\" }, found a string"
        ),
        (
            u + "[[rules]]\nname = \"a\"\nbot = \"yes\"\nurl = \"https://e.com/i\"\n",
            "x.toml:4:1: rule \"a\": bot must be a boolean (true or false), found a string"
        ),
        (
            u + "[[rules]]\nname = \"a\"\nfrom = 2026-03-08T00:00:00Z\nuntil = 2026-03-08T00:00:00Z\n"
                + "url = \"https://e.com/i\"\n",
            "x.toml:5:1: rule \"a\": until must be later than from (the window is from inclusive, until exclusive)"
        ),
        (
            u + "[[rules]]\nname = \"a\"\nfrom = \"monday\"\nurl = \"https://e.com/i\"\n",
            "x.toml:4:1: rule \"a\": from must be a date-time such as 2026-12-01T00:00:00Z, found a string"
        ),
        (
            u + "[[rules]]\nname = \"a\"\nbot = true\n",
            "x.toml:2:1: rule \"a\": missing required key \"url\" (or [[rules.variants]] to split its clicks)"
        ),
        (
            u + "[[rules]]\nname = \"a\"\nbot = true\nurl = \"https://{query.h}/\"\n",
            "x.toml:5:1: rule \"a\": url must not take its host from a placeholder"
        ),
        (
            u + "[[rules]]\nname = \"a\"\nbot = true\nurl = \"{query.to}\"\n",
            "x.toml:5:1: rule \"a\": url must not take its scheme from a placeholder: start it with https:// or http://"
        ),
        (
            u + "[[rules]]\nname = \"a\"\nbot = true\nurl = \"https://e.com:{query.p}/\"\n",
            "x.toml:5:1: rule \"a\": url must not take its port from a placeholder"
        ),
        (
            u + "[[rules]]\nname = \"a\"\nbot = true\nurl = \"https://e.com/{sesion}\"\n",
            "x.toml:5:1: rule \"a\": url has an unknown placeholder {sesion} "
                + "(known: {session}, {redirect}, {click_id}, {query.NAME})"
        ),
        (
            u + "[[rules]]\nname = \"a\"\nbot = true\nurl = \"/relative\"\n",
            "x.toml:5:1: rule \"a\": url must be an absolute http or https URL, found \"/relative\""
        ),
        (
            u + "[[rules]]\nname = \"a\"\nbot = true\nurl = \"https://e.com/\"\nstatus = 304\n",
            "x.toml:6:1: rule \"a\": status must be one of 301, 302, 303, 307, 308, found 304"
        ),
        (
            u + "[[rules]]\nname = \"a\"\nbot = true\nurl = \"https://e.com/\"\nproperties = 1\n",
            "x.toml:6:1: rule \"a\": properties must be a table ({ key = \"value\" }), found an integer"
        ),
        (
            u + "[[variants]]\nname = \"a\"\nweight = 0\nurl = \"https://e.com/a\"\n",
            "x.toml:4:1: variant \"a\": weight must be a positive integer, found 0"
        ),
        (
            u + "[[variants]]\nname = \"a\"\nweight = -5\nurl = \"https://e.com/a\"\n",
            "x.toml:4:1: variant \"a\": weight must be a positive integer, found -5"
        ),
        (
            u + "[[variants]]\nname = \"a\"\nweight = 0.5\nurl = \"https://e.com/a\"\n",
            "x.toml:4:1: variant \"a\": weight must be a positive integer, found a float"
        ),
        (
            u + "[[variants]]\nname = \"a\"\nurl = \"https://e.com/a\"\n",
            "x.toml:2:1: variant \"a\": missing required key \"weight\""
        ),
        (
            u + "[[variants]]\nname = \"a\"\nweight = 1\n",
            "x.toml:2:1: variant \"a\": missing required key \"url\""
        ),
        (
            u + "[[variants]]\nname = \"a\"\nweight = 9223372036854775807\nurl = \"https://e.com/a\"\n"
                + "[[variants]]\nname = \"b\"\nweight = 1\nurl = \"https://e.com/b\"\n",
            "x.toml:8:1: variant \"b\": weight 1 makes the weights of variants add up to more than "
                + "9223372036854775807: use smaller weights in the same proportions"
        ),
        (
            u + "[[variants]]\nname = \"a\"\nweight = 1\nurl = \"https://e.com/a\"\n[[variants]]\nname = \"a\"\n"
                + "weight = 1\nurl = \"https://e.com/b\"\n",
            "x.toml:7:1: variant name \"a\" is already used at line 3"
        ),
        (
            u + "[[variants]]\nweight = 1\nurl = \"https://e.com/a\"\n",
            "x.toml:2:1: variant 1: missing required key \"name\" (recorded in the event of each click it takes)"
        ),
        (
            u + "[[variants]]\nname = \"a\"\nweight = 1\nurl = \"https://{session}.e.com/\"\n",
            "x.toml:5:1: variant \"a\": url must not take its host from a placeholder"
        ),
        (
            u + "[[rules]]\nname = \"r\"\nbot = true\n[[rules.variants]]\nname = \"a\"\nweight = 0\n"
                + "url = \"https://e.com/a\"\n",
            "x.toml:7:1: rule \"r\": variant \"a\": weight must be a positive integer, found 0"
        ),
        (u + "variants = []\n", "x.toml:2:1: variants must be an array of tables ([[variants]]), found an array"),
        (
            u + "[[rules]]\nname = \"r\"\nbot = true\nvariants = 3\n",
            "x.toml:5:1: rule \"r\": variants must be an array of tables ([[rules.variants]]), found an integer"
        ),
        (
            u + "[[rules]]\nname = \"r\"\nbot = true\nurl = \"https://e.com/\"\nevent_type = \"\"\n",
            "x.toml:6:1: rule \"r\": event_type must not be empty"
        ),
        (u + "[rules]\nname = \"r\"\n", "x.toml:2:2: rules must be an array of tables ([[rules]]), found a table"),
    ]

    @Test(arguments: wrongFiles)
    func wrongRuleIsReportedWhereItIsWritten(text: String, message: String) {
        let result = parse(text)
        #expect(result.value == nil)
        #expect(result.errors.map(\.description) == [message])
    }

    @Test func variantNamesMayRepeatAcrossLists() throws {
        let text = """
            url = "https://e.com/"
            [[rules]]
            name = "r"
            bot = true
            [[rules.variants]]
            name = "a"
            weight = 1
            url = "https://e.com/ra"
            [[variants]]
            name = "a"
            weight = 1
            url = "https://e.com/a"
            """
        let result = parse(text)
        #expect(result.problems.isEmpty, "\(result.problems)")
    }

    /// Warnings: the file still serves, but `check` says what will never happen.
    static let warnedFiles: [(String, [String])] = [
        (
            u + "[[rules]]\nname = \"all\"\nurl = \"https://e.com/a\"\n[[rules]]\nname = \"ios\"\n"
                + "device = [\"ios\"]\nurl = \"https://e.com/i\"\n",
            [
                "x.toml:5:1: rule \"ios\" can never match: rule \"all\" (line 2) has no conditions and takes every "
                    + "click before it"
            ]
        ),
        (
            u
                + "[[rules]]\nname = \"a\"\ndevice = [\"ios\", \"android\"]\ncountry = [\"DE\"]\nurl = \"https://e.com/a\"\n"
                + "[[rules]]\nname = \"b\"\ncountry = [\"de\"]\ndevice = [\"android\", \"ios\"]\nurl = \"https://e.com/b\"\n",
            [
                "x.toml:7:1: rule \"b\" can never match: rule \"a\" (line 2) has the same conditions and takes every "
                    + "click before it"
            ]
        ),
        (
            u + "[[rules]]\nname = \"phones\"\ndevice = [\"ios\", \"android\"]\nurl = \"https://e.com/a\"\n"
                + "[[rules]]\nname = \"iphone\"\ndevice = [\"ios\"]\nform = [\"mobile\"]\nurl = \"https://e.com/b\"\n",
            [
                "x.toml:6:1: rule \"iphone\" can never match: rule \"phones\" (line 2) takes every click it would"
            ]
        ),
        (
            u
                + "[[rules]]\nname = \"2026\"\nfrom = 2026-01-01T00:00:00Z\nquery = { a = \"1\" }\nurl = \"https://e.com/a\"\n"
                + "[[rules]]\nname = \"march\"\nfrom = 2026-03-01T00:00:00Z\nuntil = 2026-04-01T00:00:00Z\n"
                + "query = { a = \"1\", b = \"2\" }\nbot = false\nurl = \"https://e.com/b\"\n",
            [
                "x.toml:7:1: rule \"march\" can never match: rule \"2026\" (line 2) takes every click it would"
            ]
        ),
        (
            u + "[[rules]]\nname = \"a\"\nurl = \"https://e.com/a\"\n[[variants]]\nname = \"v\"\nweight = 1\n"
                + "url = \"https://e.com/v\"\n",
            [
                "x.toml:5:3: variants can never be reached: rule \"a\" (line 2) has no conditions and takes every "
                    + "click"
            ]
        ),
        (
            u + "[[variants]]\nname = \"v\"\nweight = 1\nurl = \"https://e.com/v\"\nwieght = 2\n",
            ["x.toml:6:1: variant \"v\": unknown key \"wieght\" (did you mean \"weight\"?)"]
        ),
        (
            u + "[[rules]]\nname = \"a\"\nbot = true\nurl = \"https://e.com/a\"\ncolour = \"red\"\n",
            ["x.toml:6:1: rule \"a\": unknown key \"colour\""]
        ),
        (
            u + "[[rules]]\nname = \"a\"\nbot = true\nurl = \"https://e.com/a\"\ndevices = [\"ios\"]\n",
            ["x.toml:6:1: rule \"a\": unknown key \"devices\" (did you mean \"device\"?)"]
        ),
        (
            u + "[[rules]]\nname = \"a\"\nbot = true\nurl = \"https://e.com/a\"\nproperties = { s = \"{sesion}\" }\n",
            ["x.toml:6:16: rule \"a\": property s has an unknown placeholder {sesion}"]
        ),
    ]

    @Test(arguments: warnedFiles)
    func unreachableRulesAreWarnedAbout(text: String, messages: [String]) {
        let result = parse(text)
        #expect(result.value != nil)
        #expect(result.errors.isEmpty)
        #expect(result.problems.map(\.description) == messages)
    }

    /// Rules that each take clicks the other does not: no warning.
    static let reachablePairs: [(String, String)] = [
        ("device = [\"ios\"]", "device = [\"ios\", \"android\"]"),
        ("query = { a = \"1\" }", "query = { b = \"2\" }"),
        ("query = { a = \"1\" }", "query = { a = \"2\" }"),
        ("bot = true", "bot = false"),
        ("bot = true", "device = [\"ios\"]"),
        ("from = 2026-03-01T00:00:00Z", "from = 2026-02-01T00:00:00Z"),
        ("until = 2026-03-01T00:00:00Z", "until = 2026-04-01T00:00:00Z"),
        ("country = [\"DE\"]", "country = [\"AT\"]\nlanguage = [\"de\"]"),
        ("language = [\"de\"]\nform = [\"mobile\"]", "language = [\"de\"]"),
    ]

    @Test(arguments: reachablePairs)
    func rulesThatEachTakeOtherClicksAreBothReachable(first: String, second: String) {
        let text =
            Self.u + "[[rules]]\nname = \"a\"\n\(first)\nurl = \"https://e.com/a\"\n"
            + "[[rules]]\nname = \"b\"\n\(second)\nurl = \"https://e.com/b\"\n"
        #expect(parse(text).problems.map(\.description) == [])
    }

    // MARK: hostile files

    @Test func thousandsOfRulesGiveOneFinding() {
        var text = Self.u
        for k in 0..<5000 {
            text += "[[rules]]\nname = \"r\(k)\"\nquery = { k = \"\(k)\" }\nurl = \"https://e.com/\(k)\"\n"
        }
        let result = parse(text)
        #expect(result.value == nil)
        #expect(
            result.errors.map(\.description) == [
                "x.toml:2:3: rules has 5000 entries; at most 1000 are allowed (each is tried on every click)"
            ])
    }

    @Test func aThousandRulesAreReadAndCheckedInLinearTime() throws {
        var text = Self.u
        for k in 0..<1000 {
            text += "[[rules]]\nname = \"r\(k)\"\nquery = { k = \"\(k)\" }\nurl = \"https://e.com/\(k)\"\n"
        }
        // The same conditions again: each later copy is unreachable, found through a hash, not by pairs.
        let result = parse(text)
        #expect(result.problems.isEmpty)
        #expect(try #require(result.value).rules.count == 1000)
    }

    @Test func deepInlineTablesAreRefusedByTheParser() {
        let deep = String(repeating: "{ a = ", count: 200) + "1" + String(repeating: " }", count: 200)
        let text = Self.u + "[[rules]]\nname = \"a\"\nbot = true\nurl = \"https://e.com/\"\nproperties = \(deep)\n"
        let result = parse(text)
        #expect(result.value == nil)
        #expect(result.errors.count == 1)
        #expect(result.errors.first?.message.hasPrefix("invalid TOML") == true)
    }

    @Test func deepButAllowedPropertiesAndQueryTablesGiveFindingsNotCrashes() {
        let deep = String(repeating: "{ a = ", count: 50) + "1" + String(repeating: " }", count: 50)
        let text = Self.u + "[[rules]]\nname = \"a\"\nquery = \(deep)\nurl = \"https://e.com/\"\nproperties = \(deep)\n"
        let result = parse(text)
        #expect(result.value == nil)
        #expect(
            result.errors.map(\.description) == [
                "x.toml:4:11: rule \"a\": query.a must be a string (the parameter's percent-decoded value), found a table"
            ])
    }

    @Test func hugeWeightsGiveFindings() {
        let text =
            Self.u + "[[variants]]\nname = \"a\"\nweight = 99999999999999999999\nurl = \"https://e.com/a\"\n"
        let result = parse(text)
        #expect(result.value == nil)
        #expect(result.errors.count == 1)
    }

    @Test func everyKindOfValueInEveryRuleKeyGivesAFindingNotACrash() {
        let values = [
            "1", "1.5", "true", "\"s\"", "[]", "[1]", "[\"s\"]", "{}", "{ a = 1 }", "2026-01-01", "00:00:00",
            "2026-01-01T00:00:00",
        ]
        for key in RedirectTableReader.ruleKeys {
            for value in values {
                let text = Self.u + "[[rules]]\n\(key) = \(value)\n"
                let result = parse(text)
                #expect(result.value == nil, "\(key) = \(value)")
            }
        }
    }
}
