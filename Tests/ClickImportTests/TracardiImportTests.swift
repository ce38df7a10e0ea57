import BotDetection
import ClickImport
import ClickSpool
import Foundation
import RedirectCore
import TestSupport
import Testing

/// `redirectctl import --tracardi` against a sink that answers as Tracardi's code does (`sink.py --model
/// tracardi`: the `user-agents` bot check on the body's headers, event sources, sessions and profiles).
///
/// The spool is what an email campaign leaves: a person's clicks and the link previews of the same link (same
/// session), a click without a session, a session that only previews fetched, and a source Tracardi does not know.
@Suite struct TracardiImportTests {
    static let chrome =
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        + "Chrome/120.0.0.0 Safari/537.36"
    static let firefox = "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0"
    static let previews: [(agent: String, bot: String)] = [
        ("Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)", "slack"),
        ("facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)", "facebook"),
        ("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", "google"),
    ]

    struct Campaign {
        var events: [ClickEvent] = []
        /// The person's clicks Tracardi must get, once each.
        var people: [String] = []
        var bots: [String] = []
        /// The click whose source Tracardi does not know.
        var unknownSource: String = ""
    }

    static func click(
        _ n: Int, session: String?, agent: String, ip: String?, bot: String? = nil,
        source: String = "email-source", language: String? = "de-DE,de;q=0.9"
    ) -> ClickEvent {
        var event = TestSpool.event(file: 1, n: n, session: session, source: source, bot: bot)
        event.request.userAgent = agent
        event.request.ip = ip
        event.request.acceptLanguage = language
        return event
    }

    static func campaign(unknownSource: Bool = true) -> Campaign {
        var c = Campaign()
        // A preview fetches the link before the person clicks it: same session, another agent.
        for (k, preview) in previews.enumerated() {
            c.events.append(click(k, session: "s-anna", agent: preview.agent, ip: "34.0.0.\(k)", bot: preview.bot))
        }
        c.events.append(click(3, session: "s-anna", agent: chrome, ip: "203.0.113.7"))
        c.events.append(click(4, session: "s-anna", agent: chrome, ip: "203.0.113.7"))
        // No session, recorded without an IP (the visitor sent a privacy signal).
        c.events.append(click(5, session: nil, agent: firefox, ip: nil, language: nil))
        // A session only previews fetched.
        c.events.append(click(6, session: "s-bert", agent: previews[0].agent, ip: "34.0.0.9", bot: "slack"))
        c.events.append(click(7, session: "s-bert", agent: previews[1].agent, ip: "34.0.0.8", bot: "facebook"))
        if unknownSource {
            c.events.append(click(8, session: "s-carl", agent: firefox, ip: "198.51.100.4", source: "newsletter-old"))
            c.unknownSource = c.events.last?.id ?? ""
        }
        c.people = c.events.filter { $0.bot == nil && $0.source == "email-source" }.map(\.id)
        c.bots = c.events.filter { $0.bot != nil }.map(\.id)
        return c
    }

    /// A spool and a sink that answers like Tracardi; options ship to it.
    typealias Setup = SinkSetup

