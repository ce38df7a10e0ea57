import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `redirectctl report` as the people who read it get it: the page built from a spool of 100,000 clicks, served
/// by a real nginx through the product's location (basic auth), opened in Debian's headless chromium by Selenium
/// (scripts/lib/report_page.py). The numbers in its tables are the ones counted here from the events written; the
/// same spool imported into a real ClickHouse gives the same page.
///
/// Synchronous tests: they run processes to their end, holding no cooperative thread another test needs.
@Suite(.serialized) struct ReportPageBrowserTests {
    static let redirectctl = BuiltProducts.path(of: "redirectctl")
    static let pageScript = BuiltProducts.repositoryRoot.appendingPathComponent("scripts/lib/report_page.py").path

    /// A directory for one test, removed at the end.
    final class Workspace {
        let url: URL
        init() throws {
            url = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent(
                "redirectd-report-" + UUID().uuidString)
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
            // nginx's workers (nobody, when the master is root) read the report through here.
            chmod(url.path, 0o755)
        }
        func path(_ name: String) -> String { url.appendingPathComponent(name).path }
        deinit { try? FileManager.default.removeItem(at: url) }
    }

    /// `--since` and `--until` around every click of `spool` (an hour either side), so no default window of the
    /// report's can cut any off.
    static func window(_ spool: ReportSpool) -> [String] {
        [
            "--since", UTCTime((spool.first / 3_600_000 - 1) * 3_600_000).rfc3339,
            "--until", UTCTime((spool.last / 3_600_000 + 2) * 3_600_000).rfc3339,
        ]
    }

    /// Runs `redirectctl report` with `arguments`; returns the page's path.
    static func report(_ arguments: [String], out: String) throws -> String {
        let run = try ProcessRun.run(redirectctl, ["report", "--out", out] + arguments)
        #expect(run.status == 0, "redirectctl report \(arguments) failed: \(run.stderr)")
        return out + "/index.html"
    }

