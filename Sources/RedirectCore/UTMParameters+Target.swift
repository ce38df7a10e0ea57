/// Adding UTM parameters to a target URL, once, when its file is read.
extension UTMParameters {
    /// `url` with each parameter it does not already have appended to its query, ahead of any fragment.
    ///
    /// The URL's own query stays byte for byte (a parameter it names itself wins: `?utm_source=x` keeps `x`).
    /// Values are percent-encoded but for their placeholders, which each click fills in (percent-encoded too).
    public func added(to url: String) -> String {
        var base = Substring(url)
        var fragment: Substring = ""
        if let hash = base.firstIndex(of: "#") {
            fragment = base[hash...]
            base = base[..<hash]
        }
        var own: Set<String> = []
        var query: Substring = ""
        if let mark = base.firstIndex(of: "?") {
            query = base[base.index(after: mark)...]
            for part in query.split(separator: "&", omittingEmptySubsequences: true) {
                own.insert(PercentEncoding.decode(part.prefix { $0 != "=" }))
            }
        }
        var added = ""
        for (name, value) in parameters where !own.contains(name) {
            added += (added.isEmpty ? "" : "&") + name + "=" + Self.encode(value)
        }
        if added.isEmpty { return url }
        let separator = base.contains("?") ? (query.isEmpty || query.hasSuffix("&") ? "" : "&") : "?"
        return String(base) + separator + added + String(fragment)
    }

    /// `value` percent-encoded so that only unreserved characters stay literal, but for its known placeholders.
    static func encode(_ value: String) -> String {
        var out = ""
        var rest = Substring(value)
        while let open = rest.firstIndex(of: "{") {
            out += PercentEncoding.encode(String(rest[..<open]))
            let after = rest[rest.index(after: open)...]
            if let close = after.firstIndex(of: "}"), Placeholders.isKnown(after[..<close]) {
                out += rest[open...close]
                rest = after[after.index(after: close)...]
            } else {
                out += "%7B"
                rest = after
            }
        }
        return out + PercentEncoding.encode(String(rest))
    }
}
