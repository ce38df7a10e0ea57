/// The host a `Referer` header names, the way the report groups referrers.
///
/// The authority after `scheme://` up to the first `/`, `?` or `#`, without user information and port, in lower
/// case. The ClickHouse source cuts the same authority in SQL (``ReferrerHost/authorityPattern``) and finishes
/// it here, so both sources group alike.
public enum ReferrerHost {
    /// The regular expression (RE2) whose first group is the authority of a URL: what `extract()` is given.
    public static let authorityPattern = "^[A-Za-z][A-Za-z0-9+.-]*://([^/?#]*)"

    /// The host of `referer`; nil when it is empty or names none.
    public static func of(_ referer: String) -> String? {
        Array(referer.utf8).withUnsafeBufferPointer { of(bytes: $0) }
    }

    /// The host of a referer given as UTF-8 bytes.
    public static func of(bytes: UnsafeBufferPointer<UInt8>) -> String? {
        guard let first = bytes.first, isLetter(first) else { return nil }
        var i = 1
        while i < bytes.count, isSchemeByte(bytes[i]) { i += 1 }
        guard i + 3 <= bytes.count, bytes[i] == UInt8(ascii: ":"), bytes[i + 1] == UInt8(ascii: "/"),
            bytes[i + 2] == UInt8(ascii: "/")
        else { return nil }
        var end = i + 3
        while end < bytes.count, bytes[end] != UInt8(ascii: "/"), bytes[end] != UInt8(ascii: "?"),
            bytes[end] != UInt8(ascii: "#")
        {
            end += 1
        }
        return host(authority: UnsafeBufferPointer(rebasing: bytes[(i + 3)..<end]))
    }

    /// The host of an authority (`user@Host:8080`); nil when it is empty.
    public static func of(authority: String) -> String? {
        Array(authority.utf8).withUnsafeBufferPointer { host(authority: $0) }
    }

    static func host(authority: UnsafeBufferPointer<UInt8>) -> String? {
        var part = authority[...]
        if let at = part.lastIndex(of: UInt8(ascii: "@")) { part = part[(at + 1)...] }
        if part.first == UInt8(ascii: "[") {
            if let close = part.firstIndex(of: UInt8(ascii: "]")) { part = part[...close] }
        } else if let colon = part.firstIndex(of: UInt8(ascii: ":")) {
            part = part[..<colon]
        }
        guard !part.isEmpty else { return nil }
        guard part.contains(where: { $0 >= 0x41 && $0 <= 0x5A }) else { return String(decoding: part, as: UTF8.self) }
        return String(decoding: part.map { $0 >= 0x41 && $0 <= 0x5A ? $0 + 0x20 : $0 }, as: UTF8.self)
    }

    private static func isLetter(_ b: UInt8) -> Bool { (b | 0x20) >= 0x61 && (b | 0x20) <= 0x7A }

    private static func isSchemeByte(_ b: UInt8) -> Bool {
        isLetter(b) || (b >= 0x30 && b <= 0x39) || b == UInt8(ascii: "+") || b == UInt8(ascii: ".")
            || b == UInt8(ascii: "-")
    }
}
