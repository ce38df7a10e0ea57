import Timestamps

/// The report as one self-contained HTML page: inline CSS, charts as inline SVG, no script, no request to anywhere.
///
/// Every figure is in a table marked for machines as well as people: the section's `data-scope`, the table's
/// `data-figure`, each row's `data-key`, each number's `data-col` and exact `data-value` beside its formatted
/// text. Browser tests and scripts read those; the text is for people. Per-link sections stay small (a sparkline,
/// compact rows with optional end tags left out) so a hundred links over a month stay well under 300 KB.
public struct ReportPage: Sendable {
    public var title: String
    /// When the page was built, in milliseconds since the epoch.
    public var builtAt: Int64
    /// Where the clicks came from, as a person reads it: `spool /var/spool/redirectd`, `ClickHouse … table clicks`.
    public var source: String
    public var selection: ReportSelection
    public var tally: CampaignTally

    /// Rows of the top-N tables (referrers, countries, devices).
    public static let topCount = 20

    public init(title: String, builtAt: Int64, source: String, selection: ReportSelection, tally: CampaignTally) {
        self.title = title
        self.builtAt = builtAt
        self.source = source
        self.selection = selection
        self.tally = tally
    }

    /// The page's bytes (UTF-8).
    public func render() -> [UInt8] {
        var out = Output()
        let all = tally.all
        let buckets = TimelineBuckets(hours: all.hours.keys)
        let linkIDs = tally.links.keys.sorted()
        var anchors: [String: String] = [:]
        for (index, id) in linkIDs.enumerated() { anchors[id] = "l\(index)" }
        let tags = Set(linkIDs.flatMap { selection.tagsByRedirect[$0] ?? [] }).sorted()

        out += "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        out += "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
        out += "<title>" + HTMLText.escape(title) + "</title><style>" + Self.style + "</style></head><body>\n"
        out += "<header><h1>" + HTMLText.escape(title) + "</h1><p data-built>" + builtText() + "</p></header>\n"
        out += "<nav><a href=\"#all\">All links</a>"
        for (index, tag) in tags.enumerated() { out += " · <a href=\"#t\(index)\">#" + HTMLText.escape(tag) + "</a>" }
        out += "</nav>\n"

        section(&out, scope: "all", anchor: "all", heading: "All links", tally: all, buckets: buckets, full: true) {
            out in links(&out, ids: linkIDs, anchors: anchors)
        }
        for (index, tag) in tags.enumerated() {
            let ids = linkIDs.filter { selection.tagsByRedirect[$0]?.contains(tag) == true }
            section(
                &out, scope: "tag:" + tag, anchor: "t\(index)", heading: "Tag " + tag,
                tally: tally.tag(tag, tagsByRedirect: selection.tagsByRedirect), buckets: buckets, full: true
            ) { out in links(&out, ids: ids, anchors: anchors) }
        }
        if !linkIDs.isEmpty { out += "<h2 class=\"links\">Links</h2>\n" }
        for id in linkIDs {
            let linkTally = tally.links[id] ?? ScopeTally()
            section(
                &out, scope: "link:" + id, anchor: anchors[id] ?? "", heading: id, tally: linkTally, buckets: buckets,
                full: false, extra: nil)
        }
        out += "<footer><p>redirectctl report · figures count clicks; persons are clicks not flagged as bots.</p>"
        out += "</footer>\n</body></html>\n"
        return out.bytes
    }

    /// `Built 2026-12-07 11:00 UTC from …`, escaped.
    func builtText() -> String {
        let time = Timestamp(millisecondsSinceEpoch: builtAt).iso8601
        var text =
            "Built " + String(time.prefix(10)) + " " + String(time.dropFirst(11).prefix(5)) + " UTC from "
            + source
        var filters: [String] = []
        if let since = selection.since {
            filters.append("since " + Timestamp(millisecondsSinceEpoch: since).iso8601)
        }
        if let until = selection.until {
            filters.append("until " + Timestamp(millisecondsSinceEpoch: until).iso8601)
        }
        if !selection.redirects.isEmpty {
            filters.append("redirect " + selection.redirects.sorted().joined(separator: ", "))
        }
        if !selection.tags.isEmpty { filters.append("tag " + selection.tags.sorted().joined(separator: ", ")) }
        text += filters.isEmpty ? "; all clicks" : "; " + filters.joined(separator: "; ")
        return HTMLText.escape(text + ".")
    }

    // MARK: - Sections

