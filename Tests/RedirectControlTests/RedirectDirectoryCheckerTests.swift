import Foundation
import RedirectControl
import RedirectCore
import Testing

/// One mistake per file, with every line `check` must print for it (the directory prefix left out).
struct Mistake: Sendable, CustomTestStringConvertible {
    var name: String
    var entry: DirectoryEntry
    var expected: [String]

    var testDescription: String { name }

    init(_ name: String, _ entry: DirectoryEntry, _ expected: String...) {
        self.name = name
        self.entry = entry
        self.expected = expected
    }
}

@Suite struct RedirectDirectoryCheckerTests {
    static let good = #"url = "https://www.example.com/""# + "\n"

    static let mistakes: [Mistake] = [
        Mistake(
            "syntax.toml", .text("url = \"https://e.com/\"\n\n[properties\nx = 1\n"),
            "syntax.toml:3:12: invalid TOML: expected ] to close the table header, found the end of the line"),
        Mistake(
            "wrong-type.toml", .text("name = \"n\"\nurl = \"https://e.com/\"\n  status = \"302\"\n"),
            "wrong-type.toml:3:3: status must be an integer, found a string"),
        Mistake(
            "unknown-key.toml", .text("url = \"https://e.com/\"\nstauts = 302\n"),
            "unknown-key.toml:2:1: unknown key \"stauts\" (did you mean \"status\"?)"),
        Mistake(
            "relative.toml", .text("url = \"/welcome\"\n"),
            "relative.toml:1:1: url must be an absolute http or https URL, found \"/welcome\""),
        Mistake(
            "ftp.toml", .text("name = \"x\"\nurl = \"ftp://files.example.com/a\"\n"),
            "ftp.toml:2:1: url must be an absolute http or https URL, found \"ftp://files.example.com/a\""),
        Mistake(
            "placeholder.toml", .text("url = \"https://e.com/?s={sesion}\"\n"),
            "placeholder.toml:1:1: url has an unknown placeholder {sesion} "
                + "(known: {session}, {redirect}, {click_id}, {query.NAME})"),
        Mistake(
            "userinfo.toml", .text("url = \"https://{query.u}@example.com/\"\n"),
            "userinfo.toml:1:1: url must not take its user name or password (before @) from a placeholder"),
        Mistake(
            "port.toml", .text("url = \"https://e.com/\"\nexpired_url = \"https://e.com:{query.p}/\"\n"),
            "port.toml:2:1: expired_url must not take its port from a placeholder"),
        Mistake(
            "unclosed.toml", .text("url = \"https://e.com/?s={session\"\n"),
            "unclosed.toml:1:1: url has a { that opens no placeholder (at \"{session\"): close it with }, "
                + "or write %7B for a literal {"),
        Mistake(
            "status.toml", .text("url = \"https://e.com/\"\nstatus = 304\n"),
            "status.toml:2:1: status must be one of 301, 302, 303, 307, 308, found 304"),
        Mistake(
            "window.toml",
            .text("url = \"https://e.com/\"\nvalid_from = 2026-02-01T00:00:00Z\nvalid_until = 2026-01-01T00:00:00Z\n"),
            "window.toml:3:1: valid_until must be later than valid_from"),
        Mistake(
            "rules.toml",
            .text(
                """
                url = "https://e.com/"
                [[rules]]
                name = "phones"
                device = ["ios", "blackberry"]
                form = ["mobile"]
                url = "https://e.com/app"
                [[rules]]
                name = "dach"
                language = ["de-DE"]
                country = ["DE", "AT", "CH", "XX"]
                url = "https://{query.host}/de"
                [[rules]]
                name = "dach"
                from = 2026-03-08T00:00:00Z
                until = 2026-03-01T00:00:00Z
                url = "https://e.com/later"
                [[rules]]
                name = ""
                bot = true
                [[variants]]
                name = "a"
                weight = 0
                url = "https://e.com/a"
                [[variants]]
                name = "a"
                weight = 1
                url = "https://e.com/b"

                """),
            "rules.toml:4:18: rule \"phones\": device \"blackberry\" is not one of ios, android, windows, macos, "
                + "linux, chromeos",
            "rules.toml:9:13: rule \"dach\": language \"de-DE\" is not a primary language subtag: write 2-3 letters "
                + "such as \"de\" or \"pt\" (rules match the primary subtag of the visitor's first choice: \"de\")",
            "rules.toml:10:30: rule \"dach\": country \"XX\" is not an assigned ISO 3166-1 alpha-2 code such as "
                + "\"DE\"",
            "rules.toml:11:1: rule \"dach\": url must not take its host from a placeholder",
            "rules.toml:13:1: rule name \"dach\" is already used at line 8",
            "rules.toml:15:1: rule \"dach\": until must be later than from (the window is from inclusive, until "
                + "exclusive)",
            "rules.toml:17:1: rule 4: missing required key \"url\" (or [[rules.variants]] to split its clicks)",
            "rules.toml:18:1: rule 4: name must not be empty",
            "rules.toml:22:1: variant \"a\": weight must be a positive integer, found 0",
            "rules.toml:25:1: variant name \"a\" is already used at line 21"),
        Mistake(
            "unreachable.toml",
            .text(
                """
                url = "https://e.com/"
                [[rules]]
                name = "everyone"
                url = "https://e.com/all"
                [[rules]]
                name = "ios"
                device = ["ios"]
                url = "https://e.com/ios"

                """),
            "unreachable.toml:5:1: rule \"ios\" can never match: rule \"everyone\" (line 2) has no conditions and "
                + "takes every click before it"),
        Mistake(
            "many-rules.toml",
            .text(
                "url = \"https://e.com/\"\n"
                    + (0..<1100).map { "[[rules]]\nname=\"r\($0)\"\nbot=true\nurl=\"https://e.com/\"\n" }.joined()),
            "many-rules.toml:2:3: rules has 1100 entries; at most 1000 are allowed (each is tried on every click)"),
        Mistake(
            "bad+id.toml", .text(good),
            "bad+id.toml:1:1: \"bad+id\" is not a redirect id: use 1-128 of A-Z a-z 0-9 . _ - "
                + "(not starting with . or _)"),
        Mistake(
            "_private.toml", .text(good),
            "_private.toml:1:1: \"_private\" is not a redirect id: names starting with \"_\" are reserved "
                + "(only _defaults.toml is read)"),
        Mistake(
            "notes.txt", .text("remember the milk\n"),
            "notes.txt:1:1: not a .toml file; a redirects directory holds <id>.toml files, _defaults.toml, README "
                + "and dotfiles"),
        Mistake(
            "passwd.toml", .symbolicLink("/etc/passwd"),
            "passwd.toml:1:1: symbolic link to \"/etc/passwd\", which is not a redirect file in the same directory"),
        Mistake(
            "dangling.toml", .symbolicLink("gone.toml"),
            "dangling.toml:1:1: symbolic link to \"gone.toml\", which does not exist"),
        Mistake(
            "big.toml", .text(good + String(repeating: "#", count: 70_000) + "\n"),
            "big.toml:1:1: 70034 bytes, more than the 65536 a redirect file may have"),
        Mistake(
            "latin1.toml", .bytes(Array("name = \"caf".utf8) + [0xE9] + Array("\"\n".utf8)),
            "latin1.toml:1:12: not valid UTF-8 (byte 0xE9)"),
        Mistake("pipe.toml", .pipe, "pipe.toml:1:1: not a regular file"),
        Mistake("folder.toml", .directory, "folder.toml:1:1: not a regular file (a directory)"),
        Mistake(
            "_defaults.toml", .text("source = \"\"\nbase_url = \"go.example.com\"\n"),
            "_defaults.toml:1:1: source must not be empty",
            "_defaults.toml:2:1: base_url must be an absolute http or https URL, found \"go.example.com\""),
    ]

