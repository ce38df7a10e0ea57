/// Checks on redirect targets, made when a file is read so that no request can produce a bad `Location`.
public enum TargetURL {
    /// Why `url` cannot be a redirect target, or nil when it can.
    ///
    /// A target is an absolute `http` or `https` URL with a host, and no byte that could end a header line or
    /// be misread by a browser (control characters, spaces, backslashes).
    public static func problem(with url: String) -> String? {
        guard let (_, rest) = splitScheme(url) else {
            return "must be an absolute http or https URL, found \"\(url)\""
        }
        if url.utf8.count > TargetBuilder.maxLength {
            return "must be at most \(TargetBuilder.maxLength) bytes long (nginx cannot pass on a longer Location)"
        }
        for byte in url.utf8 where byte < 0x21 || byte == 0x7F || byte == UInt8(ascii: "\\") {
            return byte == UInt8(ascii: " ")
                ? "must not contain spaces (percent-encode them as %20)"
                : "must not contain control characters or backslashes"
        }
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        let host = authority.split(separator: "@", omittingEmptySubsequences: false).last ?? ""
        if host.isEmpty || host.hasPrefix(":") {
            return "must name a host, found \"\(url)\""
        }
        if host.contains("{") {
            return "must not take its host from a placeholder"
        }
        return nil
    }

    /// The scheme (lowercased) and what follows `://`, for `http` and `https` only.
    public static func splitScheme(_ url: String) -> (scheme: String, rest: Substring)? {
        for scheme in ["https", "http"] {
            let prefix = scheme + "://"
            if url.utf8.count > prefix.utf8.count, url.lowercased().hasPrefix(prefix) {
                return (scheme, url.dropFirst(prefix.count))
            }
        }
        return nil
    }
}