    private func section(
        _ out: inout Output, scope: String, anchor: String, heading: String, tally: ScopeTally,
        buckets: TimelineBuckets, full: Bool, extra: ((inout Output) -> Void)?
    ) {
        out += "<section data-scope=\"" + HTMLText.escape(scope) + "\" id=\"" + anchor + "\""
        out += full ? ">" : " class=\"link\">"
        out += full ? "<h2>" : "<h3>"
        out += HTMLText.escape(heading)
        out += full ? "</h2>\n" : "</h3>\n"
        let timeline = buckets.counts(tally.hours)
        if full {
            barChart(&out, timeline: timeline, buckets: buckets)
            split(&out, tally)
        } else {
            sparkline(&out, timeline: timeline, buckets: buckets, clicks: tally.clicks)
        }
        out += "<div class=\"grid\">"
        summary(&out, tally)
        table(&out, "outcomes", "Outcomes", ["clicks"], keyHeading: "outcome") { rows in
            for (key, count) in ScopeTally.top(tally.outcomes, limit: .max, name: { $0 }) {
                rows(key, key, [count])
            }
        }
        table(&out, "bots", "Bots by category", ["clicks"], keyHeading: "category") { rows in
            for (key, count) in ScopeTally.top(tally.bots, limit: .max, name: { $0 }) { rows(key, key, [count]) }
        }
        if let extra { extra(&out) }
        table(&out, "referrers", "Top referrers", ["clicks"], keyHeading: "host") { rows in
            for (key, count) in ScopeTally.top(tally.referrers, limit: Self.topCount, name: { $0 ?? "(none)" }) {
                rows(key, key, [count])
            }
        }
        table(&out, "countries", "Top countries", ["clicks"], keyHeading: "country") { rows in
            for (key, count) in ScopeTally.top(tally.countries, limit: Self.topCount, name: { $0 ?? "(unknown)" }) {
                rows(key, key, [count])
            }
        }
        table(&out, "devices", "Top devices", ["clicks"], keyHeading: "device") { rows in
            for (key, count) in ScopeTally.top(tally.devices, limit: Self.topCount, name: { $0 ?? "(unknown)" }) {
                rows(key, key, [count])
            }
        }
        if tally.hasRules {
            table(&out, "rules", "Rules and variants", ["clicks", "persons"], keyHeading: "rule/variant") { rows in
                let sorted = tally.rules.map { (key: $0.key.text, counts: $0.value) }.sorted {
                    $0.counts.clicks != $1.counts.clicks ? $0.counts.clicks > $1.counts.clicks : $0.key < $1.key
                }
                for entry in sorted { rows(entry.key, entry.key, [entry.counts.clicks, entry.counts.persons]) }
            }
        }
        table(
            &out, "timeline", buckets.size == .hour ? "Clicks per hour (UTC)" : "Clicks per day (UTC)",
            ["clicks", "persons"], keyHeading: buckets.size == .hour ? "hour" : "day"
        ) { rows in
            for start in timeline.keys.sorted() {
                let counts = timeline[start] ?? ScopeTally.Counts()
                rows(TimelineBuckets.key(start), buckets.label(start), [counts.clicks, counts.persons])
            }
        }
        out += "</div></section>\n"
    }

    private func summary(_ out: inout Output, _ tally: ScopeTally) {
        out += "<div class=\"t\"><table data-figure=\"summary\"><caption>Summary</caption>"
        let rows: [(String, String, Int, String)] = [
            ("clicks", "Clicks", tally.clicks, HTMLText.grouped(tally.clicks)),
            (
                "persons", "Persons", tally.persons,
                HTMLText.grouped(tally.persons) + " (" + HTMLText.percent(tally.persons, of: tally.clicks) + ")"
            ),
            (
                "bots", "Bots", tally.botClicks,
                HTMLText.grouped(tally.botClicks) + " (" + HTMLText.percent(tally.botClicks, of: tally.clicks) + ")"
            ),
            (
                "valid_sessions", "Valid session", tally.validSessions,
                HTMLText.grouped(tally.validSessions) + " ("
                    + HTMLText.percent(tally.validSessions, of: tally.clicks) + ")"
            ),
        ]
        for (key, label, value, text) in rows {
            out +=
                "<tr " + HTMLText.attribute("data-key", key) + "><th>" + label
                + "<td data-col=value data-value=\(value)>"
            out += text
        }
        out += "</table></div>"
    }

