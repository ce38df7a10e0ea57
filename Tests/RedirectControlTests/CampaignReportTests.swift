import CampaignReport
import ClickSpool
import Foundation
import RedirectControl
import TestSupport
import Testing
import Timestamps

/// A spool written line by line as the responder writes it (and as older responders did), with what the report
/// must make of it.
struct CraftedSpool {
    let directory: TemporaryDirectory
    var path: String { directory.path + "/spool" }
    var redirects: String { directory.path + "/redirects" }

    /// One event line; `extra` is spliced in raw (for keys an old responder left out or wrote differently).
    static func line(
        _ id: String, _ time: String, redirect: String?, outcome: String = "redirected", session: String? = nil,
        status: String? = nil, bot: String? = nil, category: String? = nil, rule: String? = nil,
        variant: String? = nil, country: String? = nil, device: String? = nil, referer: String? = nil,
        method: String = "GET", userAgent: String? = "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0"
    ) -> String {
        func json(_ text: String?) -> String {
            guard let text else { return "null" }
            let data = try? JSONSerialization.data(withJSONObject: [text], options: [.withoutEscapingSlashes])
            return String(decoding: data ?? Data(), as: UTF8.self).dropFirst().dropLast().description
        }
        var fields = [
            "\"v\":1", "\"id\":\(json(id))", "\"time\":\(json(time))", "\"outcome\":\(json(outcome))",
            "\"redirect\":\(json(redirect))", "\"session\":\(json(session))",
        ]
        if let status { fields.append("\"session_status\":\(json(status))") }
        fields += [
            "\"type\":\"redirect\"", "\"properties\":{\"n\":[1,{\"bot\":\"x\"}]}", "\"status\":302",
            "\"rule\":\(json(rule))", "\"variant\":\(json(variant))", "\"country\":\(json(country))",
            "\"device\":\(json(device))",
            "\"request\":{\"method\":\(json(method)),\"user_agent\":\(json(userAgent)),\"referer\":\(json(referer))}",
            "\"bot\":\(json(bot))",
        ]
        // Lines written before bot_category existed have no such key.
        if bot == nil || category != nil { fields.append("\"bot_category\":\(json(category))") }
        return "{" + fields.joined(separator: ",") + "}\n"
    }

