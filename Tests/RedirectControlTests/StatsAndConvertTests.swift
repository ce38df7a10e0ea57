import BotDetection
import Foundation
import JSON
import RedirectCore
import Testing
import Timestamps

@testable import RedirectControl

@Suite struct TracardiConversionTests {
    let export = """
        [{"id": "spring-sale", "name": "Spring", "description": "Newsletter \\"spring\\"",
          "url": "https://shop.example.com/sale", "event_type": "redirected-click",
          "props": {"utm_source": "payload@params.utm_source", "campaign": "spring", "position": 2, "vip": true,
                    "visitor": "session@id", "email?": "payload@params.email",
                    "offer": {"code": "SPRING", "tiers": [1, 2.5], "partner?": {"name": "Acme"}}},
          "source": {"id": "8b1c9-redirect", "name": "Newsletter"}, "tags": ["email", "spring"]},
         {"id": "docs", "url": "https://docs.example.com/", "props": {}}]
        """

    /// Objects with their members in key order, so that a comparison does not depend on the parser's order.
    static func sorted(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(let members): return .object(members.map { ($0.key, sorted($0.value)) }.sorted { $0.0 < $1.0 })
        case .array(let items): return .array(items.map(sorted))
        default: return value
        }
    }

    func parsed(_ converted: TracardiRedirectConverter.Converted, id: String) throws -> Redirect {
        let result = RedirectFileParser.parseRedirect(text: converted.text, id: id, file: converted.fileName)
        #expect(result.problems.isEmpty, "\(result.problems)")
        return try #require(result.value)
    }

    @Test func convertsAnExportIntoFilesThatBehaveAsInTracardi() throws {
        let converted = try TracardiRedirectConverter.convert(
            json: Array(export.utf8), options: .init(source: "mail-rest"))
        #expect(converted.map(\.fileName) == ["spring-sale.toml", "docs.toml"])
        let r = try parsed(converted[0], id: "spring-sale")
        #expect(r.url == "https://shop.example.com/sale")
        #expect(r.status.rawValue == 307)
        #expect(r.name == "Spring")
        #expect(r.description == "Newsletter \"spring\"")
        #expect(r.eventType == "redirected-click")
        #expect(r.source == "mail-rest")
        #expect(r.tags == ["email", "spring"])
        #expect(
            Self.sorted(.object(r.properties)).jsonText
                == #"{"campaign":"spring","email":"{query.email}","offer":{"code":"SPRING","partner":{"name":"Acme"},"#
                + #""tiers":[1,2.5]},"position":2,"utm_source":"{query.utm_source}","vip":true,"visitor":"{session}"}"#)
        #expect(converted[0].notes.isEmpty)
        #expect(try parsed(converted[1], id: "docs").status.rawValue == 307)
    }

    @Test func withoutASourceEveryFileSaysWhatToDo() throws {
        let converted = try TracardiRedirectConverter.convert(json: Array(export.utf8), options: .init(status: 302))
        #expect(converted.allSatisfy { $0.notes.contains { $0.contains("--source") && $0.contains("REST") } })
        let r = try parsed(converted[0], id: "spring-sale")
        #expect(r.source == nil)
        #expect(r.status.rawValue == 302)
        #expect(converted[0].text.contains("8b1c9-redirect"))
    }

    @Test func singleObjectAndBadIDs() throws {
        let one = try TracardiRedirectConverter.convert(json: Array(#"{"id":"a1","url":"https://e.com/"}"#.utf8))
        #expect(one.count == 1)
        #expect(throws: TracardiRedirectConverter.ConversionError.self) {
            try TracardiRedirectConverter.convert(json: Array(#"{"id":"../etc","url":"https://e.com/"}"#.utf8))
        }
        #expect(throws: TracardiRedirectConverter.ConversionError.self) {
            try TracardiRedirectConverter.convert(json: Array("not json".utf8))
        }
    }
}

/// An export `check` would refuse as files is refused by the converter, each reason naming the redirect and key.
@Suite struct TracardiConversionRefusalTests {
    func convert(_ json: String, lastWins: Bool = false) throws -> [TracardiRedirectConverter.Converted] {
        try TracardiRedirectConverter.convert(
            json: Array(json.utf8), options: .init(source: "rest", lastOfSameIDWins: lastWins))
    }

    static let duplicateKeys: [(String, [String])] = [
        (
            #"{"id":"a","url":"https://e.com/","props":{"x?":1,"x":2}}"#,
            [#"redirect #1: property x is given twice (as "x?" and "x"); a trailing ? only marks a key optional"#]
        ),
        (#"{"id":"a","url":"https://e.com/","props":{"x":1,"x":2}}"#, ["redirect #1: property x is given twice"]),
        (
            #"{"id":"a","url":"https://e.com/","props":{"o":{"deal?":{"k":1},"deal":2}}}"#,
            [
                #"redirect #1: property o.deal is given twice (as "deal?" and "deal"); a trailing ? only marks a key optional"#
            ]
        ),
        (
            #"{"id":"a","url":"https://e.com/","props":{"list":[{"k":1},{"k?":1,"k":2}]}}"#,
            [
                #"redirect #1: property list[1].k is given twice (as "k?" and "k"); a trailing ? only marks a key optional"#
            ]
        ),
        (
            #"{"id":"a","url":"https://e.com/","url":"https://other.example.com/"}"#,
            ["redirect #1: key url is given twice"]
        ),
        (
            #"{"id":"a","url":"https://e.com/","source":{"id":"s1","id":"s2"}}"#,
            ["redirect #1: key source.id is given twice"]
        ),
    ]

    @Test(arguments: duplicateKeys)
    func aKeyGivenTwiceIsRefused(json: String, refusals: [String]) throws {
        let converted = try convert(json)
        #expect(converted.map(\.refusals) == [refusals])
    }

    /// `x?` beside `y` and a key used in two different objects are no duplicates.
    @Test func distinctKeysAreWritten() throws {
        let json = #"{"id":"a","url":"https://e.com/","props":{"x?":1,"y":2,"o":{"x":3},"p":{"x":4}}}"#
        let converted = try convert(json)
        #expect(converted.map(\.refusals) == [[]])
    }

    @Test func aFileCheckWouldRefuseIsRefused() throws {
        let converted = try convert(
            #"[{"id":"a","url":"https://{query.u}@e.com/"},{"id":"b","url":"https://e.com/{x}"},"#
                + #"{"id":"c","url":"https://e.com/","props":{"t":"{nickname}"}}]"#)
        #expect(
            converted.map(\.refusals) == [
                ["redirect #1: url must not take its user name or password (before @) from a placeholder"],
                [
                    "redirect #2: the file would not pass check: url has an unknown placeholder {x} "
                        + "(known: {session}, {redirect}, {click_id}, {query.NAME})"
                ],
                ["redirect #3: the file would not pass check: property t has an unknown placeholder {nickname}"],
            ])
    }

    @Test func redirectsSharingAnIDAreRefused() throws {
        let json =
            #"[{"id":"s","url":"https://e.com/1"},{"id":"t","url":"https://e.com/"},"#
            + #"{"id":"s","url":"https://e.com/2"},{"id":"S","url":"https://e.com/3"}]"#
        let refused = try convert(json)
        #expect(
            refused.map(\.refusals) == [
                [
                    #"redirect #1: id "s" is also the id of redirect #3 and #4 ("S", differing only in case) "#
                        + "(with --force, the last one would be written)"
                ],
                [],
                [
                    #"redirect #3: id "s" is also the id of redirect #1 and #4 ("S", differing only in case) "#
                        + "(with --force, the last one would be written)"
                ],
                [
                    #"redirect #4: id "S" is also the id of redirect #1 ("s", differing only in case) and #3 ("s", "#
                        + "differing only in case) (with --force, the last one would be written)"
                ],
            ])

        let forced = try convert(json, lastWins: true)
        #expect(
            forced.map(\.refusals) == [
                [
                    #"redirect #1: id "s" is also the id of redirect #3 and #4 ("S", differing only in case); "#
                        + "redirect #4 is kept (--force keeps the last that can be written)"
                ],
                [],
                [
                    #"redirect #3: id "s" is also the id of redirect #1 and #4 ("S", differing only in case); "#
                        + "redirect #4 is kept (--force keeps the last that can be written)"
                ],
                [],
            ])
        #expect(
            forced[3].notes == [
                #"redirect #4: id "S" is also the id of redirect #1 ("s", differing only in case) and #3 ("s", "#
                    + "differing only in case); this one is kept (--force keeps the last that can be written)"
            ])
    }

    /// Under --force the winner is the last copy that can be written, not one refused for its own reasons.
    @Test func aRefusedCopyDoesNotWin() throws {
        let json = #"[{"id":"s","url":"https://e.com/1"},{"id":"s","url":"https://e.com/2","props":{"x?":1,"x":2}}]"#
        let forced = try convert(json, lastWins: true)
        #expect(forced[0].refusals.isEmpty)
        #expect(
            forced[0].notes == [
                #"redirect #1: id "s" is also the id of redirect #2; this one is kept (--force keeps the last that can be written)"#
            ])
        #expect(forced[1].refusals.count == 2)
    }
}