    /// Each mistake alone next to a good file, a dotfile and a README: exactly its messages.
    @Test(arguments: mistakes)
    func oneMistake(_ mistake: Mistake) throws {
        let dir = try TemporaryDirectory()
        try dir.create("good.toml", .text(Self.good))
        try dir.create(".gitkeep", .text(""))
        try dir.create("README.md", .text("# Redirects\n"))
        try dir.create(mistake.name, mistake.entry)
        let report = try RedirectDirectoryChecker(directory: dir.path).check()
        #expect(report.problems.map(\.description) == mistake.expected.map { dir.path + "/" + $0 })
        #expect(report.filesChecked == 2)
        #expect(!report.isClean)
        #expect(report.summary.hasPrefix("checked 2 files: \(mistake.expected.count) problem"))
    }

    @Test func unknownKeyIsAWarningButStillAProblem() throws {
        let dir = try TemporaryDirectory()
        try dir.create("typo.toml", .text("url = \"https://e.com/\"\nforward_qeury = true\n"))
        let report = try RedirectDirectoryChecker(directory: dir.path).check()
        #expect(report.problems.map(\.severity) == [.warning])
        #expect(report.problems.map(\.message) == [#"unknown key "forward_qeury" (did you mean "forward_query"?)"#])
        #expect(report.summary == "checked 1 file: 1 problem in 1 file")
    }