    /// Six events of links a and b and one without a redirect over four hours of 2026-11-29, spread over
    /// shipped/, ready/ and current/, with a line without time and a torn line.
    init() throws {
        directory = try TemporaryDirectory()
        for folder in ["spool", "spool/shipped", "spool/ready", "spool/current", "redirects"] {
            try directory.create(folder, .directory)
        }
        try directory.create(
            "spool/shipped/20261129T020000.jsonl",
            .text(
                Self.line(
                    "1", "2026-11-29T02:10:00.000Z", redirect: "a", session: "s1", status: "valid", country: "DE",
                    device: "ios", referer: "https://News.Example.com:443/x")
                    + Self.line(
                        "2", "2026-11-29T02:20:00.000Z", redirect: "a", session: "s2", status: "valid",
                        bot: "googlebot", category: "crawler")))
        try directory.create(
            "spool/ready/20261129T030000.jsonl",
            .text(
                Self.line(
                    "3", "2026-11-29T03:05:00.000Z", redirect: "a", outcome: "expired", status: "absent",
                    rule: "ios", country: "DE", device: "android", referer: "https://news.example.com/y")
                    + Self.line(
                        "4", "2026-11-29T03:30:00.000Z", redirect: "b", status: "malformed", variant: "a",
                        country: "US", referer: "android-app://com.slack/")
                    + #"{"v":1,"id":"no-time","redirect":"a","outcome":"redirected"}"# + "\n"
                    + Self.line("5", "2026-11-29T04:00:00.000Z", redirect: nil, outcome: "not-found", status: "absent")
                    // An old line: no session_status, no bot_category (a HEAD request is a preview).
                    + Self.line(
                        "6", "2026-11-29T05:00:00.000Z", redirect: "b", session: "s9", bot: "head-request",
                        method: "HEAD")))
        try directory.create(
            "spool/current/20261129T050000.jsonl", .text(#"{"v":1,"id":"torn","time":"2026-11-29T05:"#))
        try directory.create("redirects/a.toml", .text("url = \"https://example.com/a\"\ntags = [\"spring\"]\n"))
        try directory.create(
            "redirects/b.toml", .text("url = \"https://example.com/b\"\ntags = [\"autumn\", \"spring\"]\n"))
        try directory.create("redirects/c.toml", .text("url = \"https://example.com/c\"\ntags = [\"winter\"]\n"))
    }

    static func ms(_ text: String) -> Int64 {
        Timestamp(iso8601: text)?.millisecondsSinceEpoch ?? 0
    }
}

@Suite struct CampaignReportTests {
    typealias Counts = ScopeTally.Counts

    @Test func countsEveryFigureOfACraftedSpool() throws {
        let spool = try CraftedSpool()
        let tally = try CampaignReportFile.tally(spool: spool.path, selection: ReportSelection())
        #expect(tally.linesRead == 8)
        #expect(tally.skippedLines == 2)
        #expect(Set(tally.links.keys) == ["a", "b", "(no id)"])
        let a = try #require(tally.links["a"])
        #expect([a.clicks, a.persons, a.botClicks, a.validSessions] as [Int] == [3, 2, 1, 2])
        #expect(a.outcomes == ["redirected": 2, "expired": 1])
        #expect(a.bots == ["crawler": 1])
        #expect(a.referrers == ["news.example.com": 2, nil: 1])
        #expect(a.countries == ["DE": 2, nil: 1])
        #expect(a.devices == ["ios": 1, "android": 1, nil: 1])
        #expect(
            a.rules == [
                .init(rule: nil, variant: nil): Counts(clicks: 2, persons: 1),
                .init(rule: "ios", variant: nil): Counts(clicks: 1, persons: 1),
            ])
        let two = CraftedSpool.ms("2026-11-29T02:00:00Z") / 1000
        #expect(a.hours == [two: Counts(clicks: 2, persons: 1), two + 3600: Counts(clicks: 1, persons: 1)])
        let b = try #require(tally.links["b"])
        // The malformed session is no valid session; the old line's session counts as one.
        #expect([b.clicks, b.persons, b.validSessions] as [Int] == [2, 1, 1])
        #expect(b.bots == ["preview": 1])
        #expect(b.referrers == ["com.slack": 1, nil: 1])
        #expect(tally.links["(no id)"]?.outcomes == ["not-found": 1])
        let all = tally.all
        #expect([all.clicks, all.persons, all.validSessions] as [Int] == [6, 4, 3])
        #expect(tally.tag("spring", tagsByRedirect: ["a": ["spring"], "b": ["spring"]]).clicks == 5)
    }

    @Test func filtersByTimeRedirectAndTag() throws {
        let spool = try CraftedSpool()
        let tags = try RedirectTags.read(directory: spool.redirects)
        #expect(tags == ["a": ["spring"], "b": ["autumn", "spring"], "c": ["winter"]])
        func clicks(_ selection: ReportSelection) throws -> [String: Int] {
            try CampaignReportFile.tally(spool: spool.path, selection: selection).links.mapValues(\.clicks)
        }
        let window = ReportSelection(
            since: CraftedSpool.ms("2026-11-29T02:15:00.000Z"), until: CraftedSpool.ms("2026-11-29T05:00:00.000Z"))
        #expect(try clicks(window) == ["a": 2, "b": 1, "(no id)": 1])
        #expect(try clicks(ReportSelection(redirects: ["b"])) == ["b": 2])
        #expect(try clicks(ReportSelection(tags: ["autumn"], tagsByRedirect: tags)) == ["b": 2])
        #expect(try clicks(ReportSelection(tags: ["spring"], tagsByRedirect: tags)) == ["a": 3, "b": 2])
        #expect(try clicks(ReportSelection(redirects: ["a"], tags: ["autumn"], tagsByRedirect: tags)) == [:])
        #expect(ReportSelection.time(parsing: "2026-11-29") == CraftedSpool.ms("2026-11-29T00:00:00Z"))
        #expect(ReportSelection.time(parsing: "29.11.2026") == nil)
    }

    @Test func pageHoldsTheFiguresInTheMarkedTables() throws {
        let spool = try CraftedSpool()
        let tags = try RedirectTags.read(directory: spool.redirects)
        let selection = ReportSelection(tagsByRedirect: tags)
        let tally = try CampaignReportFile.tally(spool: spool.path, selection: selection)
        let page = ReportPage(
            title: "Spring", builtAt: CraftedSpool.ms("2026-12-07T11:00:00Z"), source: "spool /x",
            selection: selection, tally: tally)
        let html = String(decoding: page.render(), as: UTF8.self)
        let tables = try ReportTables(html: html)
        #expect(Set(tables.scopes.keys) == ["all", "tag:autumn", "tag:spring", "link:a", "link:b", "link:(no id)"])
        #expect(
            tables.scopes["all"]?["summary"] == [
                "clicks": ["value": 6], "persons": ["value": 4], "bots": ["value": 2], "valid_sessions": ["value": 3],
            ])
        #expect(tables.value("all", "links", "a", "clicks") == 3)
        #expect(tables.value("all", "links", "b", "valid_sessions") == 1)
        #expect(tables.order["all"]?["links"] == ["a", "b", "(no id)"])
        #expect(tables.value("tag:spring", "summary", "clicks") == 5)
        #expect(tables.scopes["tag:spring"]?["links"]?.keys.sorted() == ["a", "b"])
        #expect(tables.value("link:a", "timeline", "2026-11-29T02:00:00Z", "clicks") == 2)
        #expect(tables.value("link:a", "timeline", "2026-11-29T02:00:00Z", "persons") == 1)
        #expect(tables.value("all", "outcomes", "not-found", "clicks") == 1)
        #expect(tables.value("all", "bots", "preview", "clicks") == 1)
        #expect(tables.value("all", "referrers", "(none)", "clicks") == 3)
        #expect(tables.value("all", "countries", "(unknown)", "clicks") == 3)
        #expect(tables.value("link:a", "devices", "(unknown)", "clicks") == 1)
        #expect(tables.value("link:a", "rules", "ios/-", "persons") == 1)
        #expect(tables.value("link:b", "rules", "-/a", "clicks") == 1)
        #expect(tables.scopes["link:(no id)"]?["rules"] == nil)
        #expect(tables.scopes["link:a"]?["links"] == nil)
        #expect(html.contains("<p data-built>Built 2026-12-07 11:00 UTC from spool /x"))
        #expect(!html.contains("http://") && !html.contains("https://") && !html.contains("<script"))
    }