    private func links(_ out: inout Output, ids: [String], anchors: [String: String]) {
        let sorted = ids.sorted {
            let a = tally.links[$0]?.clicks ?? 0
            let b = tally.links[$1]?.clicks ?? 0
            return a != b ? a > b : $0 < $1
        }
        out += "<div class=\"t wide\"><table data-figure=\"links\"><caption>Links</caption>"
        out += "<tr><th>link<th>clicks<th>persons<th>valid sessions"
        for id in sorted {
            let t = tally.links[id] ?? ScopeTally()
            out += "<tr " + HTMLText.attribute("data-key", id) + "><th><a href=#" + (anchors[id] ?? "") + ">"
            out += HTMLText.escape(id) + "</a>"
            cell(&out, "clicks", t.clicks)
            cell(&out, "persons", t.persons)
            cell(&out, "valid_sessions", t.validSessions)
        }
        out += "</table></div>"
    }

    /// A table of one figure; `body` is called with a function that writes one row (key, label, values).
    private func table(
        _ out: inout Output, _ figure: String, _ caption: String, _ columns: [String], keyHeading: String,
        _ body: ((String, String, [Int]) -> Void) -> Void
    ) {
        out += "<div class=\"t\"><table data-figure=\"" + figure + "\"><caption>" + caption + "</caption><tr><th>"
        out += keyHeading
        for column in columns { out += "<th>" + column }
        var any = false
        body { key, label, values in
            any = true
            out += "<tr " + HTMLText.attribute("data-key", key) + "><th>" + HTMLText.escape(label)
            for (column, value) in zip(columns, values) { cell(&out, column, value) }
        }
        if !any { out += "<tr><td class=\"none\" colspan=\"\(columns.count + 1)\">none" }
        out += "</table></div>"
    }

    private func cell(_ out: inout Output, _ column: String, _ value: Int) {
        out += "<td data-col=" + column + " data-value=\(value)>" + HTMLText.grouped(value)
    }

    // MARK: - Charts

    /// Clicks per bucket as bars, persons below and bots stacked on top, every bucket of the range drawn.
    private func barChart(_ out: inout Output, timeline: [Int64: ScopeTally.Counts], buckets: TimelineBuckets) {
        let starts = buckets.starts
        guard !starts.isEmpty else {
            out += "<p class=\"none\">No clicks in this selection.</p>"
            return
        }
        let top = max(1, timeline.values.map(\.clicks).max() ?? 1)
        let width = starts.count * 10
        out += "<figure class=\"chart\"><svg viewBox=\"0 0 \(width) 100\" preserveAspectRatio=\"none\" role=\"img\" "
        out += "aria-label=\"clicks per \(buckets.size == .hour ? "hour" : "day")\">"
        for (index, start) in starts.enumerated() {
            guard let counts = timeline[start], counts.clicks > 0 else { continue }
            let total = max(1, counts.clicks * 100 / top)
            let persons = counts.persons * 100 / top
            let x = index * 10 + 1
            out += "<g><title>" + buckets.label(start) + ": \(counts.clicks) clicks, \(counts.persons) persons</title>"
            out += "<rect class=\"b\" x=\"\(x)\" y=\"\(100 - total)\" width=\"8\" height=\"\(total - persons)\"/>"
            if persons > 0 {
                out += "<rect class=\"p\" x=\"\(x)\" y=\"\(100 - persons)\" width=\"8\" height=\"\(persons)\"/>"
            }
            out += "</g>"
        }
        out += "</svg><figcaption><span>" + buckets.label(starts[0]) + "</span>"
        out += "<span><i class=\"kp\"></i>persons <i class=\"kb\"></i>bots · max \(HTMLText.grouped(top)) per "
        out += buckets.size == .hour ? "hour" : "day"
        out += "</span><span>" + buckets.label(starts[starts.count - 1]) + "</span></figcaption></figure>"
    }

    /// Persons against bots as one bar.
    private func split(_ out: inout Output, _ tally: ScopeTally) {
        guard tally.clicks > 0 else { return }
        let persons = tally.persons * 1000 / tally.clicks
        out += "<figure class=\"split\"><svg viewBox=\"0 0 1000 10\" preserveAspectRatio=\"none\" role=\"img\" "
        out += "aria-label=\"persons against bots\"><rect class=\"b\" width=\"1000\" height=\"10\"/>"
        out += "<rect class=\"p\" width=\"\(persons)\" height=\"10\"/></svg><figcaption>"
        out += HTMLText.percent(tally.persons, of: tally.clicks) + " persons, "
        out += HTMLText.percent(tally.botClicks, of: tally.clicks) + " bots</figcaption></figure>"
    }

