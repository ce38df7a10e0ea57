/// A TOML 1.0 syntax check that runs before TOMLKit sees a file, because TOMLKit can abort the process.
///
/// TOMLKit's parser, toml++ 3.4, is compiled with its assertions on (SwiftPM defines no `NDEBUG`, in debug or
/// release), and some invalid documents fail an assertion instead of an error: `[\u{FFFD}]` (a table header
/// whose key starts with a character no key can start with) or `valid_from = 2026-03-01T` (a date-time cut
/// short). An `abort()` in the responder takes every request in flight with it, so no redirect file may reach
/// the parser with one of those. Found by `fuzz/run` (target `redirect-file`).
///
/// The check walks the whole document by the TOML 1.0 grammar. Errors in the places toml++ trips over (table
/// header keys, and numbers, booleans and dates, which it classifies by a pattern of characters) are
/// ``Failure/isHazard``: the caller reports them itself. Any other error is left to toml++, which reports it
/// safely and with its own wording.
struct TOMLSyntaxCheck {
    struct Failure: Error, Equatable {
        var line: Int
        var column: Int
        var message: String
        /// The document must not be handed to toml++.
        var isHazard: Bool

        func hazard(_ isHazard: Bool) -> Failure {
            Failure(line: line, column: column, message: message, isHazard: isHazard)
        }
    }

    /// Deeper nesting of arrays and inline tables than any redirect file needs; toml++'s own limit is 256.
    static let maxDepth = 64

    private let bytes: [UInt8]
    private var i = 0

    private init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// The first syntax error in `text`, or nil when it is valid TOML 1.0 syntax.
    static func firstError(in text: String) -> Failure? {
        var check = TOMLSyntaxCheck(Array(text.utf8))
        do {
            try check.document()
            return nil
        } catch {
            return error
        }
    }

    // MARK: Positions and failures

    private var peek: UInt8? { i < bytes.count ? bytes[i] : nil }
    private func peek(_ offset: Int) -> UInt8? { i + offset < bytes.count ? bytes[i + offset] : nil }
    private var atEnd: Bool { i >= bytes.count }

    private func fail(_ message: String, hazard: Bool = false) -> Failure {
        let position = min(i, bytes.count)
        var line = 1
        var lineStart = 0
        for k in 0..<position where bytes[k] == 0x0A {
            line += 1
            lineStart = k + 1
        }
        // Columns count characters, not bytes: skip UTF-8 continuation bytes.
        let column = bytes[lineStart..<position].filter { $0 & 0xC0 != 0x80 }.count + 1
        return Failure(line: line, column: column, message: message, isHazard: hazard)
    }

    /// What is at the current position, for messages.
    private var found: String {
        guard let b = peek else { return "the end of the file" }
        switch b {
        case 0x0A: return "a new line"
        case 0x0D: return "a carriage return"
        case 0x09: return "a tab"
        case 0x20: return "a space"
        case 0x00..<0x20, 0x7F: return "control character 0x" + String(b, radix: 16)
        default:
            var end = i + 1
            while end < bytes.count, bytes[end] & 0xC0 == 0x80 { end += 1 }
            return "'" + String(decoding: bytes[i..<end], as: UTF8.self) + "'"
        }
    }

