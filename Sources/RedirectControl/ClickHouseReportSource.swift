import BotDetection
import CampaignReport
import ClickImport
import JSON
import RedirectCore

/// The report's counts from the ClickHouse table the importer fills: the same ``CampaignTally`` the spool gives,
/// for a fleet of hosts at once.
///
/// Each figure is one `GROUP BY redirect, …` query over `FROM table FINAL` (so a batch the importer sent twice
/// counts once), answered as JSONEachRow: only counts travel, never events. The few things SQL cannot say as the
/// spool reader does are finished here from grouped values: the bot category of old rows without one (from the
/// bot label and user agent), and a referrer's host (SQL cuts the authority, ``ReferrerHost`` the rest).
public struct ClickHouseReportSource: Sendable {
    public let url: String
    public let table: String
    /// Request headers (credentials), as the importer sends them.
    public let headers: [HTTPHeaderField]

    public init(url: String, table: String, headers: [HTTPHeaderField] = []) {
        self.url = url
        self.table = table
        self.headers = headers
    }

    /// `url` without a password, for the page and messages.
    public static func redacted(_ url: String) -> String {
        var text = url
        let characters = Array(url)
        var start: Int?
        for index in characters.indices.dropLast(2)
        where characters[index] == ":" && characters[index + 1] == "/" && characters[index + 2] == "/" {
            start = index + 3
            break
        }
        if let start {
            var end = start
            while end < characters.count, characters[end] != "/", characters[end] != "?", characters[end] != "#" {
                end += 1
            }
            if let at = characters[start..<end].lastIndex(of: "@") {
                text = String(characters[..<start]) + "…" + String(characters[at...])
            }
        }
        guard let question = text.firstIndex(of: "?") else { return text }
        let query = text[text.index(after: question)...].split(separator: "&", omittingEmptySubsequences: false)
            .map { part -> String in
                part.lowercased().hasPrefix("password=") ? "password=…" : String(part)
            }
        return String(text[...question]) + query.joined(separator: "&")
    }

    /// Counts the clicks `selection` includes.
    public func tally(selection: ReportSelection) async throws(ImportError) -> CampaignTally {
        let query = try ClickHouseQuery(url: url, table: table, headers: headers)
        do {
            let result = try await tally(query: query, selection: selection)
            await query.shutdown()
            return result
        } catch {
            await query.shutdown()
            throw error
        }
    }