    @Test func idsDifferingOnlyInCase() throws {
        let dir = try TemporaryDirectory()
        try dir.create("Promo.toml", .text(Self.good))
        try dir.create("promo.toml", .text(Self.good))
        try dir.create("other.toml", .text(Self.good))
        let report = try RedirectDirectoryChecker(directory: dir.path).check()
        #expect(
            report.problems.map(\.description) == [
                dir.path + "/promo.toml:1:1: id \"promo\" differs from \"Promo\" only in case; "
                    + "on a case-insensitive file system one file hides the other"
            ])
    }

    @Test func linkToAFileInTheDirectoryIsFine() throws {
        let dir = try TemporaryDirectory()
        try dir.create("spring.toml", .text(Self.good))
        try dir.create("spring-2026.toml", .symbolicLink("spring.toml"))
        try dir.create("chain.toml", .symbolicLink("spring-2026.toml"))
        let report = try RedirectDirectoryChecker(directory: dir.path).check()
        #expect(
            report.problems.map(\.description) == [
                dir.path + "/chain.toml:1:1: symbolic link to \"spring-2026.toml\", which is itself a symbolic link "
                    + "(only one link is followed)"
            ])
    }

    /// Every mistake in one directory: all the messages, in file order, and a summary that says "problems".
    @Test func directoryWithEveryMistake() throws {
        let dir = try TemporaryDirectory()
        try dir.create("good.toml", .text(Self.good))
        try dir.create(".gitkeep", .text(""))
        for mistake in Self.mistakes { try dir.create(mistake.name, mistake.entry) }
        try dir.create("Promo.toml", .text(Self.good))
        try dir.create("promo.toml", .text(Self.good))
        let report = try RedirectDirectoryChecker(directory: dir.path + "/").check()

        var expected = Self.mistakes.map { ($0.name, $0.expected) }
        expected.append(
            (
                "promo.toml",
                [
                    "promo.toml:1:1: id \"promo\" differs from \"Promo\" only in case; "
                        + "on a case-insensitive file system one file hides the other"
                ]
            ))
        let lines = expected.sorted { $0.0 < $1.0 }.flatMap(\.1).map { dir.path + "/" + $0 }
        #expect(report.text == lines.map { $0 + "\n" }.joined())
        #expect(report.filesWithProblems == Self.mistakes.count + 1)
        #expect(
            report.summary
                == "checked \(Self.mistakes.count + 3) files: \(lines.count) problems in \(Self.mistakes.count + 1) files"
        )
    }

    @Test func jsonFormat() throws {
        let dir = try TemporaryDirectory()
        try dir.create("a.toml", .text("url = \"https://e.com/\"\nstatus = \"302\"\nnme = \"x\"\n"))
        let report = try RedirectDirectoryChecker(directory: dir.path).check()
        let decoded = try JSONSerialization.jsonObject(with: Data(report.json.utf8)) as? [[String: Any]]
        let objects = try #require(decoded)
        #expect(objects.count == 2)
        #expect(objects.map { $0["file"] as? String } == [dir.path + "/a.toml", dir.path + "/a.toml"])
        #expect(objects.map { $0["line"] as? Int } == [2, 3])
        #expect(objects.map { $0["column"] as? Int } == [1, 1])
        #expect(objects.map { $0["severity"] as? String } == ["error", "warning"])
        #expect(
            objects.map { $0["message"] as? String } == [
                "status must be an integer, found a string", #"unknown key "nme" (did you mean "name"?)"#,
            ])
        #expect(RedirectCheckReport(directory: dir.path, filesChecked: 0, problems: []).json == "[]\n")
    }

    @Test func repositoryRedirectsAreClean() throws {
        let report = try RedirectDirectoryChecker(directory: RepositoryPaths.redirects).check()
        #expect(report.problems.map(\.description) == [])
        #expect(report.filesChecked >= 4)
        #expect(report.summary == "checked \(report.filesChecked) files: no problems")
    }

    @Test func missingDirectoryThrows() throws {
        let dir = try TemporaryDirectory()
        #expect(throws: RedirectDirectoryError.self) {
            try RedirectDirectoryChecker(directory: dir.path + "/nope").check()
        }
        try dir.create("file", .text(""))
        #expect(throws: RedirectDirectoryError.self) {
            try RedirectDirectoryChecker(directory: dir.path + "/file").check()
        }
    }
}
