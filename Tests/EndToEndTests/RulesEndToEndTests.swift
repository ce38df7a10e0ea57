import Foundation
import TestSupport
import Testing

/// Rules and splits through real nginx and redirectd: the country from a real MaxMind-format database (FastCGI)
/// or from nginx's `REDIRECT_COUNTRY` (CGI), the device from the user agent, the variant sticky per session.
@Suite(.serialized) struct RulesEndToEndTests {
    static let app = """
        url = "https://shop.example.com/sale"

        [[rules]]
        name = "ios"
        device = ["ios"]
        url = "https://apps.apple.com/app/id123"

        [[rules]]
        name = "android"
        device = ["android"]
        url = "https://play.google.com/store/apps/details?id=shop"

        [[rules]]
        name = "dach"
        language = ["de"]
        country = ["DE", "AT", "CH"]
        url = "https://shop.example.com/de/sale"
        properties = { market = "dach" }

        [[variants]]
        name = "a"
        weight = 50
        url = "https://shop.example.com/sale?v=a"
        [[variants]]
        name = "b"
        weight = 50
        url = "https://shop.example.com/sale?v=b"
        """
    static let iPhone =
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        + "Version/17.4 Mobile/15E148 Safari/604.1"
    static let windows =
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 "
        + "Safari/537.36"

    /// A country database in which loopback (where the test's clicks come from) is in Germany.
    static func countryDatabase(in directory: URL) throws -> String {
        let python = try TestPython.venvPython()
        let script = BuiltProducts.repositoryRoot.appendingPathComponent(
            "Tests/CountryLookupTests/Resources/make_country_db.py"
        ).path
        let out = directory.appendingPathComponent("countries.mmdb").path
        let run = try ProcessRun.run(python, [script, out, "127.0.0.0/8=DE", "2001:db8::/32=FR"])
        guard run.status == 0 else { throw TestFailure("make_country_db.py: \(run.stderr)") }
        return out
    }

    func expectRouting(_ stack: RedirectStack, country: String) throws {
        let ios = try stack.get("/redirect/app/s-1", headers: ["User-Agent: \(Self.iPhone)"])
        #expect(ios.status == 302)
        #expect(ios.header("Location") == "https://apps.apple.com/app/id123")

        let german = try stack.get(
            "/redirect/app/s-2", headers: ["User-Agent: \(Self.windows)", "Accept-Language: de-DE,de;q=0.9,en;q=0.5"])
        #expect(german.header("Location") == "https://shop.example.com/de/sale")

        // No rule for an English Windows visitor: the split decides, the same way on every click of a session.
        var locations: Set<String> = []
        for _ in 0..<5 {
            let split = try stack.get(
                "/redirect/app/s-3", headers: ["User-Agent: \(Self.windows)", "Accept-Language: en-GB"])
            locations.insert(split.header("Location") ?? "none")
        }
        #expect(locations.count == 1)
        #expect(
            locations.isSubset(of: ["https://shop.example.com/sale?v=a", "https://shop.example.com/sale?v=b"]))

        let events = try stack.events()
        #expect(events.count == 7)
        let first = try #require(events.first { $0["session"] as? String == "s-1" })
        #expect(first["rule"] as? String == "ios")
        #expect(first["variant"] is NSNull)
        #expect(first["device"] as? String == "ios" && first["form"] as? String == "mobile")
        #expect(first["country"] as? String == country)
        let dach = try #require(events.first { $0["session"] as? String == "s-2" })
        #expect(dach["rule"] as? String == "dach" && dach["device"] as? String == "windows")
        #expect((dach["properties"] as? [String: Any])?["market"] as? String == "dach")
        let splits = events.filter { $0["session"] as? String == "s-3" }
        #expect(Set(splits.compactMap { $0["variant"] as? String }).count == 1)
        #expect(splits.allSatisfy { $0["rule"] is NSNull && $0["form"] as? String == "desktop" })
    }

    @Test func fastCGIWithACountryDatabase() throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("rules-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let database = try Self.countryDatabase(in: scratch)
        let stack = try RedirectStack(files: ["app.toml": Self.app], environment: ["REDIRECTD_GEOIP": database])
        defer { stack.stop() }
        try expectRouting(stack, country: "DE")
    }

    @Test func cgiWithTheCountryFromNginx() throws {
        let stack = try RedirectStack(
            mode: .cgi, files: ["app.toml": Self.app], cgiParameters: ["REDIRECT_COUNTRY": "AT"])
        defer { stack.stop() }
        try expectRouting(stack, country: "AT")
    }

    @Test func aMissingDatabaseIsLoggedAndCountryRulesDoNotMatch() throws {
        let stack = try RedirectStack(
            files: ["app.toml": Self.app], environment: ["REDIRECTD_GEOIP": "/nonexistent/countries.mmdb"])
        defer { stack.stop() }
        let german = try stack.get(
            "/redirect/app/s-2", headers: ["User-Agent: \(Self.windows)", "Accept-Language: de-DE"])
        #expect(german.status == 302)
        #expect(german.header("Location")?.hasPrefix("https://shop.example.com/sale?v=") == true)
        let event = try #require(try stack.events().first)
        #expect(event["country"] is NSNull && event["rule"] is NSNull)
        #expect(stack.responderStderr().contains("/nonexistent/countries.mmdb"))
    }
}