    @Test func pageInChromiumShowsTheNumbersOfTheSpool() throws {
        let work = try Workspace()
        let spool = ReportSpool(count: 100_000, seed: 33)
        try spool.write(to: work.url.appendingPathComponent("spool"), shipped: 0.4)
        try ReportSpool.writeRedirects(to: work.url.appendingPathComponent("redirects"))
        _ = try Self.report(
            ["--spool", work.path("spool"), "--redirects", work.path("redirects"), "--title", "Spring campaign"]
                + Self.window(spool), out: work.path("report"))

        let python = try TestPython.venvPython()
        let run = try ProcessRun.run(python, [Self.pageScript, "check", work.path("report")])
        try #require(run.status == 0, "report_page.py check failed: \(run.stderr)")
        let page = try #require(
            try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any], "\(run.stdout)")

        #expect(page["status"] as? Int == 200)
        #expect((page["content_type"] as? String)?.hasPrefix("text/html") == true)
        #expect(page["unauthenticated_status"] as? Int == 401, "the page is served without the password")
        #expect(page["wrong_password_status"] as? Int == 401)
        #expect(page["other_file_status"] as? Int == 404, "nginx serves more of the directory than the page")
        #expect(
            page["stray_files"] as? [String] == ["index.html.gz"], "the report left files beside index.html and its .gz"
        )
        #expect(page["console_errors"] as? [String] == [], "console: \(page["console"] ?? "")")
        #expect(page["foreign_requests"] as? [String] == [], "the page asked another origin")
        #expect((page["requests"] as? [String])?.count == 1, "one request: \(page["requests"] ?? "")")
        let loadMillis = try #require(page["load_event_ms"] as? Double)
        #expect(loadMillis < 5000, "the load event came after \(loadMillis) ms")
        print(
            "report page: load event \(loadMillis) ms, \(page["bytes"] ?? 0) bytes, \(page["transfer_bytes"] ?? 0) sent"
        )

        let rows = try #require(page["tables"] as? [[Any]])
        Self.expectFigures(Self.figures(rows), equal: spool)
    }

    @Test func clickHouseReportShowsTheSameNumbersAsTheSpool() throws {
        let work = try Workspace()
        let server = try TestClickHouse()
        defer { server.stop() }
        // Fewer clicks than the browser's test: a debug import into Debian's ClickHouse 18.16 takes minutes for 100,000
        // on a busy machine, and every figure and scope is already there at 30,000.
        let spool = ReportSpool(count: 30_000, seed: 33)
        try spool.write(to: work.url.appendingPathComponent("spool"), shipped: 0)
        try ReportSpool.writeRedirects(to: work.url.appendingPathComponent("redirects"))
        let common = ["--redirects", work.path("redirects")] + Self.window(spool)
        let fromSpool = try Self.report(["--spool", work.path("spool")] + common, out: work.path("from-spool"))

        let schema = try ProcessRun.run(
            Self.redirectctl, ["clickhouse-schema", "--clickhouse", server.url, "--table", "report_clicks"])
        try #require(schema.status == 0, "clickhouse-schema: \(schema.stderr)")
        try server.query(schema.stdout)
        let imported = try ProcessRun.run(
            Self.redirectctl,
            [
                "import", "--spool", work.path("spool"), "--clickhouse", server.url, "--table", "report_clicks",
                "--include-orphans", "--quiet",
            ])
        try #require(imported.status == 0, "import failed: \(imported.stderr)")
        #expect(try server.count("SELECT count() FROM report_clicks FINAL") == spool.events.count)

        let fromClickHouse = try Self.report(
            ["--clickhouse", server.url, "--table", "report_clicks"] + common, out: work.path("from-clickhouse"))
        // After the import every file is in shipped/: the spool's report reads it there as well.
        let afterImport = try Self.report(["--spool", work.path("spool")] + common, out: work.path("after-import"))

        let spoolFigures = try Self.figures(ofFile: fromSpool)
        Self.expectFigures(spoolFigures, equal: spool)
        let clickHouseFigures = try Self.figures(ofFile: fromClickHouse)
        #expect(!clickHouseFigures.isEmpty)
        for scope in Set(spoolFigures.keys).union(clickHouseFigures.keys).sorted() {
            #expect(clickHouseFigures[scope] == spoolFigures[scope], "scope \(scope): ClickHouse against spool")
        }
        #expect(try Self.figures(ofFile: afterImport) == spoolFigures, "shipped/ read otherwise than ready/")
    }

    // MARK: - Reading and comparing figures

    /// The page's rows ([scope, figure, key, col, value]) as figures; timeline keys as seconds since the epoch.
    static func figures(_ rows: [[Any]]) -> ReportSpool.Figures {
        var figures: ReportSpool.Figures = [:]
        for row in rows {
            guard row.count == 5, let scope = row[0] as? String, let figure = row[1] as? String,
                let key = row[2] as? String, let col = row[3] as? String, let value = row[4] as? Int
            else {
                Issue.record("a table row the contract does not describe: \(row)")
                continue
            }
            let normalised = figure == "timeline" ? epochSeconds(key).map { "\($0)" } ?? "unreadable \(key)" : key
            figures[scope, default: [:]][figure, default: [:]][normalised, default: [:]][col] = value
        }
        return figures
    }

    /// The figures of a page file, read without a browser (report_page.py tables).
    static func figures(ofFile path: String) throws -> ReportSpool.Figures {
        let run = try ProcessRun.run(try TestPython.venvPython(), [pageScript, "tables", path])
        try #require(run.status == 0, "report_page.py tables failed: \(run.stderr)")
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [[Any]])
        return figures(rows)
    }

    /// Seconds since the epoch of an RFC 3339 time, with or without fractional seconds.
    static func epochSeconds(_ text: String) -> Int64? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        if let date = formatter.date(from: text) { return Int64(date.timeIntervalSince1970) }
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.date(from: text).map { Int64($0.timeIntervalSince1970) }
    }

    /// Rows without their zero cells, and without rows left empty: a page may show a zero or leave it out.
    static func nonZero(_ rows: [String: [String: Int]]) -> [String: [String: Int]] {
        rows.mapValues { $0.filter { $0.value != 0 } }.filter { !$0.value.isEmpty }
    }

    /// Every table of every scope on the page holds what the events say; the whole selection, each link with a
    /// file and each tag have a scope.
    static func expectFigures(_ page: ReportSpool.Figures, equal spool: ReportSpool) {
        let timeline = page["all"]?["timeline"]?.keys.compactMap { Int64($0) } ?? []
        #expect(!timeline.isEmpty, "the page has no timeline for the whole selection")
        let hourly = timeline.contains { $0 % 86_400 != 0 }
        let expected = spool.expectedFigures(timelineHours: hourly)
        var scopes = ["all"] + ReportSpool.links.map { "link:\($0.id)" }
        scopes += Set(ReportSpool.links.flatMap(\.tags)).map { "tag:\($0)" }
        for scope in scopes {
            #expect(page[scope] != nil, "the page has no scope \(scope)")
        }
        for (scope, tables) in page.sorted(by: { $0.key < $1.key }) {
            guard let want = expected[scope] else {
                Issue.record("the page has a scope no click makes: \(scope)")
                continue
            }
            let names = [
                "summary", "outcomes", "bots", "timeline", "links", "referrers", "countries", "devices", "rules",
            ]
            for name in Set(tables.keys).subtracting(names).sorted() {
                Issue.record("scope \(scope): a table the contract does not name: \(name)")
            }
            for name in names {
                let got = nonZero(tables[name] ?? [:])
                if name == "links" && scope.hasPrefix("link:") {
                    #expect(got.isEmpty, "scope \(scope) has a links table")
                    continue
                }
                if name == "rules" && !spool.scopeHasRules(scope) && got.isEmpty { continue }
                #expect(got == nonZero(want[name] ?? [:]), "scope \(scope), table \(name)")
            }
        }
    }
}