    @Test func escapesWhatEventsCarry() throws {
        let directory = try TemporaryDirectory()
        try directory.create("ready", .directory)
        try directory.create(
            "ready/20261129T020000.jsonl",
            .text(
                CraftedSpool.line(
                    "1", "2026-11-29T02:10:00.000Z", redirect: "x\"><script>alert(1)</script>",
                    session: "s", status: "valid", rule: "</table><table>", variant: "'x'",
                    country: "\"><svg onload=alert(2)>", device: "<b>&amp;",
                    referer: "https://<img src=x onerror=alert(3)>/\"><script>")))
        let tally = try CampaignReportFile.tally(spool: directory.path, selection: ReportSelection())
        let page = ReportPage(
            title: "<i>T</i>", builtAt: 0, source: "spool <x>", selection: ReportSelection(), tally: tally)
        let html = String(decoding: page.render(), as: UTF8.self)
        for raw in ["<script", "<svg onload", "<img", "<b>", "</table><table>", "<i>T", "<x>", "'x'"] {
            #expect(!html.contains(raw), "\(raw) reached the page unescaped")
        }
        let tables = try ReportTables(html: html)
        let scope = "link:x\"><script>alert(1)</script>"
        #expect(tables.value(scope, "referrers", "<img src=x onerror=alert(3)>", "clicks") == 1)
        #expect(tables.value(scope, "countries", "\"><svg onload=alert(2)>", "clicks") == 1)
        #expect(tables.value(scope, "devices", "<b>&amp;", "clicks") == 1)
        #expect(tables.value(scope, "rules", "</table><table>/'x'", "clicks") == 1)
        #expect(tables.value("all", "links", "x\"><script>alert(1)</script>", "clicks") == 1)
    }

