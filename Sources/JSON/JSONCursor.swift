/// A position in JSON text, and the steps every reader of it takes: whitespace, strings, numbers, literals and
/// the members and elements of containers.
///
/// The one JSON reader of the package. The spool reader walks a line with it to check that it is one object
/// and pick out a few strings, building nothing (`JSONLineScanner`); `JSONValue(parsing:)` builds values with
/// the same steps. Strict RFC 8259 syntax: no trailing commas, no bare control characters in strings, nesting
/// at most ``maximumDepth`` deep. UTF-8 is not re-validated: decoded text repairs it, and a torn multi-byte
/// character also leaves an unterminated string.
///
/// Every step is `@inlinable`: the line check runs in ClickSpool, once per line the importer reads, and calls
/// across the module boundary cost it a third more instructions a line (cachegrind, 600-byte click lines).
public struct JSONCursor {
    /// How deep containers may nest (the outermost one is 1); deeper text is refused, so that a hostile
    /// line cannot exhaust the stack.
    public static let maximumDepth = 64

    public let bytes: UnsafeBufferPointer<UInt8>
    /// The next byte to read.
    public var index = 0

    @inlinable public init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    /// The text between a string's quotes, and whether it holds escapes.
    public struct StringToken {
        public var range: Range<Int>
        public var escaped: Bool

        @inlinable init(range: Range<Int>, escaped: Bool) {
            self.range = range
            self.escaped = escaped
        }
    }

    /// A number's text, and whether it is written as an integer (no fraction, no exponent).
    public struct NumberToken {
        public var range: Range<Int>
        public var integral: Bool

        @inlinable init(range: Range<Int>, integral: Bool) {
            self.range = range
            self.integral = integral
        }
    }

    @inlinable public func peek() -> UInt8? {
        index < bytes.count ? bytes[index] : nil
    }

    @inlinable public mutating func skipWhitespace() {
        while index < bytes.count {
            let b = bytes[index]
            guard b == 0x20 || b == 0x09 || b == 0x0D || b == 0x0A else { return }
            index += 1
        }
    }

    /// Whether only whitespace is left.
    @inlinable public mutating func isAtEnd() -> Bool {
        skipWhitespace()
        return index == bytes.count
    }

    /// Consumes the members of the object whose `{` is at `index`, at nesting `depth` (1 for the outermost).
    ///
    /// `member` gets each key and must consume its value (whitespace before the value is skipped); it returns
    /// false to give up. False when the object is malformed, too deep, or `member` gave up.
    @inlinable public mutating func members(depth: Int, _ member: (inout JSONCursor, StringToken) -> Bool) -> Bool {
        guard depth <= Self.maximumDepth, peek() == UInt8(ascii: "{") else { return false }
        return sequence(closing: UInt8(ascii: "}")) { cursor in
            guard let key = cursor.string() else { return false }
            cursor.skipWhitespace()
            guard cursor.peek() == UInt8(ascii: ":") else { return false }
            cursor.index += 1
            cursor.skipWhitespace()
            return member(&cursor, key)
        }
    }

    /// Consumes the elements of the array whose `[` is at `index`, at nesting `depth`; `element` must consume
    /// each one (whitespace before it is skipped).
    @inlinable public mutating func elements(depth: Int, _ element: (inout JSONCursor) -> Bool) -> Bool {
        guard depth <= Self.maximumDepth, peek() == UInt8(ascii: "[") else { return false }
        return sequence(closing: UInt8(ascii: "]"), element)
    }

    /// The comma-separated items between the opening byte at `index` and `closing`.
    @inlinable mutating func sequence(closing: UInt8, _ item: (inout JSONCursor) -> Bool) -> Bool {
        index += 1
        skipWhitespace()
        if peek() == closing {
            index += 1
            return true
        }
        while true {
            skipWhitespace()
            guard item(&self) else { return false }
            skipWhitespace()
            guard let separator = peek() else { return false }
            index += 1
            if separator == closing { return true }
            guard separator == UInt8(ascii: ",") else { return false }
        }
    }

    /// Consumes one value of any kind, building nothing. `depth` is that of the container holding it.
    @inlinable public mutating func skipValue(depth: Int) -> Bool {
        guard let b = peek() else { return false }
        switch b {
        case UInt8(ascii: "\""): return string() != nil
        case UInt8(ascii: "{"): return members(depth: depth + 1) { cursor, _ in cursor.skipValue(depth: depth + 1) }
        case UInt8(ascii: "["): return elements(depth: depth + 1) { $0.skipValue(depth: depth + 1) }
        case UInt8(ascii: "t"): return literal("true")
        case UInt8(ascii: "f"): return literal("false")
        case UInt8(ascii: "n"): return literal("null")
        default: return number() != nil
        }
    }

