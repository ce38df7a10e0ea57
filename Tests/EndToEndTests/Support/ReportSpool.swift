import Foundation
import TestSupport

/// A campaign's worth of click events, written into a spool as redirectd writes them (one JSON line each, in
/// per-hour files under `shipped/`, `ready/` and `current/`), with the redirect files they belong to, and the
/// figures the report page must show for them, counted here from the events themselves.
///
/// Realistic on purpose: several links (one with rules and an A/B split, one with a split only), sessions valid,
/// absent and malformed, bots of every category (`HEAD` previews among them), more referrer hosts, countries
/// than a top-20 table holds, devices, every outcome, and clicks on an id without a file and on no id at all.
struct ReportSpool {
    /// One click, as far as the report looks at it.
    struct Event {
        var millis: Int64
        var outcome: String
        var redirect: String?
        var session: String?
        var sessionStatus: String
        var bot: String?
        var botCategory: String?
        var referrerHost: String?
        var country: String?
        var device: String?
        var form: String?
        var rule: String?
        var variant: String?
        var method: String
    }

    /// A redirect file: its id and tags.
    struct Link {
        var id: String
        var tags: [String]
    }

    static let links: [Link] = [
        Link(id: "spring-sale", tags: ["email", "campaign:spring"]),
        Link(id: "summer-sale", tags: ["email", "campaign:summer"]),
        Link(id: "welcome", tags: ["email"]),
        Link(id: "app", tags: ["app"]),
        Link(id: "qr-poster", tags: ["print", "campaign:spring"]),
        Link(id: "pricing", tags: []),
        Link(id: "podcast", tags: ["audio"]),
        Link(id: "docs", tags: []),
    ]

    /// Figures as the page's tables hold them: scope, figure, key, column, value.
    typealias Figures = [String: [String: [String: [String: Int]]]]

    let events: [Event]
    /// The first and last click's time, milliseconds since the epoch.
    let first: Int64
    let last: Int64

    /// `count` events over the 14 days before `now`, the same for the same `seed`.
    init(count: Int, seed: UInt64, now: Int64 = Int64(Date().timeIntervalSince1970 * 1000)) {
        var random = SplitMix64(seed: seed)
        let span: Int64 = 14 * 86_400_000
        let start = (now - span - 3_600_000) / 3_600_000 * 3_600_000
        var events: [Event] = []
        events.reserveCapacity(count)
        for _ in 0..<count {
            events.append(Self.event(at: start + Int64.random(in: 0..<span, using: &random), using: &random))
        }
        events.sort { $0.millis < $1.millis }
        self.events = events
        first = events.first?.millis ?? start
        last = events.last?.millis ?? start
    }

    // MARK: - Drawing events

    /// Picks from `choices` with the given weights.
    private static func pick<T>(_ choices: [(T, Int)], using random: inout SplitMix64) -> T {
        var n = Int.random(in: 0..<choices.reduce(0) { $0 + $1.1 }, using: &random)
        for (value, weight) in choices {
            if n < weight { return value }
            n -= weight
        }
        return choices[choices.count - 1].0
    }

    /// Weights falling off as 1/rank, so a few keys lead and a long tail ties.
    private static func zipf(_ keys: [String]) -> [(String, Int)] {
        keys.enumerated().map { ($1, 1000 / ($0 + 1)) }
    }

    static let referrerHosts = zipf([
        "www.google.com", "t.co", "www.facebook.com", "l.instagram.com", "www.linkedin.com", "news.ycombinator.com",
        "www.reddit.com", "duckduckgo.com", "www.bing.com", "mail.google.com", "outlook.live.com", "lm.facebook.com",
        "m.youtube.com", "www.youtube.com", "github.com", "medium.com", "substack.com", "www.ecosia.org",
        "search.brave.com", "yandex.ru", "www.baidu.com", "web.whatsapp.com", "teams.microsoft.com",
        "app.slack.com", "discord.com", "www.xing.com", "mastodon.social", "bsky.app", "www.threads.net",
        "old.reddit.com",
    ])
    static let countries = zipf([
        "DE", "US", "GB", "FR", "AT", "CH", "NL", "IT", "ES", "PL", "SE", "DK", "NO", "FI", "BE", "CZ", "PT", "IE",
        "CA", "AU", "JP", "BR", "IN", "MX", "TR", "GR", "HU", "RO",
    ])
    static let devices: [((String, String), Int)] = [
        (("ios", "mobile"), 30), (("android", "mobile"), 28), (("windows", "desktop"), 20), (("macos", "desktop"), 10),
        (("linux", "desktop"), 3), (("chromeos", "desktop"), 1), (("ios", "tablet"), 4), (("android", "tablet"), 2),
    ]
    static let bots: [((String, String), Int)] = [
        (("googlebot", "crawler"), 30), (("bingbot", "crawler"), 12), (("slack-preview", "preview"), 15),
        (("head-request", "preview"), 8), (("uptimerobot", "monitor"), 8), (("gptbot", "ai"), 6),
        (("curl", "library"), 7), (("python-requests", "library"), 4), (("mimecast", "scanner"), 6),
        (("feedly", "feed"), 3), (("no-user-agent", "other"), 5),
    ]