    @Test func writesThePageAtomically() throws {
        let directory = try TemporaryDirectory()
        let out = directory.path + "/site/report"
        try directory.create("site", .directory)
        try CampaignReportFile.write(Array("first".utf8), to: out)
        try CampaignReportFile.write(Array("second".utf8), to: out)
        #expect(try directory.read("site/report/index.html") == "second")
        #expect(try FileManager.default.contentsOfDirectory(atPath: out).sorted() == ["index.html", "index.html.gz"])
        // The gzipped copy, for nginx's gzip_static, is the same page.
        let gunzip = try ProcessRun.run("/bin/gzip", ["-dc", out + "/index.html.gz"])
        #expect(gunzip.status == 0 && gunzip.stdout == "second")
        let mode = try FileManager.default.attributesOfItem(atPath: out + "/index.html")[.posixPermissions] as? Int
        #expect(mode == 0o644)
        // When the rename fails, the temporary file goes and nothing else changes.
        let blocked = directory.path + "/blocked"
        try directory.create("blocked", .directory)
        try directory.create("blocked/index.html", .directory)
        try directory.create("blocked/index.html/keep", .text("x"))
        #expect(throws: CampaignReportError.self) { try CampaignReportFile.write(Array("page".utf8), to: blocked) }
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: blocked).sorted() == ["index.html", "index.html.gz"])
    }

    /// Where `redirectctl stats` and the report show the same figure for the same selection, they agree.
    @Test(arguments: [
        ReportSelection(),
        ReportSelection(
            since: CraftedSpool.ms("2026-11-29T02:15:00.000Z"), until: CraftedSpool.ms("2026-11-29T05:00:00.000Z")),
        ReportSelection(redirects: ["b"]),
    ])
    func statsAndReportAgree(selection: ReportSelection) throws {
        let spool = try CraftedSpool()
        let tally = try CampaignReportFile.tally(spool: spool.path, selection: selection)
        let stats = try ClickStatistics.collect(
            spool: spool.path, groupingBy: [.rule, .variant], selection: selection)
        #expect(Set(stats.rows.map(\.redirect)) == Set(tally.links.keys))
        for row in stats.rows {
            let link = try #require(tally.links[row.redirect])
            #expect(row.clicks == link.clicks && row.bots == link.botClicks, "\(row.redirect)")
            let groups = stats.groups.filter { $0.redirect == row.redirect }
            #expect(groups.map(\.persons).reduce(0, +) == link.persons)
            #expect(groups.map(\.sessions).reduce(0, +) == link.validSessions)
            for group in groups {
                let key = ScopeTally.RuleKey(rule: group.rule, variant: group.variant)
                #expect(link.rules[key] == Counts(clicks: group.clicks, persons: group.persons))
            }
        }
        #expect(stats.skippedLines == tally.skippedLines && stats.linesRead == tally.linesRead)
    }

    /// The same through the built `redirectctl`: `stats --by rule,variant` with the filters, and the page.
    @Test func statsAndReportCommandsAgree() throws {
        let spool = try CraftedSpool()
        let filters = ["--since", "2026-11-29T02:15:00Z", "--until", "2026-11-29T05:00:00Z", "--redirect", "a"]
        var environment = ProcessInfo.processInfo.environment
        environment["REDIRECTS_DIR"] = nil
        let stats = try ProcessRun.run(
            RepositoryPaths.redirectctl, ["stats", "--spool", spool.path, "--by", "rule,variant"] + filters,
            environment: environment)
        #expect(stats.status == 0, "\(stats.stderr)")
        let out = spool.directory.path + "/out"
        let report = try ProcessRun.run(
            RepositoryPaths.redirectctl,
            ["report", "--spool", spool.path, "--out", out, "--redirects", spool.redirects] + filters,
            environment: environment)
        #expect(report.status == 0, "\(report.stderr)")
        let tables = try ReportTables(html: try spool.directory.read("out/index.html"))
        // redirect rule variant clicks persons sessions
        let rows = stats.stdout.split(separator: "\n").dropFirst().map { $0.split(separator: " ").map(String.init) }
        #expect(rows.count == 2)
        for row in rows {
            let key = (row[1] == "(none)" ? "-" : row[1]) + "/" + (row[2] == "(none)" ? "-" : row[2])
            #expect(tables.value("link:a", "rules", key, "clicks") == Int(row[3]), "\(key)")
            #expect(tables.value("link:a", "rules", key, "persons") == Int(row[4]), "\(key)")
        }
        #expect(tables.value("link:a", "summary", "clicks") == rows.map { Int($0[3]) ?? 0 }.reduce(0, +))
        #expect(tables.value("link:a", "summary", "valid_sessions") == rows.map { Int($0[5]) ?? 0 }.reduce(0, +))
        #expect(Set(tables.scopes.keys) == ["all", "tag:spring", "link:a"])
        let refused = try ProcessRun.run(
            RepositoryPaths.redirectctl, ["report", "--spool", spool.path, "--out", out, "--since", "yesterday"],
            environment: environment)
        #expect(refused.status == 64 && refused.stderr.contains("--since"))
    }
}
