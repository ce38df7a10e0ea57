/// Which clicks a report (and `redirectctl stats`) counts: a time window, redirect ids and tags.
///
/// Tags come from the redirect files (events carry none): a click is in the selection by tag when its redirect's
/// file lists one of the tags asked for. Empty sets select everything.
public struct ReportSelection: Sendable, Equatable {
    /// First millisecond counted (inclusive); nil: from the start.
    public var since: Int64?
    /// First millisecond no longer counted (exclusive); nil: to the end.
    public var until: Int64?
    /// Only these redirect ids (`--redirect`).
    public var redirects: Set<String>
    /// Only redirects with one of these tags (`--tag`).
    public var tags: Set<String>
    /// Each redirect's tags, from its file.
    public var tagsByRedirect: [String: [String]]

    public init(
        since: Int64? = nil, until: Int64? = nil, redirects: Set<String> = [], tags: Set<String> = [],
        tagsByRedirect: [String: [String]] = [:]
    ) {
        self.since = since
        self.until = until
        self.redirects = redirects
        self.tags = tags
        self.tagsByRedirect = tagsByRedirect
    }

    /// The key a click without a redirect id is counted under, as `redirectctl stats` shows it.
    public static let noRedirect = "(no id)"

    /// Whether a click at `time` (milliseconds) for `redirect` is counted.
    public func includes(time: Int64, redirect: String?) -> Bool {
        if let since, time < since { return false }
        if let until, time >= until { return false }
        return includes(redirect: redirect)
    }

    /// Whether clicks of `redirect` are counted at all, whatever their time.
    public func includes(redirect: String?) -> Bool {
        if !redirects.isEmpty {
            guard let redirect, redirects.contains(redirect) else { return false }
        }
        if !tags.isEmpty {
            guard let redirect, let own = tagsByRedirect[redirect], own.contains(where: tags.contains) else {
                return false
            }
        }
        return true
    }

    /// The redirect ids the tag and id filters leave, for a source that filters by id (ClickHouse); nil when
    /// neither filter is set.
    public var redirectIDs: Set<String>? {
        if redirects.isEmpty && tags.isEmpty { return nil }
        var ids = tags.isEmpty ? redirects : Set(tagsByRedirect.keys.filter { includes(redirect: $0) })
        if !redirects.isEmpty { ids.formIntersection(redirects) }
        return ids
    }
}

extension ReportSelection {
    /// A `--since`/`--until` value in milliseconds: `2026-12-01` (midnight UTC), `2026-12-01T08:00:00Z` or with
    /// milliseconds; nil for anything else.
    public static func time(parsing text: String) -> Int64? {
        let full = text.utf8.count == 10 ? text + "T00:00:00Z" : text
        return Array(full.utf8).withUnsafeBufferPointer { ClickFacts.milliseconds($0) }
    }
}