    private static func event(at millis: Int64, using random: inout SplitMix64) -> Event {
        let redirect: String? = pick(
            [
                ("spring-sale", 30), ("summer-sale", 12), ("welcome", 10), ("app", 18), ("qr-poster", 8),
                ("pricing", 6), ("podcast", 4), ("docs", 5), ("old-promo", 2), (nil, 1),
            ], using: &random)
        var outcome = "redirected"
        switch redirect {
        case "old-promo", nil: outcome = "not-found"
        case "summer-sale": outcome = pick([("redirected", 2), ("expired", 1)], using: &random)
        case "docs": outcome = pick([("redirected", 3), ("disabled", 1)], using: &random)
        default: break
        }
        let sessionStatus = pick([("valid", 55), ("absent", 38), ("malformed", 7)], using: &random)
        let session = sessionStatus == "valid" ? "s-\(Int.random(in: 0..<20_000, using: &random))" : nil
        let isBot = Int.random(in: 0..<100, using: &random) < 22
        let bot: (String, String)? = isBot ? pick(bots, using: &random) : nil
        let referrer: String? = pick([(nil, 40), ("host", 60)], using: &random).map { _ in
            pick(referrerHosts, using: &random)
        }
        let country: String? = pick([(nil, 15), ("c", 85)], using: &random).map { _ in pick(countries, using: &random) }
        let device: (String, String)? = pick([(nil, 18), ("d", 82)], using: &random).map { _ in
            pick(devices, using: &random)
        }
        var rule: String?
        var variant: String?
        if outcome == "redirected" && redirect == "app" {
            switch device?.0 {
            case "ios": rule = "ios"
            case "android": rule = "android"
            default:
                if country == "DE" || country == "AT" {
                    rule = "german"
                } else {
                    variant = pick([("a", 1), ("b", 1)], using: &random)
                }
            }
        } else if outcome == "redirected" && redirect == "qr-poster" {
            variant = pick([("red", 3), ("blue", 2)], using: &random)
        }
        return Event(
            millis: millis, outcome: outcome, redirect: redirect, session: session, sessionStatus: sessionStatus,
            bot: bot?.0, botCategory: bot?.1, referrerHost: referrer, country: country, device: device?.0,
            form: device?.1, rule: rule, variant: variant, method: bot?.0 == "head-request" ? "HEAD" : "GET")
    }

    // MARK: - Writing the spool