    private func tally(query: ClickHouseQuery, selection: ReportSelection) async throws(ImportError)
        -> CampaignTally
    {
        let time = try await query.timeColumns()
        let filter = Self.whereClause(selection, time: time)
        var tally = CampaignTally()
        func link(_ row: JSONValue) -> String {
            let id = row["redirect"]?.stringValue ?? ""
            return id.isEmpty ? ReportSelection.noRedirect : id
        }
        func rows(_ select: String, _ groupBy: String, extra: String = "") async throws(ImportError) -> [JSONValue] {
            let sql =
                "SELECT \(select) FROM \(table) FINAL WHERE \(filter)\(extra) GROUP BY \(groupBy) FORMAT JSONEachRow"
            return try parse(try await query.answer(sql))
        }
        let person = "countIf(isNull(bot))"
        let valid = "countIf(session_status = 'valid' OR (session_status = '' AND isNotNull(session)))"
        for row in try await rows("redirect, outcome, count() AS c, \(person) AS p, \(valid) AS v", "redirect, outcome")
        {
            let clicks = Self.number(row["c"])
            let persons = Self.number(row["p"])
            tally.links[link(row), default: ScopeTally()].clicks += clicks
            tally.links[link(row), default: ScopeTally()].persons += persons
            tally.links[link(row), default: ScopeTally()].validSessions += Self.number(row["v"])
            tally.links[link(row), default: ScopeTally()].outcomes[row["outcome"]?.stringValue ?? "", default: 0] +=
                clicks
        }
        for row in try await rows(
            "redirect, bot_category, count() AS c", "redirect, bot_category",
            extra: " AND isNotNull(bot) AND isNotNull(bot_category)")
        {
            let category = BotCategory(rawValue: row["bot_category"]?.stringValue ?? "") ?? .crawler
            tally.links[link(row), default: ScopeTally()].bots[category.rawValue, default: 0] += Self.number(row["c"])
        }
        // Rows imported from lines older than `bot_category`: categorised as the spool reader does.
        for row in try await rows(
            "redirect, bot, request_method, request_user_agent, count() AS c",
            "redirect, bot, request_method, request_user_agent", extra: " AND isNotNull(bot) AND isNull(bot_category)")
        {
            let category =
                BotCategory.of(
                    bot: row["bot"]?.stringValue, category: nil, method: row["request_method"]?.stringValue,
                    userAgent: row["request_user_agent"]?.stringValue) ?? .crawler
            tally.links[link(row), default: ScopeTally()].bots[category.rawValue, default: 0] += Self.number(row["c"])
        }
        for row in try await rows(
            "redirect, toUInt32(toStartOfHour(toDateTime(time))) AS h, count() AS c, \(person) AS p", "redirect, h")
        {
            let counts = ScopeTally.Counts(clicks: Self.number(row["c"]), persons: Self.number(row["p"]))
            let hour = Int64(Self.number(row["h"]))
            tally.links[link(row), default: ScopeTally()].hours[hour, default: ScopeTally.Counts()].clicks +=
                counts.clicks
            tally.links[link(row), default: ScopeTally()].hours[hour, default: ScopeTally.Counts()].persons +=
                counts.persons
        }
        let authority =
            "extract(ifNull(request_referer, ''), \(ClickHouseQuery.literal(ReferrerHost.authorityPattern)))"
        for row in try await rows("redirect, \(authority) AS a, count() AS c", "redirect, a") {
            let host = ReferrerHost.of(authority: row["a"]?.stringValue ?? "")
            tally.links[link(row), default: ScopeTally()].referrers[host, default: 0] += Self.number(row["c"])
        }
        for row in try await rows("redirect, country, count() AS c", "redirect, country") {
            tally.links[link(row), default: ScopeTally()].countries[row["country"]?.stringValue, default: 0] +=
                Self.number(row["c"])
        }
        for row in try await rows("redirect, device, count() AS c", "redirect, device") {
            tally.links[link(row), default: ScopeTally()].devices[row["device"]?.stringValue, default: 0] +=
                Self.number(row["c"])
        }
        for row in try await rows(
            "redirect, rule, variant, count() AS c, \(person) AS p", "redirect, rule, variant")
        {
            let key = ScopeTally.RuleKey(rule: row["rule"]?.stringValue, variant: row["variant"]?.stringValue)
            tally.links[link(row), default: ScopeTally()].rules[key, default: ScopeTally.Counts()].clicks +=
                Self.number(row["c"])
            tally.links[link(row), default: ScopeTally()].rules[key, default: ScopeTally.Counts()].persons +=
                Self.number(row["p"])
        }
        return tally
    }

    /// The selection as a `WHERE` condition: the time window in milliseconds, the redirect ids left by the id and
    /// tag filters.
    static func whereClause(_ selection: ReportSelection, time: ClickHouseSchema.TimeColumns) -> String {
        let milliseconds =
            time == .dateTime64 ? "toUnixTimestamp64Milli(time)" : "(toUInt64(time) * 1000 + time_ms)"
        var conditions = ["1"]
        if let since = selection.since { conditions.append("\(milliseconds) >= \(since)") }
        if let until = selection.until { conditions.append("\(milliseconds) < \(until)") }
        if let ids = selection.redirectIDs {
            let names = ids.sorted().map { $0 == ReportSelection.noRedirect ? "''" : ClickHouseQuery.literal($0) }
            conditions.append(names.isEmpty ? "0" : "redirect IN (" + names.joined(separator: ", ") + ")")
        }
        return conditions.joined(separator: " AND ")
    }

    /// The rows of a JSONEachRow answer.
    func parse(_ answer: [UInt8]) throws(ImportError) -> [JSONValue] {
        var rows: [JSONValue] = []
        for line in answer.split(separator: UInt8(ascii: "\n")) where !line.isEmpty {
            guard let row = JSONValue(parsing: line) else {
                throw .badOption(
                    "clickhouse: a line of the answer is no JSON row: is \(url) ClickHouse's HTTP interface?")
            }
            rows.append(row)
        }
        return rows
    }

    /// A count as ClickHouse writes it in JSON: a number, or a quoted one for 64-bit integers.
    static func number(_ value: JSONValue?) -> Int {
        switch value {
        case .int(let n)?: return n
        case .string(let text)?: return Int(text) ?? 0
        case .double(let d)?: return Int(d)
        default: return 0
        }
    }
}