@Suite struct ClickStatisticsTests {
    @Test func summarizesPerRedirect() {
        let events: [(redirect: String, session: String?, bot: BotCategory?, time: String)] = [
            ("a", "s1", nil, "2026-11-29T02:00:00.000Z"),
            ("a", "s1", nil, "2026-11-29T02:30:00.000Z"),
            ("a", "s2", .preview, "2026-11-29T03:59:59.000Z"),
            ("b", nil, nil, "2026-11-29T03:00:00.000Z"),
        ]
        let stats = ClickStatistics.summarize(events, slots: 4, linesRead: 5, skipped: 1)
        #expect(stats.rows.map(\.redirect) == ["a", "b"])
        let a = stats.rows[0]
        #expect(a.clicks == 3 && a.uniqueSessions == 2 && a.bots == 1)
        #expect(a.first == "2026-11-29T02:00:00.000Z" && a.last == "2026-11-29T03:59:59.000Z")
        #expect(a.histogram == [1, 1, 0, 1])
        #expect(stats.rows[1].histogram == [0, 0, 1, 0])
        #expect(ClickStatistics.sparkline([1, 1, 0, 4]) == "▁▁ █")
    }
}

@Suite struct ClickStatisticsSpoolTests {
    func line(id: String, redirect: String, session: String?, time: String) -> String {
        let session = session.map { "\"\($0)\"" } ?? "null"
        return #"{"v":1,"id":"\#(id)","time":"\#(time)","outcome":"redirected","redirect":"\#(redirect)","#
            + #""session":\#(session),"request":{"method":"GET","user_agent":"Mozilla/5.0"},"bot":null}"# + "\n"
    }

