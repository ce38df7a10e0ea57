import Foundation
import RedirectCore

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

    public var rows: [Row]
    public var linesRead: Int
    /// Lines that are not events (torn by a crash, or foreign); skipped and counted.
    public var skippedLines: Int
    /// Flagged clicks left out because their category was excluded.
    public var excludedBots = 0

    /// Reads every `.jsonl` file in the spool's `ready/`, `current/` and `shipped/` folders.
    ///
    /// - Parameters:
    ///   - slots: number of time slots in each histogram.
    ///   - excludingBots: clicks flagged with one of these categories are left out (and counted).
    public static func collect(spool: String, slots: Int = 24, excludingBots: Set<BotCategory> = []) throws
        -> ClickStatistics
    {
        let fm = FileManager.default
        var files: [String] = []
        for sub in ["shipped", "ready", "current"] {
            let dir = spool + "/" + sub
            guard let names = try? fm.contentsOfDirectory(atPath: dir) else { continue }
            files += names.filter { $0.hasSuffix(".jsonl") }.sorted().map { dir + "/" + $0 }
        }
        guard fm.fileExists(atPath: spool) else {
            throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: spool])
        }
        var events: [(redirect: String, session: String?, bot: BotCategory?, time: String)] = []
        var lines = 0
        var skipped = 0
        var excluded = 0
        for file in files {
            guard let data = fm.contents(atPath: file) else { continue }
            for line in data.split(separator: UInt8(ascii: "\n")) where !line.isEmpty {
                lines += 1
                guard let object = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any],
                    let time = object["time"] as? String
                else {
                    skipped += 1
                    continue
                }
                let redirect = object["redirect"] as? String ?? "(no id)"
                let request = object["request"] as? [String: Any]
                let bot = BotCategory.of(
                    bot: object["bot"] as? String, category: object["bot_category"] as? String,
                    method: request?["method"] as? String, userAgent: request?["user_agent"] as? String)
                if let bot, excludingBots.contains(bot) {
                    excluded += 1
                    continue
                }
                events.append((redirect, object["session"] as? String, bot, time))
            }
        }
        var statistics = summarize(events, slots: slots, linesRead: lines, skipped: skipped)
        statistics.excludedBots = excluded
        return statistics
    }

    /// The figures for a list of events; pure, for tests.
    static func summarize(
        _ events: [(redirect: String, session: String?, bot: BotCategory?, time: String)], slots: Int, linesRead: Int,
        skipped: Int
    ) -> ClickStatistics {
        // ISO 8601 UTC times with fixed width sort as text; the slot is found from the parsed seconds.
        let seconds = events.map { Self.seconds(of: $0.time) ?? 0 }
        let start = seconds.min() ?? 0
        let end = max(seconds.max() ?? 0, start + 1)
        let width = max(1, Int((Double(end - start) / Double(max(1, slots))).rounded(.up)))
        var byRedirect: [String: (row: Row, sessions: Set<String>)] = [:]
        for (index, event) in events.enumerated() {
            var entry = byRedirect[event.redirect] ?? (Row(redirect: event.redirect, histogram: Array(repeating: 0, count: slots)), [])
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

    /// Seconds since the epoch of `2026-11-29T02:08:14.431Z`.
    static func seconds(of time: String) -> Int? {
        let b = Array(time.utf8)
        guard b.count >= 19 else { return nil }
        func n(_ r: Range<Int>) -> Int? { Int(String(decoding: b[r], as: UTF8.self)) }
        guard let y = n(0..<4), let mo = n(5..<7), let d = n(8..<10), let h = n(11..<13), let mi = n(14..<16),
            let s = n(17..<19)
        else { return nil }
        var c = DateComponents()
        (c.year, c.month, c.day, c.hour, c.minute, c.second) = (y, mo, d, h, mi, s)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
        return calendar.date(from: c).map { Int($0.timeIntervalSince1970) }
    }

    /// A one-line chart of `counts`: ▁▂▃▄▅▆▇█, a space for an empty slot.
    public static func sparkline(_ counts: [Int]) -> String {
        let bars = Array("▁▂▃▄▅▆▇█")
        let top = counts.max() ?? 0
        guard top > 0 else { return String(repeating: " ", count: counts.count) }
        // 1 is the lowest bar and the maximum the highest; a space marks an empty slot.
        return String(counts.map { count -> Character in
            guard count > 0 else { return " " }
            return top == 1 ? bars[bars.count - 1] : bars[(count - 1) * (bars.count - 1) / (top - 1)]
        })
    }
}
