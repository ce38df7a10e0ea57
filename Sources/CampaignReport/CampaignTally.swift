/// The counts of a whole report, per link: what a source (spool or ClickHouse) produces and the page is drawn from.
///
/// Every click belongs to exactly one link (a click without a redirect id to ``ReportSelection/noRedirect``), so
/// the whole selection and each tag are merges of link tallies and each click is counted once.
public struct CampaignTally: Sendable, Equatable {
    /// Per redirect id.
    public var links: [String: ScopeTally] = [:]
    /// Lines read (events and lines that are none).
    public var linesRead = 0
    /// Lines that are no event (torn, not JSON, no id or time): skipped.
    public var skippedLines = 0

    public init() {}

    /// Counts `click` when `selection` includes it; returns whether it did.
    @discardableResult
    public mutating func add(_ click: ClickFacts, if selection: ReportSelection) -> Bool {
        guard selection.includes(time: click.time, redirect: click.redirect) else { return false }
        links[click.redirect ?? ReportSelection.noRedirect, default: ScopeTally()].add(click)
        return true
    }

    /// The whole selection.
    public var all: ScopeTally {
        var total = ScopeTally()
        for tally in links.values { total.merge(tally) }
        return total
    }

    /// The links of `tag`, given each link's tags.
    public func tag(_ tag: String, tagsByRedirect: [String: [String]]) -> ScopeTally {
        var total = ScopeTally()
        for (id, tally) in links where tagsByRedirect[id]?.contains(tag) == true { total.merge(tally) }
        return total
    }
}
