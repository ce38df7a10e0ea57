/// Builds the `Location` of one click from a redirect's URL template.
public enum TargetBuilder {
    /// The target for `template`: placeholders filled in (percent-encoded) and, with `forwardQuery`, the
    /// incoming query merged into the target's, the incoming value winning on the same name.
    ///
    /// The scheme, host and port come from the template alone; if the result disagrees (it cannot, by
    /// construction; this is a last line of defence) the template is returned without substitutions.
    public static func build(template: String, values: PlaceholderValues, forwardQuery: Bool) -> String {
        var url = Placeholders.expand(template, values: values, transform: PercentEncoding.encode)
        if forwardQuery && !values.query.pairs.isEmpty {
            url = merge(query: values.query, into: url)
        }
        guard authority(of: url) == authority(of: template), TargetURL.problem(with: url) == nil else {
            return template
        }
        return url
    }

    /// `url` with `query` merged into its query string, ahead of any fragment.
    static func merge(query: QueryString, into url: String) -> String {
        var base = Substring(url)
        var fragment: Substring = ""
        if let hash = base.firstIndex(of: "#") {
            fragment = base[hash...]
            base = base[..<hash]
        }
        var existing = QueryString()
        if let mark = base.firstIndex(of: "?") {
            existing = QueryString(parsing: String(base[base.index(after: mark)...]))
            base = base[..<mark]
        }
        let incomingNames = Set(query.pairs.map(\.name))
        let merged = QueryString(pairs: existing.pairs.filter { !incomingNames.contains($0.name) } + query.pairs)
        return String(base) + "?" + merged.encoded + String(fragment)
    }

    /// `scheme://authority` of a URL, lowercased, for comparing origins.
    static func authority(of url: String) -> String? {
        guard let (scheme, rest) = TargetURL.splitScheme(url) else { return nil }
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        return scheme + "://" + authority.lowercased()
    }
}
