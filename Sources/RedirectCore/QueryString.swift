/// A parsed `application/x-www-form-urlencoded` query string.
public struct QueryString: Equatable, Sendable {
    /// Decoded name/value pairs in their original order.
    public var pairs: [(name: String, value: String)]

    public init(pairs: [(name: String, value: String)] = []) {
        self.pairs = pairs
    }

    /// Parses `a=1&b=2`; `+` is a space, `%XX` is decoded, malformed escapes are kept as written.
    public init(parsing raw: String) {
        // On the UTF-8 bytes: `&` and `=` are ASCII, and walking Characters cost more than the rest of a click.
        var pairs: [(name: String, value: String)] = []
        var raw = raw
        raw.withUTF8 { bytes in
            var start = 0
            while start <= bytes.count {
                var end = start
                while end < bytes.count && bytes[end] != UInt8(ascii: "&") { end += 1 }
                if end > start {
                    var eq = start
                    while eq < end && bytes[eq] != UInt8(ascii: "=") { eq += 1 }
                    let name = PercentEncoding.decode(UnsafeBufferPointer(rebasing: bytes[start..<eq]))
                    let value =
                        eq < end ? PercentEncoding.decode(UnsafeBufferPointer(rebasing: bytes[(eq + 1)..<end])) : ""
                    pairs.append((name, value))
                }
                start = end + 1
            }
        }
        self.pairs = pairs
    }

    public func first(named name: Substring) -> String? {
        pairs.first { $0.name == name }?.value
    }

    /// The query re-encoded so that only unreserved characters stay literal.
    public var encoded: String {
        pairs.map { PercentEncoding.encode($0.name) + "=" + PercentEncoding.encode($0.value) }.joined(separator: "&")
    }

    public static func == (lhs: QueryString, rhs: QueryString) -> Bool {
        lhs.pairs.count == rhs.pairs.count && zip(lhs.pairs, rhs.pairs).allSatisfy { $0 == $1 }
    }
}

/// Percent-encoding as URLs need it.
public enum PercentEncoding {
    private static let hex: [UInt8] = Array("0123456789ABCDEF".utf8)

    /// Encodes every byte but the unreserved ones, so the result can go anywhere in a URL.
    public static func encode(_ s: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(s.utf8.count)
        encode(s, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// ``encode(_:)``, appended to `out`.
    static func encode(_ s: String, into out: inout [UInt8]) {
        for byte in s.utf8 {
            if Identifiers.isUnreserved(byte) {
                out.append(byte)
            } else {
                out.append(UInt8(ascii: "%"))
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 0xF)])
            }
        }
    }

    /// Decodes `%XX` and `+`; invalid escapes stay literal and invalid UTF-8 becomes U+FFFD.
    public static func decode<S: StringProtocol>(_ s: S) -> String {
        let bytes = Array(s.utf8)
        return bytes.withUnsafeBufferPointer { decode($0) }
    }

    /// ``decode(_:)`` of bytes in place.
    static func decode(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            if b == UInt8(ascii: "+") {
                out.append(UInt8(ascii: " "))
            } else if b == UInt8(ascii: "%"), i + 2 < bytes.count, let hi = hexValue(bytes[i + 1]),
                let lo = hexValue(bytes[i + 2])
            {
                out.append(hi << 4 | lo)
                i += 2
            } else {
                out.append(b)
            }
            i += 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func hexValue(_ b: UInt8) -> UInt8? {
        switch b {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return b - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return b - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return b - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
