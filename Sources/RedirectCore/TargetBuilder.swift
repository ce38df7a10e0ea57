/// Builds the `Location` of one click from a redirect's URL template.
public enum TargetBuilder {
    /// The longest target built, in bytes.
    ///
    /// nginx reads the responder's whole header into one `fastcgi_buffer_size` buffer (4 KiB by default) and
    /// answers 502 when it does not fit: a 7 KiB query forwarded into the target broke the link (found by
    /// scripts/attack-battery). 3 KiB leaves room for the other header lines.
    public static let maxLength = 3072

    /// The target for `template`: placeholders filled in (percent-encoded) and, with `forwardQuery`, the
    /// incoming query merged into the target's, the incoming value winning on the same name.
    ///
    /// The scheme, host and port come from the template alone; if the result disagrees (it cannot, by
    /// construction; this is a last line of defence) the template is returned without substitutions.
    public static func build(template: String, values: PlaceholderValues, forwardQuery: Bool) -> String {
        var url = Placeholders.expand(template, values: values, transform: PercentEncoding.encode)
        if forwardQuery && !values.query.pairs.isEmpty {
            // A forwarded query that would make the target too long is left out rather than break the link.
            let merged = merge(query: values.query, into: url)
            if merged.utf8.count <= maxLength { url = merged }
        }
        guard url.utf8.count <= maxLength, authority(of: url) == authority(of: template),
            TargetURL.problem(with: url) == nil
        else {
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