    /// Events from every folder, placed in slots by their time; lines that are no event are counted, not shown.
    @Test func readsEveryFolderAndCountsWhatIsNoEvent() throws {
        let dir = try TemporaryDirectory()
        for sub in ["shipped", "ready", "current"] {
            try FileManager.default.createDirectory(atPath: dir.path + "/" + sub, withIntermediateDirectories: true)
        }
        try
            (line(id: "1", redirect: "a", session: "s1", time: "2026-11-29T02:00:00.000Z")
            + line(id: "2", redirect: "a", session: "s1", time: "2026-11-29T02:59:59.999Z"))
            .write(toFile: dir.path + "/shipped/20261129T020000.jsonl", atomically: true, encoding: .utf8)
        try
            (line(id: "3", redirect: "b", session: nil, time: "2026-11-29T03:30:00.000Z")
            + "not json\n" + #"{"redirect":"b","time":"2026-11-29T03:31:00.000Z"}"# + "\n"
            + #"{"id":"4","redirect":"b","time":7}"# + "\n")
            .write(toFile: dir.path + "/ready/20261129T033000.jsonl", atomically: true, encoding: .utf8)
        // A line still being written: no newline yet.
        try
            (line(id: "5", redirect: "a", session: "s2", time: "2026-11-29T05:59:59.000Z")
            + String(line(id: "6", redirect: "a", session: "s3", time: "2026-11-29T05:59:59.500Z").dropLast()))
            .write(toFile: dir.path + "/current/20261129T055900.jsonl", atomically: true, encoding: .utf8)

        let stats = try ClickStatistics.collect(spool: dir.path, slots: 4)
        #expect(stats.linesRead == 8)
        #expect(stats.skippedLines == 4)
        #expect(stats.rows.map(\.redirect) == ["a", "b"])
        let a = stats.rows[0]
        #expect(a.clicks == 3 && a.uniqueSessions == 2 && a.bots == 0)
        #expect(a.first == "2026-11-29T02:00:00.000Z" && a.last == "2026-11-29T05:59:59.000Z")
        // 02:00:00 to 05:59:59 in four slots of an hour each.
        #expect(a.histogram == [2, 0, 0, 1])
        #expect(stats.rows[1].histogram == [0, 1, 0, 0])
        #expect(stats.rows[1].uniqueSessions == 0)
    }

    @Test func aMissingSpoolIsAnErrorThatNamesIt() {
        let error = #expect(throws: (any Error).self) {
            try ClickStatistics.collect(spool: "/nonexistent/redirectd-spool")
        }
        #expect(error.map { "\($0)" } == "cannot read /nonexistent/redirectd-spool: No such file or directory")
    }
}

