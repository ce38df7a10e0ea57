import Foundation
import TestSupport
import Testing

/// The built `redirectctl explain` on the repository's example `redirects.d/app.toml`, run as a marketer would
/// in the repository.
@Suite struct ExplainProcessTests {
    static let iPhone =
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        + "Version/17.4 Mobile/15E148 Safari/604.1"
    static let windows =
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 "
        + "Safari/537.36"

    func explain(_ arguments: [String]) throws -> ProcessRun {
        var environment = ProcessInfo.processInfo.environment
        environment["REDIRECTS_DIR"] = nil
        environment["REDIRECTD_GEOIP"] = nil
        return try ProcessRun.run(
            RepositoryPaths.redirectctl, ["explain"] + arguments + ["--redirects", "redirects.d"],
            environment: environment, directory: BuiltProducts.repositoryRoot)
    }

    /// The printed lines but the event, and the event line's fields.
    func split(_ run: ProcessRun) throws -> (lines: [String], event: [String: Any]) {
        let lines = run.stdout.split(separator: "\n").map(String.init)
        let eventLine = lines.last ?? ""
        #expect(eventLine.hasPrefix("event     {\"v\":1,"))
        let event = try JSONSerialization.jsonObject(with: Data(eventLine.dropFirst(10).utf8)) as? [String: Any]
        return (Array(lines.dropLast()), event ?? [:])
    }

    @Test func anIPhoneGetsTheAppStore() throws {
        let run = try explain(
            [
                "app", "--user-agent", Self.iPhone, "--country", "DE", "--session", "s-1", "--time",
                "2026-03-02T10:00:00Z",
            ])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.isEmpty)
        let (lines, event) = try split(run)
        #expect(
            lines == [
                "redirect  app (redirects.d/app.toml)",
                "time      2026-03-02T10:00:00.000Z, GET",
                "agent     \(Self.iPhone)",
                "device    ios, form mobile",
                "bot       no",
                "language  none (no --language)",
                "country   DE (--country, as nginx's REDIRECT_COUNTRY)",
                "session   s-1",
                "rule 1    ios: matches",
                "→ 302 https://apps.apple.com/app/id123456789",
            ])
        #expect(event["rule"] as? String == "ios" && event["country"] as? String == "DE")
        #expect(event["time"] as? String == "2026-03-02T10:00:00.000Z" && event["session"] as? String == "s-1")
    }

    @Test func aGermanDesktopVisitorGetsTheGermanShop() throws {
        let run = try explain(
            ["app", "--user-agent", Self.windows, "--language", "de-DE,en;q=0.7", "--time", "2026-03-02T10:00:00Z"])
        #expect(run.status == 0, "\(run.stderr)")
        let (lines, event) = try split(run)
        #expect(
            Array(lines.suffix(4)) == [
                #"rule 1    ios: no, device is "windows", not one of "ios""#,
                #"rule 2    android: no, device is "windows", not one of "android""#,
                "rule 3    german: matches",
                "→ 302 https://shop.example.com/de/app",
            ])
        #expect(event["rule"] as? String == "german")
        #expect((event["properties"] as? [String: Any])?["market"] as? String == "de")
    }

    /// docs/redirectctl.md's second example: no rule holds, the visitor's address and agent pick the variant.
    @Test func aFrenchDesktopVisitorFallsThroughToTheSplit() throws {
        let run = try explain(
            [
                "app", "--user-agent", Self.windows, "--language", "fr-CH,de;q=0.8", "--ip", "192.0.2.7", "--time",
                "2026-03-02T10:00:00Z",
            ])
        #expect(run.status == 0, "\(run.stderr)")
        let (lines, event) = try split(run)
        #expect(
            lines == [
                "redirect  app (redirects.d/app.toml)",
                "time      2026-03-02T10:00:00.000Z, GET",
                "agent     \(Self.windows)",
                "device    windows, form desktop",
                "bot       no",
                #"language  fr (first choice of "fr-CH,de;q=0.8")"#,
                "country   unknown (no --country, and no --geoip with --ip)",
                "session   none",
                #"rule 1    ios: no, device is "windows", not one of "ios""#,
                #"rule 2    android: no, device is "windows", not one of "android""#,
                #"rule 3    german: no, first-choice language is "fr", not one of "de""#,
                "rules     none matched",
                "variant   a, weight 50 of 100, chosen by address network and agent, the same for this visitor",
                "→ 302 https://shop.example.com/app?landing=a",
            ])
        #expect(event["variant"] as? String == "a" && event["rule"] is NSNull)
        #expect((event["request"] as? [String: Any])?["ip"] as? String == "192.0.2.7")
    }

    @Test func everyoneElseIsSplitBySession() throws {
        var variants: Set<String> = []
        for session in ["s-1", "s-2", "s-3", "s-4", "s-5", "s-6", "s-7", "s-8"] {
            let run = try explain(["app", "--user-agent", Self.windows, "--language", "fr", "--session", session])
            #expect(run.status == 0, "\(run.stderr)")
            let (lines, event) = try split(run)
            #expect(lines.contains(#"rule 3    german: no, first-choice language is "fr", not one of "de""#))
            #expect(lines.contains("rules     none matched"))
            let variant = event["variant"] as? String ?? ""
            #expect(
                lines.contains(
                    "variant   \(variant), weight 50 of 100, chosen by session \(session), the same on every click"))
            #expect(lines.last == "→ 302 https://shop.example.com/app?landing=\(variant)")
            // The same session gets the same variant again.
            let again = try split(try explain(["app", "--user-agent", Self.windows, "--session", session]))
            #expect(again.event["variant"] as? String == variant)
            variants.insert(variant)
        }
        #expect(variants == ["a", "b"])
    }

    @Test func withoutAnAgentItSaysSo() throws {
        let run = try explain(["app"])
        #expect(run.status == 0)
        let (lines, event) = try split(run)
        #expect(lines.contains("agent     none sent (pass --user-agent to give one)"))
        #expect(lines.contains("bot       yes, no-user-agent (other)"))
        #expect(event["bot"] as? String == "no-user-agent")
    }

    @Test func unknownIDsAndBadOptionsExitNonZero() throws {
        let unknown = try explain(["shop"])
        #expect(unknown.status == 1)
        #expect(unknown.stdout.isEmpty)
        #expect(unknown.stderr == "redirectctl explain: no redirect \"shop\": redirects.d/shop.toml does not exist\n")
        let time = try explain(["app", "--time", "yesterday"])
        #expect(time.status == 64)
        #expect(time.stderr.hasPrefix("Error: --time must be RFC 3339 in UTC"))
        let method = try explain(["app", "--method", "POST"])
        #expect(method.status == 64)
        let session = try explain(["app", "--session", "a/b"])
        #expect(session.status == 64)
        #expect(session.stderr.hasPrefix("Error: --session must be one path segment, without /"))
    }

    @Test func aBrokenFileExitsOne() throws {
        let dir = try TemporaryDirectory()
        try dir.create("app.toml", .text("url = \"https://e.com/\"\nstatus = \"302\"\n"))
        let run = try ProcessRun.run(RepositoryPaths.redirectctl, ["explain", "app", "--redirects", dir.path])
        #expect(run.status == 1)
        #expect(run.stdout.isEmpty)
        #expect(run.stderr.contains("app.toml:2:1: status must be an integer, found a string"))
    }
}
