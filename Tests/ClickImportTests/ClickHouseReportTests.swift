import CampaignReport
import ClickImport
import ClickSpool
import Foundation
import RedirectControl
import RedirectCore
import Testing
import Timestamps

/// `redirectctl report --clickhouse` counts what `--spool` counts, on the suite's real ClickHouse server after an
/// import of the same spool.
extension ClickHouseEndToEndTests {
    /// Three links and orphans over three hours: referrers in mixed case with ports, no referrer, sessions valid,
    /// absent and malformed, bots with a category and an old line without one, rules and variants.
    static func reportLines(file: Int) -> [UInt8] {
        var bytes: [UInt8] = []
        for n in 0..<12 {
            let outcome: ClickEvent.Outcome = n == 11 ? .notFound : n == 10 ? .expired : .redirected
            var event = TestSpool.event(
                file: file, n: n, session: n % 4 == 0 ? nil : "sess-\(n % 3)", bot: n % 5 == 4 ? "Slackbot" : nil,
                outcome: outcome)
            event.redirect = outcome == .notFound ? "nope" : ["spring-sale", "app", "x"][n % 3]
            event.time = Timestamp(
                millisecondsSinceEpoch: event.time.millisecondsSinceEpoch + Int64(file % 3) * 3_600_000 + Int64(n))
            if n % 4 == 0 { event.sessionStatus = n == 8 ? .malformed : .absent }
            event.botCategory = n % 5 == 4 ? .preview : nil
            event.request.referer =
                [
                    "https://Mail.Example.com:8443/inbox", nil, "https://mail.example.com/", "android-app://com.slack",
                    "not a url", "https://user:pw@[2001:db8::1]:80/x",
                ][n % 6]
            if n % 3 == 1 {
                event.rule = n % 2 == 0 ? "phones" : nil
                event.variant = "b"
                event.country = "DE"
                event.device = .android
            }
            var line = ClickHouseEndToEndTests.line(event, botCategory: event.botCategory?.rawValue)
            if n == 9 {
                // As a responder before bot_category wrote it: the category comes from the method.
                event.bot = "head-request"
                event.botCategory = nil
                event.request.method = "HEAD"
                line = event.jsonLine()
                if let text = String(bytes: line, encoding: .utf8) {
                    line = Array(text.replacingOccurrences(of: ",\"bot_category\":null", with: "").utf8)
                }
            }
            bytes += line
        }
        return bytes
    }

    @Test func reportFromClickHouseCountsWhatTheSpoolCounts() async throws {
        let setup = try Setup()
        defer { setup.finish() }
        try setup.createTable()
        for file in 1...4 { try setup.spool.write(file: file, events: [], extra: Self.reportLines(file: file)) }
        let (code, summary, output) = await setup.run(setup.options { $0.includeOrphans = true })
        #expect(code == .success, "\(output.warned)")
        #expect(summary.events == 48)

        // Both ends fall on a click: the first is counted, the last not.
        let since = try #require(Timestamp(iso8601: "2026-11-29T03:04:03.003Z")).millisecondsSinceEpoch
        let until = try #require(Timestamp(iso8601: "2026-11-29T04:02:05.005Z")).millisecondsSinceEpoch
        for selection in [
            ReportSelection(),
            ReportSelection(since: since, until: until, redirects: ["app", "x", "nope"]),
            ReportSelection(tags: ["t"], tagsByRedirect: ["spring-sale": ["t"], "nope": ["t"]]),
        ] {
            let spool = try CampaignReportFile.tally(spool: setup.spool.directory, selection: selection)
            let clickhouse = try await ClickHouseReportSource(url: setup.server.url, table: setup.table)
                .tally(selection: selection)
            #expect(!spool.links.isEmpty)
            #expect(clickhouse.links == spool.links, "\(selection)")
        }
    }
}