@Suite struct ClickStatisticsBotFilterTests {
    func line(redirect: String, userAgent: String?, method: String = "GET") -> String {
        let bot = BotClassifier.classify(method: method, userAgent: userAgent)
        let event = ClickEvent(
            id: UUID().uuidString.lowercased(), time: Timestamp(millisecondsSinceEpoch: 1_795_000_000_000),
            outcome: .redirected, redirect: redirect, session: nil, sessionStatus: .absent, source: nil,
            type: "redirect", properties: [], target: "https://example.com/", status: 302,
            request: .init(
                method: method, ip: nil, userAgent: userAgent, referer: nil, acceptLanguage: nil,
                host: nil, query: ""),
            bot: bot?.label, botCategory: bot?.category)
        return String(decoding: event.jsonLine(), as: UTF8.self)
    }

    @Test func excludesTheChosenCategoriesOnly() throws {
        let spool = FileManager.default.temporaryDirectory.appendingPathComponent("stats-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: spool + "/ready", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: spool) }
        let browser = "Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0"
        // A line written before bot_category existed: its category comes from its user agent.
        let legacy =
            #"{"v":1,"id":"x","time":"2026-11-19T08:26:40.000Z","outcome":"redirected","redirect":"a","#
            + #""session":null,"request":{"method":"GET","user_agent":"Twitterbot/1.0"},"bot":"twitter"}"# + "\n"
        let text =
            line(redirect: "a", userAgent: browser) + line(redirect: "a", userAgent: "curl/8.5.0")
            + line(redirect: "a", userAgent: "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)")
            + line(redirect: "a", userAgent: browser, method: "HEAD") + legacy
        try text.write(toFile: spool + "/ready/20261119T082600.jsonl", atomically: true, encoding: .utf8)

        let all = try ClickStatistics.collect(spool: spool)
        #expect(all.rows.first?.clicks == 5 && all.rows.first?.bots == 4 && all.excludedBots == 0)
        let noPreviews = try ClickStatistics.collect(spool: spool, excludingBots: [.preview])
        #expect(noPreviews.rows.first?.clicks == 2 && noPreviews.rows.first?.bots == 1)
        #expect(noPreviews.excludedBots == 3)
        let noBots = try ClickStatistics.collect(spool: spool, excludingBots: Set(BotCategory.allCases))
        #expect(noBots.rows.first?.clicks == 1 && noBots.rows.first?.bots == 0 && noBots.excludedBots == 4)
    }
}
