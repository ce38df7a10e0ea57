import BotDetection
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

    /// The facts of one event a grouping needs.
    struct GroupedEvent {
        var redirect: String
        var rule: String?
        var variant: String?
        var hasSession: Bool
        var isBot: Bool
    }

    public var rows: [Row]
    /// Per redirect, rule and variant, when asked for (`groupingBy`); ordered by redirect, rule, variant.
    public var groups: [Group] = []
    public var linesRead: Int
    /// Lines that are not events (torn by a crash, or foreign); skipped and counted.
    public var skippedLines: Int
    /// Flagged clicks left out because their category was excluded.
    public var excludedBots = 0

    /// Reads every `.jsonl` file in the spool's `shipped/`, `ready/` and `current/` folders.
    ///
    /// Lines are read as the importer reads them (`SpoolReader`): torn lines, lines that are no JSON object and
    /// events without an `id` or a string `time` are skipped and counted.
    ///
    /// - Parameters:
    ///   - slots: number of time slots in each histogram.
    ///   - excludingBots: clicks flagged with one of these categories are left out (and counted).
    ///   - groupingBy: fills ``groups`` by these (none: no groups).
    public static func collect(
        spool: String, slots: Int = 24, excludingBots: Set<BotCategory> = [], groupingBy: Set<Grouping> = []
    ) throws(SpoolError) -> ClickStatistics {
        var info = stat()
        guard stat(spool, &info) == 0 else { throw SpoolError("read", spool, Errno(rawValue: errno)) }
        var events: [(redirect: String, session: String?, bot: BotCategory?, time: String)] = []
        var grouped: [GroupedEvent] = []
        var lines = 0
        var skipped = 0
        var excluded = 0
        // Links, FIFOs, other users' files and other non-files in the spool are passed over, never followed or
        // waited on (`redirectctl stats` runs as the spool's owner: SpoolAccess).
        let top = try SpoolDirectory.open(spool, create: false)
        for sub in [SpoolLayout.Folder.shipped, .ready, .current] {
            // A missing folder has no events; a file sealed away from current/ since the listing has none here.
            guard let directory = try? top.subdirectory(sub, create: false),
                let names = try? directory.list().files.map(\.name)
            else { continue }
            for name in names.sorted() {
                guard let file = try? directory.openFile(name, .read),
                    let reader = try? SpoolReader(descriptor: file, path: directory.path + "/" + name)
                else { continue }
                while let record = try reader.next() {
                    lines += 1
                    guard let event = JSONValue(parsing: record.line.dropLast()),
                        let time = ClickEventField.time.value(in: event)?.stringValue
                    else {
                        skipped += 1
                        continue
                    }
                    let bot = BotCategory.of(
                        bot: record.bot, category: record.botCategory,
                        method: ClickEventField.requestMethod.value(in: event)?.stringValue,
                        userAgent: ClickEventField.requestUserAgent.value(in: event)?.stringValue)
                    if let bot, excludingBots.contains(bot) {
                        excluded += 1
                        continue
                    }
                    let redirect = ClickEventField.redirect.value(in: event)?.stringValue ?? "(no id)"
                    let session = ClickEventField.session.value(in: event)?.stringValue
                    events.append((redirect, session, bot, time))
                    if !groupingBy.isEmpty {
                        grouped.append(
                            GroupedEvent(
                                redirect: redirect,
                                rule: groupingBy.contains(.rule)
                                    ? ClickEventField.rule.value(in: event)?.stringValue : nil,
                                variant: groupingBy.contains(.variant)
                                    ? ClickEventField.variant.value(in: event)?.stringValue : nil,
                                hasSession: session != nil, isBot: bot != nil))
                    }
                }
                lines += reader.skipped.count
                skipped += reader.skipped.count
            }
        }
        var statistics = summarize(events, slots: slots, linesRead: lines, skipped: skipped)
        statistics.excludedBots = excluded
        statistics.groups = group(grouped)
        return statistics
    }

    /// The figures per redirect, rule and variant; pure, for tests.
    static func group(_ events: [GroupedEvent]) -> [Group] {
        struct Key: Hashable {
            var redirect: String
            var rule: String?
            var variant: String?
        }
        var groups: [Key: Group] = [:]
        for event in events {
            let key = Key(redirect: event.redirect, rule: event.rule, variant: event.variant)
            var entry = groups[key] ?? Group(redirect: event.redirect, rule: event.rule, variant: event.variant)
            entry.clicks += 1
            if !event.isBot { entry.persons += 1 }
            if event.hasSession { entry.sessions += 1 }
            groups[key] = entry
        }
        // No rule (or variant) first within a redirect: the clicks the file's own target took.
        func order(_ group: Group) -> (String, Int, String, Int, String) {
            (
                group.redirect, group.rule == nil ? 0 : 1, group.rule ?? "", group.variant == nil ? 0 : 1,
                group.variant ?? ""
            )
        }
        return groups.values.sorted { order($0) < order($1) }
    }

    /// The figures for a list of events; pure, for tests.
    static func summarize(
        _ events: [(redirect: String, session: String?, bot: BotCategory?, time: String)], slots: Int, linesRead: Int,
        skipped: Int
    ) -> ClickStatistics {
        // ISO 8601 UTC times with fixed width sort as text; the slot is found from the parsed seconds.
        let seconds = events.map { event in
            Timestamp(iso8601: event.time).map { Int($0.millisecondsSinceEpoch / 1000) } ?? 0
        }
        let start = seconds.min() ?? 0
        let end = max(seconds.max() ?? 0, start + 1)
        let width = max(1, Int((Double(end - start) / Double(max(1, slots))).rounded(.up)))
        var byRedirect: [String: (row: Row, sessions: Set<String>)] = [:]
        for (index, event) in events.enumerated() {
            var entry =
                byRedirect[event.redirect] ?? (
                    Row(redirect: event.redirect, histogram: Array(repeating: 0, count: slots)), []
                )
            entry.row.clicks += 1
            if event.bot != nil { entry.row.bots += 1 }
            if let session = event.session { entry.sessions.insert(session) }
            if entry.row.first.map({ event.time < $0 }) ?? true { entry.row.first = event.time }
            if entry.row.last.map({ event.time > $0 }) ?? true { entry.row.last = event.time }
            let slot = min(slots - 1, (seconds[index] - start) / width)
            entry.row.histogram[slot] += 1
            byRedirect[event.redirect] = entry
        }
        let rows = byRedirect.values.map { entry -> Row in
            var row = entry.row
            row.uniqueSessions = entry.sessions.count
            return row
        }.sorted { ($0.clicks, $1.redirect) > ($1.clicks, $0.redirect) }
        return ClickStatistics(rows: rows, linesRead: linesRead, skippedLines: skipped)
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