    /// Consumes a string at `index` (its opening quote), checking every escape; nil when it is malformed.
    ///
    /// Plain bytes are skipped eight at a time: most of a click line is the text of a few long strings (user
    /// agent, target, referer).
    @inlinable public mutating func string() -> StringToken? {
        guard peek() == UInt8(ascii: "\""), let base = bytes.baseAddress else { return nil }
        index += 1
        let first = index
        let count = bytes.count
        var escaped = false
        while true {
            while index + 8 <= count {
                let word = UInt64(littleEndian: UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self))
                let special = Self.specialBytes(word)
                if special != 0 {
                    index += special.trailingZeroBitCount >> 3  // straight to the first special byte
                    break
                }
                index += 8
            }
            guard index < count else { return nil }
            let b = base[index]
            if b == UInt8(ascii: "\"") {
                index += 1
                return StringToken(range: first..<(index - 1), escaped: escaped)
            }
            if b < 0x20 { return nil }
            if b == UInt8(ascii: "\\") {
                escaped = true
                index += 1
                guard index < count else { return nil }
                switch base[index] {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"),
                    UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    break
                case UInt8(ascii: "u"):
                    guard index + 4 < count, hex4(at: index + 1) != nil else { return nil }
                    index += 4
                default:
                    return nil
                }
            }
            index += 1
        }
    }

    /// Consumes a number at `index`; nil when it is malformed (a leading zero, a bare `-`, `1.`, `1e`).
    @inlinable public mutating func number() -> NumberToken? {
        let first = index
        var integral = true
        if peek() == UInt8(ascii: "-") { index += 1 }
        guard let lead = peek(), Self.isDigit(lead) else { return nil }
        index += 1
        if lead != UInt8(ascii: "0") { skipDigits() }
        if peek() == UInt8(ascii: ".") {
            integral = false
            index += 1
            guard let b = peek(), Self.isDigit(b) else { return nil }
            skipDigits()
        }
        if let e = peek(), e == UInt8(ascii: "e") || e == UInt8(ascii: "E") {
            integral = false
            index += 1
            if let sign = peek(), sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") { index += 1 }
            guard let b = peek(), Self.isDigit(b) else { return nil }
            skipDigits()
        }
        return NumberToken(range: first..<index, integral: integral)
    }

    /// Consumes `word` (`true`, `false`, `null`) if it is at `index`.
    @inlinable public mutating func literal(_ word: StaticString) -> Bool {
        guard matches(word, at: index) else { return false }
        index += word.utf8CodeUnitCount
        return true
    }

    /// Whether a string without escapes is exactly `literal`: how keys are looked for.
    @inlinable public func isPlain(_ token: StringToken, _ literal: StaticString) -> Bool {
        !token.escaped && token.range.count == literal.utf8CodeUnitCount && matches(literal, at: token.range.lowerBound)
    }

    /// The text of a string the cursor has consumed, escapes resolved. A lone surrogate becomes U+FFFD.
    @inlinable public func text(of token: StringToken) -> String {
        let raw = UnsafeBufferPointer(rebasing: bytes[token.range])
        guard token.escaped else { return String(decoding: raw, as: UTF8.self) }
        var utf8: [UInt8] = []
        utf8.reserveCapacity(raw.count)
        var i = token.range.lowerBound
        let end = token.range.upperBound
        while i < end {
            let b = bytes[i]
            guard b == UInt8(ascii: "\\"), i + 1 < end else {
                utf8.append(b)
                i += 1
                continue
            }
            let e = bytes[i + 1]
            i += 2
            switch e {
            case UInt8(ascii: "b"): utf8.append(0x08)
            case UInt8(ascii: "f"): utf8.append(0x0C)
            case UInt8(ascii: "n"): utf8.append(0x0A)
            case UInt8(ascii: "r"): utf8.append(0x0D)
            case UInt8(ascii: "t"): utf8.append(0x09)
            case UInt8(ascii: "u"):
                guard i + 4 <= end, var code = hex4(at: i) else { break }
                i += 4
                if (0xD800..<0xDC00).contains(code), i + 6 <= end, bytes[i] == UInt8(ascii: "\\"),
                    bytes[i + 1] == UInt8(ascii: "u"), let low = hex4(at: i + 2), (0xDC00..<0xE000).contains(low)
                {
                    code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    i += 6
                }
                utf8.append(contentsOf: String(Unicode.Scalar(code) ?? "\u{FFFD}").utf8)
            default: utf8.append(e)  // `"`, `\` and `/` stand for themselves
            }
        }
        return String(decoding: utf8, as: UTF8.self)
    }

    // MARK: - Bytes

    @inlinable mutating func skipDigits() {
        while let b = peek(), Self.isDigit(b) { index += 1 }
    }

    @inlinable static func isDigit(_ b: UInt8) -> Bool {
        b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9")
    }

    /// Whether `literal` stands at `position`.
    @inlinable func matches(_ literal: StaticString, at position: Int) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard position + count <= bytes.count else { return false }
        let word = literal.utf8Start
        for k in 0..<count where bytes[position + k] != word[k] { return false }
        return true
    }

    /// The value of the four hex digits at `position`, or nil.
    @inlinable func hex4(at position: Int) -> UInt32? {
        guard position + 4 <= bytes.count else { return nil }
        var value: UInt32 = 0
        for k in 0..<4 {
            let b = bytes[position + k]
            let digit: UInt8
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = b - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = b - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = b - UInt8(ascii: "A") + 10
            default: return nil
            }
            value = value << 4 | UInt32(digit)
        }
        return value
    }

    /// The high bit of each byte of `word` that is a quote, a backslash or a control character, read as
    /// little-endian (SWAR: the classic "has a zero byte" test `(x - 0x01…) & ~x & 0x80…` on `word ^ '"'` and
    /// `word ^ '\\'`, and its "has a byte below n" form for 0x20). Bytes of 0x80 and above never match. Borrows
    /// can flag bytes above a match, never below, so the lowest flag is always the first special byte.
    @inlinable @inline(__always) static func specialBytes(_ word: UInt64) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        let quote = word ^ (ones &* 0x22)
        let backslash = word ^ (ones &* 0x5C)
        let found = ((quote &- ones) & ~quote) | ((backslash &- ones) & ~backslash) | ((word &- ones &* 0x20) & ~word)
        return found & highs
    }
}