    private static func isBareKey(_ b: UInt8) -> Bool {
        (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || (b >= 0x30 && b <= 0x39) || b == 0x2D || b == 0x5F
    }

    private static func isDigit(_ b: UInt8?) -> Bool { b.map { $0 >= 0x30 && $0 <= 0x39 } ?? false }

    private static func isHex(_ b: UInt8?) -> Bool {
        guard let b else { return false }
        return isDigit(b) || (b >= 0x41 && b <= 0x46) || (b >= 0x61 && b <= 0x66)
    }

    /// Control characters TOML allows nowhere outside a new line (tab is allowed).
    private static func isControl(_ b: UInt8) -> Bool { (b < 0x20 && b != 0x09) || b == 0x7F }

    // MARK: Document structure

    private mutating func document() throws(Failure) {
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { i = 3 }
        while true {
            whitespace()
            guard let b = peek else { return }
            switch b {
            case UInt8(ascii: "#"): try comment()
            case 0x0A, 0x0D: break
            case UInt8(ascii: "["): try tableHeader()
            default: try keyValue(depth: 0)
            }
            whitespace()
            if peek == UInt8(ascii: "#") { try comment() }
            if atEnd { return }
            try newline()
        }
    }

    private mutating func whitespace() {
        while let b = peek, b == 0x20 || b == 0x09 { i += 1 }
    }

    private mutating func newline() throws(Failure) {
        if peek == 0x0A {
            i += 1
        } else if peek == 0x0D && peek(1) == 0x0A {
            i += 2
        } else {
            throw fail("expected a new line, found \(found)")
        }
    }

    private mutating func comment() throws(Failure) {
        i += 1
        while let b = peek, b != 0x0A {
            if b == 0x0D && peek(1) == 0x0A { return }
            if Self.isControl(b) { throw fail("\(found) in a comment") }
            i += 1
        }
    }

    /// Whitespace, comments and new lines, as allowed between array elements.
    private mutating func whitespaceCommentsAndNewlines() throws(Failure) {
        while true {
            whitespace()
            if peek == UInt8(ascii: "#") { try comment() }
            guard peek == 0x0A || peek == 0x0D else { return }
            try newline()
        }
    }

    private mutating func tableHeader() throws(Failure) {
        i += 1
        let isArray = peek == UInt8(ascii: "[")
        if isArray { i += 1 }
        whitespace()
        if peek == UInt8(ascii: "]") || atEnd {
            // toml++ reports these itself.
            throw fail("expected a table name, found \(found)")
        }
        try key(hazard: true)
        whitespace()
        guard peek == UInt8(ascii: "]") else { throw fail("expected ']', found \(found)") }
        i += 1
        if isArray {
            guard peek == UInt8(ascii: "]") else { throw fail("expected ']]', found \(found)") }
            i += 1
        }
    }

    /// A simple or dotted key. In a table header, an error is a hazard.
    private mutating func key(hazard: Bool) throws(Failure) {
        try simpleKey(hazard: hazard)
        while true {
            let mark = i
            whitespace()
            guard peek == UInt8(ascii: ".") else {
                i = mark
                return
            }
            i += 1
            whitespace()
            try simpleKey(hazard: hazard)
        }
    }

    private mutating func simpleKey(hazard: Bool) throws(Failure) {
        switch peek {
        case UInt8(ascii: "\"")?:
            do { try basicString() } catch { throw error.hazard(hazard) }
        case UInt8(ascii: "'")?:
            do { try literalString() } catch { throw error.hazard(hazard) }
        case let b? where Self.isBareKey(b):
            while let b = peek, Self.isBareKey(b) { i += 1 }
        default:
            throw fail("expected a key (letters, digits, - and _, or a quoted string), found \(found)", hazard: hazard)
        }
    }

    private mutating func keyValue(depth: Int) throws(Failure) {
        try key(hazard: false)
        whitespace()
        guard peek == UInt8(ascii: "=") else { throw fail("expected '=' after the key, found \(found)") }
        i += 1
        whitespace()
        try value(depth: depth)
    }

    private mutating func value(depth: Int) throws(Failure) {
        guard depth < Self.maxDepth else { throw fail("values nested more than \(Self.maxDepth) deep", hazard: true) }
        switch peek {
        case UInt8(ascii: "\"")?:
            if peek(1) == UInt8(ascii: "\"") && peek(2) == UInt8(ascii: "\"") {
                try multilineString(quote: UInt8(ascii: "\""))
            } else {
                try basicString()
            }
        case UInt8(ascii: "'")?:
            if peek(1) == UInt8(ascii: "'") && peek(2) == UInt8(ascii: "'") {
                try multilineString(quote: UInt8(ascii: "'"))
            } else {
                try literalString()
            }
        case UInt8(ascii: "[")?: try array(depth: depth + 1)
        case UInt8(ascii: "{")?: try inlineTable(depth: depth + 1)
        default: try scalar()
        }
    }

    private mutating func array(depth: Int) throws(Failure) {
        i += 1
        while true {
            try whitespaceCommentsAndNewlines()
            if peek == UInt8(ascii: "]") {
                i += 1
                return
            }
            try value(depth: depth)
            try whitespaceCommentsAndNewlines()
            if peek == UInt8(ascii: ",") {
                i += 1
                continue
            }
            guard peek == UInt8(ascii: "]") else { throw fail("expected ',' or ']' in an array, found \(found)") }
            i += 1
            return
        }
    }

    private mutating func inlineTable(depth: Int) throws(Failure) {
        i += 1
        whitespace()
        if peek == UInt8(ascii: "}") {
            i += 1
            return
        }
        while true {
            try keyValue(depth: depth)
            whitespace()
            if peek == UInt8(ascii: ",") {
                i += 1
                whitespace()
                continue
            }
            guard peek == UInt8(ascii: "}") else {
                throw fail("expected ',' or '}' in an inline table, found \(found)")
            }
            i += 1
            return
        }
    }

    // MARK: Strings

    private mutating func escape() throws(Failure) {
        i += 1
        guard let b = peek else { throw fail("unfinished escape sequence") }
        switch b {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "b"), UInt8(ascii: "f"), UInt8(ascii: "n"),
            UInt8(ascii: "r"), UInt8(ascii: "t"):
            i += 1
        case UInt8(ascii: "u"), UInt8(ascii: "U"):
            let count = b == UInt8(ascii: "u") ? 4 : 8
            var scalar: UInt32 = 0
            for k in 1...count {
                guard let h = peek(k), Self.isHex(h) else {
                    i += k
                    let name = Character(Unicode.Scalar(b))
                    throw fail("expected \(count) hexadecimal digits after \\\(name), found \(found)")
                }
                scalar = scalar &* 16 &+ UInt32(Self.isDigit(h) ? h - 0x30 : (h | 0x20) - 0x61 + 10)
            }
            guard Unicode.Scalar(scalar) != nil else { throw fail("escape is not a Unicode scalar value") }
            i += count + 1
        default:
            throw fail("unknown escape sequence \\\(found)")
        }
    }

