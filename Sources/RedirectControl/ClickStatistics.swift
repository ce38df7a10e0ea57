import BotDetection
import CampaignReport
import ClickSpool
import JSON
import RedirectCore
import SystemPackage
import Timestamps

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Per-redirect figures over the events in a spool, for `redirectctl stats`.
public struct ClickStatistics: Sendable {
    /// The figures of one redirect id.
    public struct Row: Equatable, Sendable {
        public var redirect: String
        public var clicks = 0
        public var uniqueSessions = 0
        public var bots = 0
        public var first: String?
        public var last: String?
        /// Clicks per time slot, oldest first, over the whole report's time range.
        public var histogram: [Int] = []
    }

    /// What `redirectctl stats --by` splits a redirect's clicks by.
    public enum Grouping: String, CaseIterable, Sendable {
        /// The event's `rule`; clicks no rule took, and lines older than rules, have none.
        case rule
        /// The event's `variant`; clicks without a split have none.
        case variant
    }

    /// The figures of one redirect's clicks with one rule and variant (nil: none, or not grouped by it).
    public struct Group: Equatable, Sendable {
        public var redirect: String
        public var rule: String?
        public var variant: String?
        public var clicks = 0
        /// Clicks not flagged as bots (`bot` null).
        public var persons = 0
        /// Clicks with a valid session.
        public var sessions = 0
    }

    public var rows: [Row]
    /// Per redirect, rule and variant, when asked for (`groupingBy`); ordered by redirect, rule, variant.
    public var groups: [Group] = []
    public var linesRead: Int
    /// Lines that are not events (torn by a crash, or foreign); skipped and counted.
    public var skippedLines: Int
    /// Flagged clicks left out because their category was excluded.
    public var excludedBots = 0

    /// Reads every `.jsonl` file in the spool's `shipped/`, `ready/` and `current/` folders, streaming.
    ///
    /// Lines are read as the importer reads them (`SpoolEventStream`): torn lines, lines that are no JSON object
    /// and events without an `id` or an RFC 3339 `time` are skipped and counted. The spool is read twice, one line
    /// at a time: first for the time range the histograms divide, then to count; memory holds counts and each
    /// redirect's set of sessions, never the events. A line added to `current/` between the two passes lands in
    /// the first or last slot.
    ///
    /// - Parameters:
    ///   - slots: number of time slots in each histogram.
    ///   - excludingBots: clicks flagged with one of these categories are left out (and counted).
    ///   - groupingBy: fills ``groups`` by these (none: no groups).
    ///   - selection: only the clicks it includes (time window, redirect ids, tags), as `redirectctl report`.
    public static func collect(
        spool: String, slots: Int = 24, excludingBots: Set<BotCategory> = [], groupingBy: Set<Grouping> = [],
        selection: ReportSelection = ReportSelection()
    ) throws(SpoolError) -> ClickStatistics {
        var info = stat()
        guard stat(spool, &info) == 0 else { throw SpoolError("read", spool, Errno(rawValue: errno)) }
        // `redirectctl stats` runs as the spool's owner (SpoolAccess); the stream passes over non-files.
        let stream = SpoolEventStream(spool: spool)
        var first: Int64?
        var last: Int64?
        try stream.readEvents { record in
            guard let click = ClickFacts(record: record), selection.includes(time: click.time, redirect: click.redirect)
            else { return }
            if let bot = click.bot, excludingBots.contains(bot) { return }
            first = min(first ?? click.time, click.time)
            last = max(last ?? click.time, click.time)
        }
        var accumulator = Accumulator(slots: slots, first: first ?? 0, last: last ?? 0, groupingBy: groupingBy)
        var skipped = 0
        var excluded = 0
        let counts = try stream.readEvents { record in
            guard let click = ClickFacts(record: record) else {
                skipped += 1
                return
            }
            guard selection.includes(time: click.time, redirect: click.redirect) else { return }
            if let bot = click.bot, excludingBots.contains(bot) {
                excluded += 1
                return
            }
            accumulator.add(click)
        }
        var statistics = accumulator.statistics(linesRead: counts.lines, skipped: skipped + counts.skipped)
        statistics.excludedBots = excluded
        return statistics
    }