    /// Writes the redirect files (`DIR/<id>.toml` with their tags) the events belong to.
    static func writeRedirects(to directory: URL) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        for link in links {
            let tags = link.tags.map { "\"\($0)\"" }.joined(separator: ", ")
            let text = "url = \"https://shop.example.com/\(link.id)\"\ntags = [\(tags)]\n"
            try text.write(to: directory.appendingPathComponent(link.id + ".toml"), atomically: true, encoding: .utf8)
        }
    }

    /// Writes the events into `spool`, one file per hour: the oldest `shipped` share into `shipped/` (as if an
    /// import had shipped them), the newest tenth into `current/` (buckets a running responder would seal), the
    /// rest into `ready/`.
    func write(to spool: URL, shipped: Double) throws {
        for dir in ["current", "ready", "shipped"] {
            try FileManager.default.createDirectory(
                at: spool.appendingPathComponent(dir), withIntermediateDirectories: true)
        }
        var byHour: [Int64: [UInt8]] = [:]
        for (n, event) in events.enumerated() {
            byHour[event.millis / 3_600_000 * 3_600_000, default: []] += Self.line(event, number: n)
        }
        let hours = byHour.keys.sorted()
        for (index, hour) in hours.enumerated() {
            let share = Double(index) / Double(hours.count)
            let dir = share < shipped ? "shipped" : share >= 0.9 ? "current" : "ready"
            let name = Self.fileName(hour)
            try Data(byHour[hour]!).write(to: spool.appendingPathComponent(dir).appendingPathComponent(name))
        }
    }

    /// The file name of the bucket starting at `millis`: `20261129T020000.jsonl`.
    static func fileName(_ millis: Int64) -> String {
        let t = UTCTime(millis)
        return String(format: "%04d%02d%02dT%02d%02d%02d.jsonl", t.year, t.month, t.day, t.hour, t.minute, t.second)
    }

    private static let agents: [String: String] = [
        "ios":
            "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
        "android":
            "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36",
        "windows":
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
        "macos":
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
        "linux": "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
        "chromeos":
            "Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
    ]

    /// A JSON string, or null.
    private static func json(_ value: String?) -> String {
        guard let value else { return "null" }
        var out = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    /// The event's line, every field in the order redirectd writes them (docs/events.md).
    static func line(_ e: Event, number: Int) -> [UInt8] {
        let t = UTCTime(e.millis)
        let time = String(
            format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", t.year, t.month, t.day, t.hour, t.minute, t.second,
            t.millisecond)
        // A UUIDv7's layout: the millisecond time first, then version and variant.
        let id = String(
            format: "%08llx-%04llx-7000-8000-%012x", e.millis >> 16, e.millis & 0xFFFF, number)
        let target = e.outcome == "redirected" ? "https://shop.example.com/\(e.redirect ?? "")" : nil
        let status = e.outcome == "redirected" ? 302 : e.outcome == "not-found" ? 404 : 410
        let agent: String? =
            e.bot == "no-user-agent"
            ? nil
            : e.bot.map { "\($0)/2.1 (+https://bots.example.net/\($0))" } ?? e.device.flatMap { agents[$0] }
                ?? "Mozilla/5.0"
        let referer = e.referrerHost.map { "https://\($0)/r/\(number % 97)?q=spring" }
        var fields: [String] = []
        fields.append("\"v\":1")
        fields.append("\"id\":\(json(id))")
        fields.append("\"time\":\(json(time))")
        fields.append("\"outcome\":\(json(e.outcome))")
        fields.append("\"redirect\":\(json(e.redirect))")
        fields.append("\"session\":\(json(e.session))")
        fields.append("\"session_status\":\(json(e.sessionStatus))")
        fields.append("\"session_source\":\(json(e.session == nil ? nil : "path"))")
        fields.append("\"source\":\(json(e.redirect == nil ? nil : "newsletter"))")
        fields.append("\"type\":\"redirect\"")
        fields.append("\"properties\":{\"campaign\":\(json(e.redirect ?? "none"))}")
        fields.append("\"target\":\(json(target))")
        fields.append("\"status\":\(status)")
        fields.append("\"rule\":\(json(e.rule))")
        fields.append("\"variant\":\(json(e.variant))")
        fields.append("\"country\":\(json(e.country))")
        fields.append("\"device\":\(json(e.device))")
        fields.append("\"form\":\(json(e.form))")
        let request = [
            "\"method\":\(json(e.method))", "\"ip\":\(json("203.0.113.\(number % 250)"))",
            "\"user_agent\":\(json(agent))", "\"referer\":\(json(referer))",
            "\"accept_language\":\(json(e.country == "DE" ? "de-DE,de;q=0.9" : "en-US,en;q=0.8"))",
            "\"host\":\"go.example.com\"", "\"query\":\(json(number % 5 == 0 ? "utm_source=mail" : ""))",
        ]
        fields.append("\"request\":{\(request.joined(separator: ","))}")
        fields.append("\"bot\":\(json(e.bot))")
        fields.append("\"bot_category\":\(json(e.botCategory))")
        return Array(("{" + fields.joined(separator: ",") + "}\n").utf8)
    }

    // MARK: - The figures, counted here

    /// The scopes a click counts in: the whole selection, its link, and each tag of its link's file.
    private static let tagsByLink = Dictionary(uniqueKeysWithValues: links.map { ($0.id, $0.tags) })

    /// A click without a redirect id (`/redirect/` alone) counts as a link of its own, `(no id)`, as the page
    /// lists it (and ClickHouse stores the id as empty).
    static let noRedirect = "(no id)"

    private static func scopes(of e: Event) -> [String] {
        let id = e.redirect ?? noRedirect
        return ["all", "link:\(id)"] + (tagsByLink[id] ?? []).map { "tag:\($0)" }
    }

    /// What every table of the page must hold, per scope; `timelineHours` chooses hour or day buckets.
    func expectedFigures(timelineHours: Bool) -> Figures {
        var figures: Figures = [:]
        for e in events {
            let person = e.bot == nil ? 1 : 0
            let valid = e.sessionStatus == "valid" ? 1 : 0
            let bucket = timelineHours ? e.millis / 3_600_000 * 3_600 : e.millis / 86_400_000 * 86_400
            for scope in Self.scopes(of: e) {
                var f = figures[scope, default: [:]]
                f["summary", default: [:]]["clicks", default: [:]]["value", default: 0] += 1
                f["summary", default: [:]]["persons", default: [:]]["value", default: 0] += person
                f["summary", default: [:]]["bots", default: [:]]["value", default: 0] += 1 - person
                f["summary", default: [:]]["valid_sessions", default: [:]]["value", default: 0] += valid
                f["outcomes", default: [:]][e.outcome, default: [:]]["clicks", default: 0] += 1
                if let category = e.botCategory {
                    f["bots", default: [:]][category, default: [:]]["clicks", default: 0] += 1
                }
                f["timeline", default: [:]]["\(bucket)", default: [:]]["clicks", default: 0] += 1
                f["timeline", default: [:]]["\(bucket)", default: [:]]["persons", default: 0] += person
                if !scope.hasPrefix("link:") {
                    let id = e.redirect ?? Self.noRedirect
                    f["links", default: [:]][id, default: [:]]["clicks", default: 0] += 1
                    f["links", default: [:]][id, default: [:]]["persons", default: 0] += person
                    f["links", default: [:]][id, default: [:]]["valid_sessions", default: 0] += valid
                }
                f["referrers", default: [:]][e.referrerHost ?? "(none)", default: [:]]["clicks", default: 0] += 1
                f["countries", default: [:]][e.country ?? "(unknown)", default: [:]]["clicks", default: 0] += 1
                f["devices", default: [:]][e.device ?? "(unknown)", default: [:]]["clicks", default: 0] += 1
                let rule = "\(e.rule ?? "-")/\(e.variant ?? "-")"
                f["rules", default: [:]][rule, default: [:]]["clicks", default: 0] += 1
                f["rules", default: [:]][rule, default: [:]]["persons", default: 0] += person
                figures[scope] = f
            }
        }
        for scope in figures.keys {
            for name in ["referrers", "countries", "devices"] {
                figures[scope]![name] = Self.top(20, of: figures[scope]![name]!)
            }
        }
        return figures
    }

    /// Whether any click of `scope` carries a rule or a variant (the page has a rules table only then).
    func scopeHasRules(_ scope: String) -> Bool {
        events.contains { ($0.rule != nil || $0.variant != nil) && Self.scopes(of: $0).contains(scope) }
    }

    /// The `n` rows with the most clicks, ties by key.
    static func top(_ n: Int, of rows: [String: [String: Int]]) -> [String: [String: Int]] {
        let kept = rows.sorted { a, b in
            let (x, y) = (a.value["clicks"] ?? 0, b.value["clicks"] ?? 0)
            return x != y ? x > y : a.key < b.key
        }.prefix(n)
        return Dictionary(uniqueKeysWithValues: kept.map { ($0.key, $0.value) })
    }
}

/// A UTC calendar time from milliseconds since the epoch (days to civil date by the usual era arithmetic).
struct UTCTime {
    var year: Int32, month: Int32, day: Int32, hour: Int32, minute: Int32, second: Int32, millisecond: Int32

    init(_ millis: Int64) {
        let seconds = millis / 1000
        let days = seconds / 86_400
        let rest = seconds % 86_400
        let z = days + 719_468
        let era = z / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let d = dayOfYear - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        year = Int32(yearOfEra + era * 400 + (m <= 2 ? 1 : 0))
        month = Int32(m)
        day = Int32(d)
        hour = Int32(rest / 3600)
        minute = Int32(rest % 3600 / 60)
        second = Int32(rest % 60)
        millisecond = Int32(millis % 1000)
    }

    /// RFC 3339 UTC, whole seconds: `2026-11-29T02:00:00Z`.
    var rfc3339: String {
        String(format: "%04d-%02d-%02dT%02d:%02d:%02dZ", year, month, day, hour, minute, second)
    }
}