    private mutating func basicString() throws(Failure) {
        i += 1
        while let b = peek {
            switch b {
            case UInt8(ascii: "\""):
                i += 1
                return
            case UInt8(ascii: "\\"): try escape()
            case 0x0A, 0x0D: throw fail("a string must end on the line it starts (use \"\"\" for several lines)")
            default:
                if Self.isControl(b) { throw fail("\(found) in a string (escape it)") }
                i += 1
            }
        }
        throw fail("unterminated string")
    }

    private mutating func literalString() throws(Failure) {
        i += 1
        while let b = peek {
            switch b {
            case UInt8(ascii: "'"):
                i += 1
                return
            case 0x0A, 0x0D: throw fail("a string must end on the line it starts (use ''' for several lines)")
            default:
                if Self.isControl(b) { throw fail("\(found) in a string") }
                i += 1
            }
        }
        throw fail("unterminated string")
    }

    /// `"""…"""` or `'''…'''`: new lines allowed; up to two quotes may stand before the closing three.
    private mutating func multilineString(quote: UInt8) throws(Failure) {
        i += 3
        while let b = peek {
            if b == quote && peek(1) == quote && peek(2) == quote {
                var count = 3
                while peek(count) == quote { count += 1 }
                guard count <= 5 else {
                    i += 5
                    throw fail("too many quotes at the end of a multi-line string")
                }
                i += count
                return
            }
            switch b {
            case 0x0A: i += 1
            case 0x0D: try newline()
            case UInt8(ascii: "\\") where quote == UInt8(ascii: "\""):
                // A backslash at the end of a line joins it with the next.
                var k = 1
                while peek(k) == 0x20 || peek(k) == 0x09 { k += 1 }
                if peek(k) == 0x0A || (peek(k) == 0x0D && peek(k + 1) == 0x0A) {
                    i += k
                    while let c = peek, c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D {
                        if c == 0x0D { try newline() } else { i += 1 }
                    }
                } else {
                    try escape()
                }
            default:
                if Self.isControl(b) { throw fail("\(found) in a string") }
                i += 1
            }
        }
        throw fail("unterminated multi-line string")
    }

    // MARK: Numbers, booleans, dates and times

    /// A boolean, number, date or time. Errors here are hazards: toml++ classifies these values by the mix of
    /// characters they hold and asserts on some mixes it did not expect.
    private mutating func scalar() throws(Failure) {
        let start = i
        func isTokenByte(_ b: UInt8) -> Bool {
            Self.isBareKey(b) || b == UInt8(ascii: "+") || b == UInt8(ascii: ".") || b == UInt8(ascii: ":")
        }
        while let b = peek, isTokenByte(b) { i += 1 }
        guard i > start else { throw fail("expected a value, found \(found)", hazard: true) }
        // A date and a time may be separated by a space: `1979-05-27 07:32:00`.
        if Self.isFullDate(bytes[start..<i]), peek == 0x20, Self.isDigit(peek(1)), Self.isDigit(peek(2)),
            peek(3) == UInt8(ascii: ":")
        {
            i += 1
            while let b = peek, isTokenByte(b) { i += 1 }
        }
        let token = bytes[start..<i]
        guard Self.isValidScalar(token) else {
            let text = String(decoding: token, as: UTF8.self)
            i = start
            throw fail("\(text) is not a valid TOML value (a number, true, false, or a date-time such as "
                + "2026-12-01T00:00:00Z); strings need quotes", hazard: true)
        }
    }

    static func isValidScalar(_ token: ArraySlice<UInt8>) -> Bool {
        let text = String(decoding: token, as: UTF8.self)
        switch text {
        case "true", "false", "inf", "+inf", "-inf", "nan", "+nan", "-nan": return true
        default: break
        }
        return isInteger(token) || isFloat(token) || isDateTime(token)
    }

    /// `DIGIT *( DIGIT / "_" DIGIT )` from `k`; returns the index after it, or nil.
    private static func digits(_ t: ArraySlice<UInt8>, from k: Int, allow: (UInt8) -> Bool = { isDigit($0) }) -> Int? {
        guard k < t.endIndex, allow(t[k]) else { return nil }
        var j = k + 1
        while j < t.endIndex {
            if allow(t[j]) {
                j += 1
            } else if t[j] == UInt8(ascii: "_"), j + 1 < t.endIndex, allow(t[j + 1]) {
                j += 2
            } else {
                break
            }
        }
        return j
    }

