/// Checks on redirect targets, made when a file is read so that no request can produce a bad `Location`.
public enum TargetURL {
    /// Why `url` cannot be a redirect target, or nil when it can.
    ///
    /// A target is an absolute `http` or `https` URL with a host, no placeholder before the host ends (scheme,
    /// user name and password, host, port: nothing a click may choose), and no byte that could end a header
    /// line or be misread by a browser (control characters, spaces, backslashes).
    public static func problem(with url: String) -> String? {
        // On the bytes in place: every delimiter here is ASCII, and a file is checked on every cache miss.
        if let answer = url.utf8.withContiguousStorageIfAvailable({ problem(with: url, bytes: $0) }) { return answer }
        return Array(url.utf8).withUnsafeBufferPointer { problem(with: url, bytes: $0) }
    }

    private static func problem(with url: String, bytes: UnsafeBufferPointer<UInt8>) -> String? {
        guard let schemeLength = schemeLength(bytes) else {
            // `{query.s}://…` or a whole URL from one placeholder: say so rather than "not absolute".
            if bytes.prefix(while: { $0 != UInt8(ascii: ":") && $0 != UInt8(ascii: "/") }).contains(UInt8(ascii: "{")) {
                return "must not take its scheme from a placeholder: start it with https:// or http://"
            }
            return "must be an absolute http or https URL, found \"\(url)\""
        }
        if bytes.count > TargetBuilder.maxLength {
            return "must be at most \(TargetBuilder.maxLength) bytes long (nginx cannot pass on a longer Location)"
        }
        for byte in bytes where byte < 0x21 || byte == 0x7F || byte == UInt8(ascii: "\\") {
            return byte == UInt8(ascii: " ")
                ? "must not contain spaces (percent-encode them as %20)"
                : "must not contain control characters or backslashes"
        }
        var authorityEnd = schemeLength
        while authorityEnd < bytes.count {
            let b = bytes[authorityEnd]
            if b == UInt8(ascii: "/") || b == UInt8(ascii: "?") || b == UInt8(ascii: "#") { break }
            authorityEnd += 1
        }
        var hostStart = schemeLength
        for k in schemeLength..<authorityEnd where bytes[k] == UInt8(ascii: "@") { hostStart = k + 1 }
        if hostStart == authorityEnd || bytes[hostStart] == UInt8(ascii: ":") {
            return "must name a host, found \"\(url)\""
        }
        return placeholderProblem(
            bytes, userinfo: schemeLength..<max(schemeLength, hostStart - 1),
            hostAndPort: hostStart..<authorityEnd)
    }

    /// Why a `{` before the end of the host is refused, naming the part it is in; nil when there is none.
    ///
    /// A placeholder there could not be filled safely (a value could move the link to another host), so the
    /// builder would answer the template with its braces on every click: `check` refuses it instead.
    private static func placeholderProblem(
        _ bytes: UnsafeBufferPointer<UInt8>, userinfo: Range<Int>, hostAndPort: Range<Int>
    ) -> String? {
        let brace = UInt8(ascii: "{")
        if bytes[userinfo].contains(brace) {
            return "must not take its user name or password (before @) from a placeholder"
        }
        // The port starts at the first `:` after the host; an IPv6 host is bracketed and holds colons itself.
        var hostEnd = hostAndPort.lowerBound
        if bytes[hostEnd] == UInt8(ascii: "["),
            let close = bytes[hostAndPort].firstIndex(of: UInt8(ascii: "]"))
        {
            hostEnd = close + 1
        }
        hostEnd = bytes[hostEnd..<hostAndPort.upperBound].firstIndex(of: UInt8(ascii: ":")) ?? hostAndPort.upperBound
        if bytes[hostAndPort.lowerBound..<hostEnd].contains(brace) {
            return "must not take its host from a placeholder"
        }
        if bytes[hostEnd..<hostAndPort.upperBound].contains(brace) {
            return "must not take its port from a placeholder"
        }
        return nil
    }

    /// The length of `https://` or `http://` (any case) at the start of `bytes` when more follows, else nil.
    private static func schemeLength(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        // ASCII letters compare case-insensitively with their bit 0x20 set; `:` and `/` have it set already.
        func byte(_ k: Int) -> UInt8 { k < bytes.count ? bytes[k] | 0x20 : 0 }
        guard byte(0) == UInt8(ascii: "h"), byte(1) == UInt8(ascii: "t"), byte(2) == UInt8(ascii: "t"),
            byte(3) == UInt8(ascii: "p")
        else { return nil }
        let colon = byte(4) == UInt8(ascii: "s") ? 5 : 4
        guard bytes.count > colon + 3, bytes[colon] == UInt8(ascii: ":"), bytes[colon + 1] == UInt8(ascii: "/"),
            bytes[colon + 2] == UInt8(ascii: "/")
        else { return nil }
        return colon + 3
    }

    /// The scheme (lowercased) and what follows `://`, for `http` and `https` only.
    public static func splitScheme(_ url: String) -> (scheme: String, rest: Substring)? {
        for scheme in ["https", "http"] {
            let prefix = (scheme + "://").utf8
            let bytes = url.utf8
            // ASCII case-insensitive: `HTTPS://` is a scheme too. (Lowercasing the whole URL cost more than
            // the rest of reading a redirect file.)
            guard bytes.count > prefix.count,
                zip(bytes, prefix).allSatisfy({ a, b in a == b || (a >= 0x41 && a <= 0x5A && a | 0x20 == b) })
            else { continue }
            return (scheme, Substring(url.utf8.dropFirst(prefix.count)))
        }
        return nil
    }
}