    /// One link's clicks over the page's buckets as a small line.
    private func sparkline(
        _ out: inout Output, timeline: [Int64: ScopeTally.Counts], buckets: TimelineBuckets, clicks: Int
    ) {
        let starts = buckets.starts
        out += "<p class=\"sum\">"
        if starts.count > 1 {
            let top = max(1, timeline.values.map(\.clicks).max() ?? 1)
            out += "<svg class=\"spark\" viewBox=\"0 0 \(starts.count - 1) 20\" preserveAspectRatio=\"none\" "
            out += "aria-hidden=\"true\"><path d=\""
            for (index, start) in starts.enumerated() {
                let y = 20 - (timeline[start]?.clicks ?? 0) * 19 / top
                out += (index == 0 ? "M" : "L") + "\(index) \(y)"
            }
            out += "\"/></svg>"
        }
        out += HTMLText.grouped(clicks) + " clicks</p>"
    }

    static let style = """
        :root{--p:#2563a8;--b:#e3a33b;--line:#e4e7eb;--muted:#5b6470}\
        *{box-sizing:border-box}\
        body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1c232b;background:#fff;\
        margin:0 auto;max-width:78rem;padding:1rem}\
        h1{font-size:1.55rem;margin:.2rem 0}h2{font-size:1.25rem;margin:2rem 0 .6rem;padding-bottom:.2rem;\
        border-bottom:2px solid var(--line)}h3{font-size:1.05rem;margin:0;overflow-wrap:anywhere}\
        header p,footer,figcaption{color:var(--muted);font-size:.85rem}nav{margin:.5rem 0;overflow-wrap:anywhere}\
        a{color:var(--p)}\
        .grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(15rem,1fr));gap:.4rem 1.2rem;\
        align-items:start}\
        .t{overflow-x:auto;max-width:100%}.wide{grid-column:1/-1}\
        table{border-collapse:collapse;width:100%;font-variant-numeric:tabular-nums;font-size:.9rem}\
        caption{text-align:left;font-weight:600;padding:.5rem 0 .2rem}\
        th,td{padding:.15rem .4rem;border-bottom:1px solid var(--line);white-space:nowrap}\
        th{text-align:left;font-weight:normal;max-width:22rem;overflow:hidden;text-overflow:ellipsis}\
        tr:not([data-key])>th{font-weight:600;color:var(--muted)}td{text-align:right}td.none{text-align:left}\
        .chart svg{display:block;width:100%;height:9rem;background:#fafbfc;border-bottom:1px solid var(--line)}\
        figure{margin:.4rem 0}figcaption{display:flex;justify-content:space-between;gap:.5rem;flex-wrap:wrap}\
        .split svg{display:block;width:100%;height:.8rem}\
        .p{fill:var(--p)}.b{fill:var(--b)}.kp,.kb{display:inline-block;width:.7em;height:.7em;margin:0 .2em}\
        .kp{background:var(--p)}.kb{background:var(--b)}\
        .link{border-top:1px solid var(--line);padding:.6rem 0}.link .grid{grid-template-columns:\
        repeat(auto-fill,minmax(13rem,1fr))}.link caption{font-size:.85rem}\
        .sum{margin:.2rem 0;display:flex;align-items:center;gap:.6rem;color:var(--muted)}\
        .spark{width:9rem;height:1.4rem;fill:none;stroke:var(--p);stroke-width:1.5;vector-effect:non-scaling-stroke}\
        @media (max-width:40rem){body{padding:.6rem;font-size:14px}.grid,.link .grid{grid-template-columns:1fr}\
        .chart svg{height:7rem}}\
        @media print{body{max-width:none;padding:0;font-size:9.5pt;color:#000}nav{display:none}\
        a{color:inherit;text-decoration:none}.t{overflow:visible}th{max-width:none}\
        section{break-inside:auto}table,figure,h2,h3{break-inside:avoid}h2,h3{break-after:avoid}\
        .chart svg,.split svg{-webkit-print-color-adjust:exact;print-color-adjust:exact}}
        """
}

/// The page being written: text appended as UTF-8 bytes.
struct Output {
    var bytes: [UInt8] = []

    init() {
        bytes.reserveCapacity(1 << 16)
    }

    static func += (out: inout Output, text: String) {
        out.bytes.append(contentsOf: text.utf8)
    }
}