    /// The figures for a list of events; pure, for tests.
    static func summarize(
        _ events: [(redirect: String, session: String?, bot: BotCategory?, time: String)], slots: Int, linesRead: Int,
        skipped: Int
    ) -> ClickStatistics {
        let clicks = events.map { event in
            ClickFacts(
                time: Timestamp(iso8601: event.time)?.millisecondsSinceEpoch ?? 0, outcome: "redirected",
                redirect: event.redirect, session: event.session, hasValidSession: event.session != nil,
                bot: event.bot)
        }
        var accumulator = Accumulator(
            slots: slots, first: clicks.map(\.time).min() ?? 0, last: clicks.map(\.time).max() ?? 0, groupingBy: [])
        for click in clicks { accumulator.add(click) }
        return accumulator.statistics(linesRead: linesRead, skipped: skipped)
    }

    /// The figures of clicks added one at a time, over a time range known beforehand.
    struct Accumulator {
        struct GroupKey: Hashable {
            var redirect: String
            var rule: String?
            var variant: String?
        }

        let slots: Int
        /// The first slot's start and each slot's width, in seconds.
        let start: Int64
        let width: Int64
        let groupingBy: Set<Grouping>
        var rows: [String: (row: Row, sessions: Set<String>, first: Int64, last: Int64)] = [:]
        var groups: [GroupKey: Group] = [:]

        init(slots: Int, first: Int64, last: Int64, groupingBy: Set<Grouping>) {
            self.slots = max(1, slots)
            // Whole seconds, as the slots always were; the last second gets a slot of its own.
            start = Self.seconds(first)
            let end = max(Self.seconds(last), start + 1)
            width = max(1, (end - start + Int64(self.slots) - 1) / Int64(self.slots))
            self.groupingBy = groupingBy
        }

        static func seconds(_ milliseconds: Int64) -> Int64 {
            milliseconds >= 0 ? milliseconds / 1000 : (milliseconds - 999) / 1000
        }

        mutating func add(_ click: ClickFacts) {
            let redirect = click.redirect ?? ReportSelection.noRedirect
            var entry =
                rows[redirect] ?? (
                    Row(redirect: redirect, histogram: Array(repeating: 0, count: slots)), [], click.time, click.time
                )
            rows[redirect] = nil
            entry.row.clicks += 1
            if click.bot != nil { entry.row.bots += 1 }
            if let session = click.session { entry.sessions.insert(session) }
            entry.first = min(entry.first, click.time)
            entry.last = max(entry.last, click.time)
            let slot = Int(min(max(0, (Self.seconds(click.time) - start) / width), Int64(slots - 1)))
            entry.row.histogram[slot] += 1
            rows[redirect] = entry
            guard !groupingBy.isEmpty else { return }
            let key = GroupKey(
                redirect: redirect, rule: groupingBy.contains(.rule) ? click.rule : nil,
                variant: groupingBy.contains(.variant) ? click.variant : nil)
            var group = groups[key] ?? Group(redirect: redirect, rule: key.rule, variant: key.variant)
            group.clicks += 1
            if click.bot == nil { group.persons += 1 }
            if click.hasValidSession { group.sessions += 1 }
            groups[key] = group
        }

        func statistics(linesRead: Int, skipped: Int) -> ClickStatistics {
            let rows = self.rows.values.map { entry -> Row in
                var row = entry.row
                row.uniqueSessions = entry.sessions.count
                row.first = Timestamp(millisecondsSinceEpoch: entry.first).iso8601
                row.last = Timestamp(millisecondsSinceEpoch: entry.last).iso8601
                return row
            }.sorted { ($0.clicks, $1.redirect) > ($1.clicks, $0.redirect) }
            // No rule (or variant) first within a redirect: the clicks the file's own target took.
            func order(_ group: Group) -> (String, Int, String, Int, String) {
                (
                    group.redirect, group.rule == nil ? 0 : 1, group.rule ?? "", group.variant == nil ? 0 : 1,
                    group.variant ?? ""
                )
            }
            var statistics = ClickStatistics(rows: rows, linesRead: linesRead, skippedLines: skipped)
            statistics.groups = groups.values.sorted { order($0) < order($1) }
            return statistics
        }
    }

    /// A one-line chart of `counts`: ▁▂▃▄▅▆▇█, a space for an empty slot.
    public static func sparkline(_ counts: [Int]) -> String {
        let bars = Array("▁▂▃▄▅▆▇█")
        let top = counts.max() ?? 0
        guard top > 0 else { return String(repeating: " ", count: counts.count) }
        // 1 is the lowest bar and the maximum the highest; a space marks an empty slot.
        return String(
            counts.map { count -> Character in
                guard count > 0 else { return " " }
                return top == 1 ? bars[bars.count - 1] : bars[(count - 1) * (bars.count - 1) / (top - 1)]
            })
    }
}
