extension ClickVia {
    /// Takes every `_via` parameter out of `query` (parsed) and `raw` (its text as received), and returns the
    /// text without them and the first one's value; nil, and nothing changed, when the query has none.
    ///
    /// A value other than `qr` (a link someone edited, a code of a later version) is taken out all the same and
    /// recorded as no via: the reserved name never reaches a target, a rule or the event's query, and no value
    /// can fail a click. A name written percent-encoded (`%5Fvia`) is the same name, as everywhere else the
    /// query is read.
    package static func strip(_ query: inout QueryString, raw: String) -> (raw: String, via: ClickVia?)? {
        // Compared with the decoded names the click parsed anyway; a query without `_via` costs this loop only.
        guard query.pairs.contains(where: { $0.name.utf8.count == 4 && $0.name == parameter }) else { return nil }
        let via = query.pairs.first { $0.name == parameter }.flatMap { ClickVia(rawValue: $0.value) }
        query.pairs.removeAll { $0.name == parameter }
        let kept = raw.split(separator: "&", omittingEmptySubsequences: true).filter { part in
            let name = part.firstIndex(of: "=").map { part[..<$0] } ?? part
            return PercentEncoding.decode(name) != parameter
        }
        return (kept.joined(separator: "&"), via)
    }

    /// Whether a query parameter named `name` (decoded) is the reserved one: files may not use it.
    public static func isReserved(_ name: some StringProtocol) -> Bool { name == parameter }
}