    static func body(_ request: TestSink.Request) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(request.body.utf8)) as? [String: Any] ?? [:]
    }

    static func eventIDs(_ request: TestSink.Request) throws -> [String] {
        (try body(request)["events"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
    }

    static func ids(inLines text: String, key: String? = nil) throws -> [String] {
        try text.split(separator: "\n").map { line in
            var object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] ?? [:]
            if let key { object = object[key] as? [String: Any] ?? [:] }
            return object["id"] as? String ?? ""
        }
    }

    @Test func peoplesClicksArriveOnceBotsAreKeptAndARefusedSourceWaitsForItsFix() async throws {
        let setup = try Setup()
        defer { setup.finish() }
        let campaign = Self.campaign()
        try setup.spool.write(file: 1, events: campaign.events)

        let (code, summary, output) = await setup.run(setup.options())
        // The refused source is reported to cron by the exit status; everything else went through.
        #expect(code == .failure)
        #expect(summary.events == campaign.people.count)
        #expect(summary.botsSkipped == campaign.bots.count)
        #expect(summary.rejected == 1)
        #expect(summary.refusedSources == ["newsletter-old"])
        #expect(output.warned.contains { $0.contains("`newsletter-old`") && $0.contains("--retry-rejected") })

        let accepted = try setup.sink.accepted()
        #expect(try accepted.flatMap(Self.eventIDs) == campaign.people)
        #expect(
            try setup.sink.requests().allSatisfy { request in
                try !Self.eventIDs(request).contains { campaign.bots.contains($0) }
            })
        for request in accepted {
            let body = try Self.body(request)
            let events = body["events"] as? [[String: Any]] ?? []
            let first = try #require(campaign.events.first { $0.id == events.first?["id"] as? String })
            // The visitor's values, where Tracardi reads them for the session.
            let browser =
                (((body["context"] as? [String: Any])?["browser"] as? [String: Any])?["local"]
                as? [String: Any])?["browser"] as? [String: Any]
            #expect(browser?["userAgent"] as? String == first.request.userAgent)
            #expect(browser?["language"] as? String == first.request.acceptLanguage.map { _ in "de-DE" })
            let headers = (body["request"] as? [String: Any])?["headers"] as? [String: Any]
            #expect(headers?["user-agent"] as? String == first.request.userAgent)
            // The IP Tracardi records: the visitor's, or none at all, never the importer's.
            #expect(request.ip == (first.request.ip ?? ""))
            #expect(request.path == (first.session == nil ? "/track?profile_less=true" : "/track"))
            for event in events {
                let time = event["time"] as? [String: Any]
                let original = try #require(campaign.events.first { $0.id == event["id"] as? String })
                #expect(time?["create"] as? String == original.time.iso8601)
                #expect(time?["insert"] as? String == original.time.iso8601)
            }
        }
        // One profile for the person's session, none for the click without one.
        #expect(accepted.filter { $0.profileCreated }.count == 1)

        // Bots are on disk, line for line, not lost.
        #expect(try Self.ids(inLines: setup.spool.text(of: "skipped/" + TestSpool.fileName(1))) == campaign.bots)
        let rejected = setup.spool.text(of: "rejected/" + TestSpool.fileName(1))
        #expect(try Self.ids(inLines: rejected, key: "event") == [campaign.unknownSource])
        #expect(rejected.contains("event source of type REST"))
        #expect(rejected.contains("then run redirectctl import --retry-rejected"))
        #expect(setup.spool.names(in: "shipped") == [TestSpool.fileName(1)])

        // Once the source exists in Tracardi, --retry-rejected delivers the click.
        try setup.sink.control(#"{"sources": {"email-source": "rest", "newsletter-old": "rest"}}"#)
        let before = try setup.sink.requests().count
        let (retryCode, retry, _) = await setup.run(setup.options { $0.retryRejected = true })
        #expect(retryCode == .success)
        #expect(retry.retried == 1 && retry.refusedSources.isEmpty)
        let retried = try setup.sink.requests().dropFirst(before)
        #expect(
            try retried.filter { (200..<300).contains($0.status) }.flatMap(Self.eventIDs) == [campaign.unknownSource])
        #expect(setup.spool.names(in: "rejected").isEmpty)

        // Nothing is left to send.
        let settled = try setup.sink.requests().count
        let (again, last, _) = await setup.run(setup.options { $0.retryRejected = true })
        #expect(again == .success && last.events == 0)
        #expect(try setup.sink.requests().count == settled)
    }

    @Test func withIncludeBotsTracardiRefusesOnlyTheBotsCalls() async throws {
        let setup = try Setup()
        defer { setup.finish() }
        let campaign = Self.campaign(unknownSource: false)
        try setup.spool.write(file: 1, events: campaign.events)

        let (code, summary, _) = await setup.run(setup.options { $0.excludeBots = [] })
        #expect(code == .success)
        #expect(summary.botsSkipped == 0)
        #expect(try setup.sink.accepted().flatMap(Self.eventIDs) == campaign.people)
        // Each bot agent made its own call, and only those calls were refused.
        let refused = try setup.sink.requests().filter { $0.status == 401 }
        #expect(try Set(refused.flatMap(Self.eventIDs)) == Set(campaign.bots))
        #expect(refused.allSatisfy { $0.body.contains("\"user-agent\"") })
        let rejected = setup.spool.text(of: "rejected/" + TestSpool.fileName(1))
        #expect(try Set(Self.ids(inLines: rejected, key: "event")) == Set(campaign.bots))
        #expect(rejected.contains("Traffic from bot is not allowed."))
        #expect(summary.rejected == campaign.bots.count)
    }

    @Test func oneProfilePerSessionAcrossCallsBatchesAndRuns() async throws {
        let setup = try Setup()
        defer { setup.finish() }
        // Three sessions, each clicked from a phone and a laptop (two calls per batch), in two files and runs.
        var first: [ClickEvent] = []
        var second: [ClickEvent] = []
        for n in 0..<12 {
            let event = Self.click(
                n, session: "s-\(n % 3)", agent: n % 2 == 0 ? Self.chrome : Self.firefox,
                ip: "203.0.113.\(n % 2)")
            if n < 6 { first.append(event) } else { second.append(event) }
        }
        try setup.spool.write(file: 1, events: first)
        #expect(await setup.run(setup.options()).code == .success)
        var later = second.map { event -> ClickEvent in
            var e = event
            e.id = TestSpool.id(2, Int(event.id.suffix(4)) ?? 0)
            return e
        }
        later.sort { $0.id < $1.id }
        try setup.spool.write(file: 2, events: later)
        #expect(await setup.run(setup.options()).code == .success)

        let accepted = try setup.sink.accepted()
        #expect(try accepted.flatMap(Self.eventIDs).count == 12)
        #expect(accepted.count > 3)
        #expect(accepted.filter { $0.profileCreated }.count == 3)
        let profiles = Dictionary(grouping: accepted) {
            (try? Self.body($0)["session"] as? [String: Any])??["id"] as? String ?? ""
        }
        .mapValues { Set($0.compactMap(\.profile)) }
        #expect(profiles.count == 3 && profiles.values.allSatisfy { $0.count == 1 })
    }

    @Test func badCredentialsStopTheRunWithNothingMoved() async throws {
        let setup = try Setup()
        defer { setup.finish() }
        try setup.spool.write(file: 1, events: Self.campaign().events)
        try setup.sink.control(#"{"token": "secret"}"#)
        let (code, summary, output) = await setup.run(setup.options())
        #expect(code == .misconfiguration)
        #expect(summary.events == 0)
        #expect(output.warned.contains { $0.contains("HTTP 401") && $0.contains("check the credentials") })
        #expect(setup.spool.names(in: "ready") == [TestSpool.fileName(1)])
        #expect(setup.spool.names(in: "rejected").isEmpty)

        let (fixed, shipped, _) = await setup.run(
            setup.options {
                $0.headers = [
                    HTTPHeaderField(
                        name: "Authorization",
                        value: "Bearer secret")
                ]
            })
        #expect(fixed == .failure)  // the unknown source, as above
        #expect(shipped.events == Self.campaign().people.count)
    }

    /// A person's agent that redirectd does not flag but Tracardi's `user-agents` check takes for a bot (from the
    /// people's browsers of Tests/BotPatternData/device-detector-browsers.txt: "Caboto" holds "bot").
    static let agentTracardiCallsABot =
        "Mozilla/5.0 (Windows NT 6.1; WOW64; Trident/7.0; Banca Caboto s.p.a.; "
        + "rv:11.0) like Gecko"

    @Test func clicksTracardiRefusesAsBotsGoToRejectedAreCountedAndDoNotFailTheRun() async throws {
        let setup = try Setup()
        defer { setup.finish() }
        #expect(BotClassifier.classify(method: "GET", userAgent: Self.agentTracardiCallsABot) == nil)
        let person = Self.click(0, session: "s-anna", agent: Self.chrome, ip: "203.0.113.7")
        let refused = Self.click(1, session: "s-dora", agent: Self.agentTracardiCallsABot, ip: "198.51.100.9")
        try setup.spool.write(file: 1, events: [person, refused])

        let (code, summary, output) = await setup.run(setup.options())
        #expect(code == .success)
        #expect(summary.events == 1 && summary.botsSkipped == 0)
        #expect(summary.rejected == 1 && summary.refusedAsBots == 1)
        #expect(summary.refusedSources.isEmpty)
        #expect(output.printed.last?.contains("(1 rejected, 0 bots skipped, 1 refused as bots by the sink)") == true)
        #expect(try setup.sink.accepted().flatMap(Self.eventIDs) == [person.id])
        let rejected = setup.spool.text(of: "rejected/" + TestSpool.fileName(1))
        #expect(try Self.ids(inLines: rejected, key: "event") == [refused.id])
        #expect(rejected.contains("Tracardi refused the call as bot traffic"))
        #expect(rejected.contains("Traffic from bot is not allowed."))
        #expect(setup.spool.names(in: "shipped") == [TestSpool.fileName(1)])

        // A second run sends nothing: the refused click stays in rejected/, where --retry-rejected would resend it.
        let (again, next, _) = await setup.run(setup.options())
        #expect(again == .success && next.events == 0 && next.rejected == 0)
    }

    /// The people's browsers of the broad corpus that Tracardi's `user-agents` 2.2.0 calls bots and redirectd
    /// does not flag: their clicks are refused at Tracardi (the test above). Listed here so that a change of
    /// either side shows.
    @Test func corpusAgentsTracardiCallsBotsAndWeDoNot() async throws {
        let corpus = TestSink.packageRoot + "/Tests/BotPatternData/device-detector-browsers.txt"
        let script = """
            import sys, user_agents
            for line in open(sys.argv[1], encoding="utf-8"):
                agent = line.rstrip("\\n")
                if agent and not agent.startswith("#") and user_agents.parse(agent).is_bot:
                    print(agent)
            """
        // About 40 s of Python: on a thread of its own, not one the in-process imports of other tests need.
        let run = try await ProcessRun.runInBackground(try TestPython.venvPython(), ["-c", script, corpus])
        #expect(run.status == 0, "\(run.stderr)")
        let tracardiBots = run.stdout.split(separator: "\n").map(String.init)
        let notFlagged = tracardiBots.filter { BotMatcher.match(userAgent: $0) == nil }
        #expect(
            notFlagged == [Self.agentTracardiCallsABot],
            "\(notFlagged.count) agents Tracardi calls bots and we do not:\n\(notFlagged.joined(separator: "\n"))")
    }

    @Test func deleteKeepsSkippedBots() async throws {
        let setup = try Setup()
        defer { setup.finish() }
        let campaign = Self.campaign(unknownSource: false)
        try setup.spool.write(file: 1, events: campaign.events)
        let (code, _, _) = await setup.run(setup.options { $0.deleteShipped = true })
        #expect(code == .success)
        #expect(setup.spool.names(in: "shipped").isEmpty)
        #expect(setup.spool.names(in: "ready").isEmpty)
        #expect(try Self.ids(inLines: setup.spool.text(of: "skipped/" + TestSpool.fileName(1))) == campaign.bots)
    }
}

extension SinkSetup {
    fileprivate init() throws { try self.init(model: "tracardi") }

    fileprivate func options(_ change: (inout ImportOptions) -> Void = { _ in }) -> ImportOptions {
        options(.tracardi(baseURL: sink.baseURL), change)
    }
}
