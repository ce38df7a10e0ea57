import BotDetection
import Foundation
import RedirectControl
import RedirectCore
import TestSupport
import Testing
import Timestamps

/// `redirectctl stats --by rule,variant`: an A/B test read off the spool.
@Suite struct StatsGroupingTests {
    func line(
        _ redirect: String, rule: String?, variant: String?, session: String? = nil, bot: String? = nil
    ) -> String {
        var event = ClickEvent(
            id: UUID().uuidString.lowercased(), time: Timestamp(millisecondsSinceEpoch: 1_795_000_000_000),
            outcome: .redirected, redirect: redirect, session: session,
            sessionStatus: session == nil ? .absent : .valid,
            source: nil, type: "redirect", properties: [], target: "https://example.com/", status: 302,
            request: .init(
                method: "GET", ip: nil, userAgent: "Mozilla/5.0", referer: nil, acceptLanguage: nil, host: nil,
                query: ""),
            bot: bot, botCategory: bot == nil ? nil : .crawler)
        event.rule = rule
        event.variant = variant
        return String(decoding: event.jsonLine(), as: UTF8.self)
    }

    /// A line written before rules existed: no `rule` or `variant` key at all.
    let oldLine =
        #"{"v":1,"id":"old","time":"2026-11-19T08:26:40.000Z","outcome":"redirected","redirect":"app","#
        + #""session":"s-9","request":{"method":"GET","user_agent":"Mozilla/5.0"},"bot":null}"# + "\n"

    func spool() throws -> TemporaryDirectory {
        let dir = try TemporaryDirectory()
        try dir.create("ready", .directory)
        let text =
            line("app", rule: nil, variant: "a", session: "s-1") + line("app", rule: nil, variant: "a")
            + line("app", rule: nil, variant: "b", session: "s-2")
            + line("app", rule: nil, variant: "b", bot: "googlebot") + line("app", rule: "ios", variant: nil)
            + line("app", rule: "ios", variant: nil, session: "s-3") + line("sale", rule: nil, variant: nil)
            + oldLine
        try dir.create("ready/20261119T082600.jsonl", .text(text))
        return dir
    }

    @Test func groupsByRuleAndVariant() throws {
        let dir = try spool()
        let stats = try ClickStatistics.collect(spool: dir.path, groupingBy: [.rule, .variant])
        let rows = stats.groups.map { [$0.redirect, $0.rule ?? "-", $0.variant ?? "-"] }
        #expect(
            rows == [
                ["app", "-", "-"], ["app", "-", "a"], ["app", "-", "b"], ["app", "ios", "-"], ["sale", "-", "-"],
            ])
        let figures = stats.groups.map { [$0.clicks, $0.persons, $0.sessions] }
        // The old line counts as no rule and no variant; the bot is a click but not a person.
        #expect(figures == [[1, 1, 1], [2, 2, 1], [2, 1, 1], [2, 2, 1], [1, 1, 0]])
    }

    @Test func groupsByVariantOnly() throws {
        let dir = try spool()
        let stats = try ClickStatistics.collect(spool: dir.path, groupingBy: [.variant])
        // The ios rule's clicks join the old line's under no variant.
        #expect(stats.groups.map(\.variant) == [nil, "a", "b", nil])
        #expect(stats.groups.map(\.clicks) == [3, 2, 2, 1])
        #expect(try ClickStatistics.collect(spool: dir.path).groups.isEmpty)
    }

    @Test func theCommandPrintsTheGroupsAndKeepsItsOldTable() throws {
        let dir = try spool()
        var environment = ProcessInfo.processInfo.environment
        environment["CLICK_LOG_DIR"] = nil
        let run = try ProcessRun.run(
            RepositoryPaths.redirectctl, ["stats", "--spool", dir.path, "--by", "rule,variant"],
            environment: environment)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(
            run.stdout == """
                redirect rule   variant  clicks  persons  sessions
                app      (none) (none)        1        1         1
                app      (none) a             2        2         1
                app      (none) b             2        1         1
                app      ios    (none)        2        2         1
                sale     (none) (none)        1        1         0

                """)
        let plain = try ProcessRun.run(
            RepositoryPaths.redirectctl, ["stats", "--spool", dir.path], environment: environment)
        #expect(plain.stdout.hasPrefix("redirect  clicks  sessions   bots  first click"))
        let wrong = try ProcessRun.run(
            RepositoryPaths.redirectctl, ["stats", "--spool", dir.path, "--by", "rules"], environment: environment)
        #expect(wrong.status == 64)
        #expect(wrong.stderr.hasPrefix("Error: --by: \"rules\" is neither rule nor variant"))
    }
}
