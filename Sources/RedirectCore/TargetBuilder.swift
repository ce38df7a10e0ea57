/// Builds the `Location` of one click from a redirect's URL template.
public enum TargetBuilder {
    /// The longest target built, in bytes.
    ///
    /// nginx reads the responder's whole header into one `fastcgi_buffer_size` buffer (4 KiB by default) and
    /// answers 502 when it does not fit: a 7 KiB query forwarded into the target broke the link (found by
    /// scripts/attack-battery). 3 KiB leaves room for the other header lines.
    public static let maxLength = 3072

    /// The target for `template`: placeholders filled in (percent-encoded) and, with `forwardQuery`, the
    /// incoming query merged into the target's: the file's own parameters win on the same name (`.merge`), or
    /// the visitor's do (`.override`). The template's own query goes out byte for byte.
    ///
    /// The scheme, host and port come from the template alone; if the result disagrees (it cannot, by
    /// construction; this is a last line of defence) the template is returned without substitutions.
    public static func build(template: String, values: PlaceholderValues, forwardQuery: ForwardQuery) -> String {
        var url = Placeholders.expand(template, values: values, transform: PercentEncoding.encode)
        if forwardQuery != .off && !values.query.pairs.isEmpty {
            // A forwarded query that would make the target too long is left out rather than break the link.
            let merged = merge(query: values.query, into: url, visitorWins: forwardQuery == .override)
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
    ///
    /// The URL's own parameters are kept as written (never decoded and encoded again, so `+`, `%20` and the
    /// file's order stay); on a name both have, the URL's parameter stays unless `visitorWins`, which drops it
    /// for the visitor's. The visitor's parameters are encoded so that only unreserved characters stay literal.
    static func merge(query: QueryString, into url: String, visitorWins: Bool) -> String {
        // On the UTF-8 bytes: every delimiter is ASCII, and walking Characters cost several times the rest of a
        // click (bench/profile, forward_query).
        var url = url
        return url.withUTF8 { bytes in
            let hash = bytes.firstIndex(of: UInt8(ascii: "#")) ?? bytes.count
            let mark = bytes[..<hash].firstIndex(of: UInt8(ascii: "?"))
            var own: [Range<Int>] = []
            if let mark {
                var start = mark + 1
                while start <= hash {
                    let end = bytes[start..<hash].firstIndex(of: UInt8(ascii: "&")) ?? hash
                    if end > start { own.append(start..<end) }
                    start = end + 1
                }
            }
            func name(_ part: Range<Int>) -> String {
                let end = bytes[part].firstIndex(of: UInt8(ascii: "=")) ?? part.upperBound
                return PercentEncoding.decode(UnsafeBufferPointer(rebasing: bytes[part.lowerBound..<end]))
            }
            var added = query.pairs
            if visitorWins {
                own.removeAll { part in
                    let own = name(part)
                    return query.pairs.contains { $0.name == own }
                }
            } else {
                let kept = own.map(name)
                added.removeAll { kept.contains($0.name) }
            }
            var out: [UInt8] = []
            out.reserveCapacity(bytes.count + 16 * added.count)
            out.append(contentsOf: bytes[..<(mark ?? hash)])
            var separator = UInt8(ascii: "?")
            for part in own {
                out.append(separator)
                out.append(contentsOf: bytes[part])
                separator = UInt8(ascii: "&")
            }
            for pair in added {
                out.append(separator)
                PercentEncoding.encode(pair.name, into: &out)
                out.append(UInt8(ascii: "="))
                PercentEncoding.encode(pair.value, into: &out)
                separator = UInt8(ascii: "&")
            }
            out.append(contentsOf: bytes[hash...])
            return String(decoding: out, as: UTF8.self)
        }
    }

    /// `scheme://authority` of a URL, lowercased, for comparing origins.
    static func authority(of url: String) -> String? {
        guard let (scheme, rest) = TargetURL.splitScheme(url) else { return nil }
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        return scheme + "://" + authority.lowercased()
    }
}
