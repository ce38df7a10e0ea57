import RedirectControl
import RedirectCore
import Testing

@Suite struct RedirectLinkTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var base: String
        var id: String
        var session: RedirectLink.Session
        var link: String
        var testDescription: String { link }
    }

    static let cases: [Case] = [
        Case(
            base: "https://go.example.com/redirect", id: "welcome", session: .none,
            link: "https://go.example.com/redirect/welcome"),
        Case(
            base: "https://go.example.com/redirect/", id: "welcome", session: .none,
            link: "https://go.example.com/redirect/welcome"),
        Case(
            base: "https://go.example.com/redirect", id: "spring-sale", session: .id("67890"),
            link: "https://go.example.com/redirect/spring-sale/67890"),
        Case(
            base: "https://go.example.com/redirect", id: "spring-sale", session: .id("a.b_c~d-E"),
            link: "https://go.example.com/redirect/spring-sale/a.b_c~d-E"),
        Case(
            base: "http://127.0.0.1:8080/redirect", id: "Docs.v2", session: .template,
            link: "http://127.0.0.1:8080/redirect/Docs.v2/{{session@id}}"),
        Case(
            base: "https://go.example.com", id: "x", session: .template,
            link: "https://go.example.com/x/{{session@id}}"),
    ]

    @Test(arguments: cases)
    func link(_ c: Case) throws {
        #expect(try RedirectLink(base: c.base, id: c.id, session: c.session).description == c.link)
    }

    /// `--via qr` puts the reserved parameter after the session (or the template) as the link's only query.
    @Test func viaQR() throws {
        let base = "https://go.example.com/redirect/"
        #expect(
            try RedirectLink(base: base, id: "welcome", via: .qr).description
                == "https://go.example.com/redirect/welcome?_via=qr")
        #expect(
            try RedirectLink(base: base, id: "spring-sale", session: .id("67890"), via: .qr).description
                == "https://go.example.com/redirect/spring-sale/67890?_via=qr")
        #expect(
            try RedirectLink(base: base, id: "x", session: .template, via: .qr).description
                == "https://go.example.com/redirect/x/{{session@id}}?_via=qr")
        #expect(try RedirectLink(base: base, id: "x", via: nil).description == "https://go.example.com/redirect/x")
    }

    static let refused: [(String, String, RedirectLink.Session, RedirectLinkError)] = [
        (
            "go.example.com/redirect", "x", .none,
            .invalidBase(
                "go.example.com/redirect", "must be an absolute http or https URL, found \"go.example.com/redirect\"")
        ),
        (
            "https://go.example.com/r?x=1", "x", .none,
            .invalidBase("https://go.example.com/r?x=1", "must not have a query or fragment")
        ),
        ("https://go.example.com/r", "_defaults", .none, .invalidID("_defaults")),
        ("https://go.example.com/r", "a/b", .none, .invalidID("a/b")),
        ("https://go.example.com/r", "", .none, .invalidID("")),
        ("https://go.example.com/r", "x", .id("a b"), .invalidSession("a b")),
        ("https://go.example.com/r", "x", .id(""), .invalidSession("")),
        (
            "https://go.example.com/r", "x", .id(String(repeating: "s", count: 257)),
            .invalidSession(String(repeating: "s", count: 257))
        ),
    ]

    @Test(arguments: refused)
    func refusedParts(_ base: String, _ id: String, _ session: RedirectLink.Session, _ error: RedirectLinkError) {
        #expect(throws: error) { try RedirectLink(base: base, id: id, session: session) }
    }

    @Test func baseFromDefaults() throws {
        let dir = try TemporaryDirectory()
        let settings = RedirectDirectorySettings(directory: dir.path)
        #expect(throws: LinkBaseError.missing(dir.path + "/_defaults.toml")) { try settings.linkBase(explicit: nil) }
        #expect(try settings.linkBase(explicit: "https://a.example/r") == "https://a.example/r")

        try dir.create("_defaults.toml", .text("source = \"s\"\n"))
        #expect(throws: LinkBaseError.missing(dir.path + "/_defaults.toml")) { try settings.linkBase(explicit: nil) }

        try dir.create("_defaults.toml", .text("base_url = \"https://go.example.com/redirect\"\n"))
        #expect(try settings.linkBase(explicit: nil) == "https://go.example.com/redirect")
        #expect(try settings.linkBase(explicit: "https://a.example/r") == "https://a.example/r")

        try dir.create("_defaults.toml", .text("base_url = 5\n"))
        let invalid = dir.path + "/_defaults.toml:1:1: base_url must be a string, found an integer"
        #expect(throws: LinkBaseError.defaultsInvalid([invalid])) {
            try settings.linkBase(explicit: nil)
        }
    }

    @Test func repositoryDefaultsGiveTheBase() throws {
        let settings = RedirectDirectorySettings(directory: RepositoryPaths.redirects)
        let link = try RedirectLink(base: settings.linkBase(explicit: nil), id: "spring-sale", session: .template)
        #expect(link.description == "http://127.0.0.1:8080/redirect/spring-sale/{{session@id}}")
        #expect(settings.hasRedirect("spring-sale"))
        #expect(!settings.hasRedirect("no-such-redirect"))
    }
}
