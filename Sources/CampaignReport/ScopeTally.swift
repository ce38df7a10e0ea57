/// The counts of one scope of the report (the whole selection, one link, one tag): every figure of its section.
///
/// Only counts per key: no event and no session is kept, so memory grows with the number of distinct referrer
/// hosts, countries, hours and rules, not with the number of clicks. A tag's or the whole selection's tally is
/// the ``merge(_:)`` of its links'.
public struct ScopeTally: Sendable, Equatable {
    /// Clicks, and of them those of persons (`bot` null).
    public struct Counts: Sendable, Equatable {
        public var clicks = 0
        public var persons = 0

        public init(clicks: Int = 0, persons: Int = 0) {
            self.clicks = clicks
            self.persons = persons
        }

        mutating func add(_ other: Counts) {
            clicks += other.clicks
            persons += other.persons
        }
    }

    /// A rule and variant a click was sent by; nil for none.
    public struct RuleKey: Sendable, Hashable {
        public var rule: String?
        public var variant: String?

        public init(rule: String?, variant: String?) {
            self.rule = rule
            self.variant = variant
        }

        /// `RULE/VARIANT`, `-` standing for none.
        public var text: String { (rule ?? "-") + "/" + (variant ?? "-") }
    }

    public var clicks = 0
    public var persons = 0
    /// Clicks whose `session_status` is `valid`.
    public var validSessions = 0
    /// Per outcome (`redirected`, `not-found`, …).
    public var outcomes: [String: Int] = [:]
    /// Per bot category (`BotCategory` raw value).
    public var bots: [String: Int] = [:]
    /// Per hour, keyed by the hour's start in seconds since the epoch.
    public var hours: [Int64: Counts] = [:]
    /// Per referrer host; nil key: no referrer.
    public var referrers: [String?: Int] = [:]
    /// Per country code; nil key: unknown.
    public var countries: [String?: Int] = [:]
    /// Per device; nil key: unknown.
    public var devices: [String?: Int] = [:]
    /// Per rule and variant.
    public var rules: [RuleKey: Counts] = [:]

    public init() {}

    /// Clicks flagged as bots.
    public var botClicks: Int { clicks - persons }

    /// Whether some click was sent by a rule or a variant: only then has the section a rules table.
    public var hasRules: Bool { rules.keys.contains { $0.rule != nil || $0.variant != nil } }

    /// Counts one click.
    public mutating func add(_ click: ClickFacts) {
        let person = click.bot == nil
        let one = Counts(clicks: 1, persons: person ? 1 : 0)
        clicks += 1
        if person { persons += 1 }
        if click.hasValidSession { validSessions += 1 }
        outcomes[click.outcome, default: 0] += 1
        if let bot = click.bot { bots[bot.rawValue, default: 0] += 1 }
        let seconds = click.time >= 0 ? click.time / 1000 : (click.time - 999) / 1000
        let hour = seconds - ((seconds % 3600) + 3600) % 3600
        hours[hour, default: Counts()].add(one)
        referrers[click.referrerHost, default: 0] += 1
        countries[click.country, default: 0] += 1
        devices[click.device, default: 0] += 1
        rules[RuleKey(rule: click.rule, variant: click.variant), default: Counts()].add(one)
    }

    /// Adds another scope's counts to these.
    public mutating func merge(_ other: ScopeTally) {
        clicks += other.clicks
        persons += other.persons
        validSessions += other.validSessions
        outcomes.merge(other.outcomes, uniquingKeysWith: +)
        bots.merge(other.bots, uniquingKeysWith: +)
        for (hour, counts) in other.hours { hours[hour, default: Counts()].add(counts) }
        referrers.merge(other.referrers, uniquingKeysWith: +)
        countries.merge(other.countries, uniquingKeysWith: +)
        devices.merge(other.devices, uniquingKeysWith: +)
        for (key, counts) in other.rules { rules[key, default: Counts()].add(counts) }
    }

    /// The `limit` largest counts, ties by key (a nil key, "none", sorts as `name`).
    public static func top<Key>(_ counts: [Key: Int], limit: Int, name: (Key) -> String) -> [(key: String, count: Int)]
    {
        counts.map { (key: name($0.key), count: $0.value) }
            .sorted { $0.count != $1.count ? $0.count > $1.count : $0.key < $1.key }
            .prefix(limit).map { $0 }
    }
}
