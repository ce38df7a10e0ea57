import RedirectControl
import RedirectCore
import TestSupport
import Testing

@Suite struct NewRedirectFileTests {
    @Test(arguments: [
        NewRedirectFile(url: "https://www.example.com/"),
        NewRedirectFile(
            url: "https://shop.example.com/sale?s={session}&c={click_id}&u={query.utm_source}", name: "Spring"),
        NewRedirectFile(url: "https://www.example.com/a%20b", name: "Quotes \" and \\ and\ttab\nand newline"),
    ])
    func createdFilePassesCheck(_ file: NewRedirectFile) throws {
        let dir = try TemporaryDirectory()
        #expect(file.problems() == [])
        let created = try file.create(in: dir.path, id: nil) { "https://go.example.com/redirect/\($0)" }
        #expect(created.path == dir.path + "/" + created.id + ".toml")
        #expect(created.id.utf8.count == 8)
        #expect(created.id.allSatisfy { RandomRedirectID.alphabet.contains($0) })

        let report = try RedirectDirectoryChecker(directory: dir.path).check()
        #expect(report.problems.map(\.description) == [])
        #expect(report.filesChecked == 1)

        let text = try dir.read(created.id + ".toml")
        let parsed = RedirectFileParser.parseRedirect(text: text, id: created.id, file: "new.toml")
        let redirect = try #require(parsed.value)
        #expect(redirect.url == file.url)
        #expect(redirect.name == file.name)
        #expect(redirect.status == .found)
        #expect(text.hasPrefix("# Redirect \"\(created.id)\": https://go.example.com/redirect/\(created.id)\n"))
    }

    @Test func chosenIDNeverOverwrites() throws {
        let dir = try TemporaryDirectory()
        let file = NewRedirectFile(url: "https://www.example.com/", name: "first")
        let created = try file.create(in: dir.path, id: "promo")
        #expect(created.id == "promo")
        #expect(throws: NewRedirectFileError.exists(dir.path + "/promo.toml")) {
            try NewRedirectFile(url: "https://other.example.com/").create(in: dir.path, id: "promo")
        }
        #expect(try dir.read("promo.toml").contains("name = \"first\""))
        #expect(throws: NewRedirectFileError.invalidID("_x")) { try file.create(in: dir.path, id: "_x") }
        #expect(throws: NewRedirectFileError.noDirectory(dir.path + "/missing")) {
            try file.create(in: dir.path + "/missing", id: nil)
        }
    }

    @Test(arguments: [
        ("/relative", "url must be an absolute http or https URL, found \"/relative\""),
        (
            "https://e.com/{sesion}",
            "url has an unknown placeholder {sesion} (known: {session}, {redirect}, {click_id}, {query.NAME})"
        ),
        ("https://{query.host}/", "url must not take its host from a placeholder"),
    ])
    func badURLIsRefusedBeforeWriting(_ url: String, _ message: String) {
        #expect(NewRedirectFile(url: url).problems() == [message])
    }

    @Test func randomIDs() {
        var generator = SplitMix64(seed: 42)
        let ids = (0..<1000).map { _ in RandomRedirectID.make(using: &generator) }
        #expect(Set(ids).count == 1000)
        #expect(ids.allSatisfy { $0.utf8.count == 8 && Identifiers.isRedirectID($0) && $0 == $0.lowercased() })
    }
}