    /// `[+-]? (0 | [1-9] *( DIGIT / "_" DIGIT ))` from `k`; returns the index after it, or nil.
    private static func decimalInteger(_ t: ArraySlice<UInt8>, from k: Int) -> Int? {
        var j = k
        if j < t.endIndex, t[j] == UInt8(ascii: "+") || t[j] == UInt8(ascii: "-") { j += 1 }
        guard j < t.endIndex, isDigit(t[j]) else { return nil }
        if t[j] == UInt8(ascii: "0") { return j + 1 }
        return digits(t, from: j)
    }

    static func isInteger(_ t: ArraySlice<UInt8>) -> Bool {
        let s = t.startIndex
        if t.count > 2, t[s] == UInt8(ascii: "0") {
            let radix = t[s + 1]
            let allow: ((UInt8) -> Bool)?
            switch radix {
            case UInt8(ascii: "x"): allow = { isHex($0) }
            case UInt8(ascii: "o"): allow = { $0 >= 0x30 && $0 <= 0x37 }
            case UInt8(ascii: "b"): allow = { $0 == 0x30 || $0 == 0x31 }
            default: allow = nil
            }
            if let allow { return digits(t, from: s + 2, allow: allow) == t.endIndex }
        }
        return decimalInteger(t, from: s) == t.endIndex
    }

    static func isFloat(_ t: ArraySlice<UInt8>) -> Bool {
        guard var j = decimalInteger(t, from: t.startIndex), j < t.endIndex else { return false }
        if t[j] == UInt8(ascii: ".") {
            guard let end = digits(t, from: j + 1) else { return false }
            j = end
            if j == t.endIndex { return true }
        }
        guard t[j] == UInt8(ascii: "e") || t[j] == UInt8(ascii: "E") else { return false }
        j += 1
        if j < t.endIndex, t[j] == UInt8(ascii: "+") || t[j] == UInt8(ascii: "-") { j += 1 }
        return digits(t, from: j) == t.endIndex
    }

    /// Exactly `n` digits at `k`.
    private static func fixedDigits(_ t: ArraySlice<UInt8>, _ k: Int, _ n: Int) -> Bool {
        k + n <= t.endIndex && t[k..<(k + n)].allSatisfy { isDigit($0) }
    }

    /// `YYYY-MM-DD`, exactly.
    static func isFullDate(_ t: ArraySlice<UInt8>) -> Bool {
        let s = t.startIndex
        return t.count == 10 && fixedDigits(t, s, 4) && t[s + 4] == UInt8(ascii: "-") && fixedDigits(t, s + 5, 2)
            && t[s + 7] == UInt8(ascii: "-") && fixedDigits(t, s + 8, 2)
    }

    /// `HH:MM:SS[.fraction]` from `k`; returns the index after it, or nil.
    private static func partialTime(_ t: ArraySlice<UInt8>, from k: Int) -> Int? {
        guard fixedDigits(t, k, 2), k + 2 < t.endIndex, t[k + 2] == UInt8(ascii: ":"), fixedDigits(t, k + 3, 2),
            k + 5 < t.endIndex, t[k + 5] == UInt8(ascii: ":"), fixedDigits(t, k + 6, 2)
        else { return nil }
        var j = k + 8
        if j < t.endIndex, t[j] == UInt8(ascii: ".") {
            j += 1
            guard j < t.endIndex, isDigit(t[j]) else { return nil }
            while j < t.endIndex, isDigit(t[j]) { j += 1 }
        }
        return j
    }

    static func isDateTime(_ t: ArraySlice<UInt8>) -> Bool {
        let s = t.startIndex
        if let end = partialTime(t, from: s), end == t.endIndex { return true }  // local time
        guard t.count >= 10, isFullDate(t[s..<(s + 10)]) else { return false }
        if t.count == 10 { return true }  // local date
        let delimiter = t[s + 10]
        guard delimiter == UInt8(ascii: "T") || delimiter == UInt8(ascii: "t") || delimiter == 0x20,
            var j = partialTime(t, from: s + 11)
        else { return false }
        if j == t.endIndex { return true }  // local date-time
        if t[j] == UInt8(ascii: "Z") || t[j] == UInt8(ascii: "z") { return j + 1 == t.endIndex }
        guard t[j] == UInt8(ascii: "+") || t[j] == UInt8(ascii: "-") else { return false }
        j += 1
        return j + 5 == t.endIndex && fixedDigits(t, j, 2) && t[j + 2] == UInt8(ascii: ":") && fixedDigits(t, j + 3, 2)
    }
}
