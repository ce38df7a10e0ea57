/// A strict RFC 8259 parser, written independently of the code under test, so that the fuzzers can check
/// that every line the responder writes is valid JSON and gives back the strings that went in.
///
/// Strings are returned as their decoded UTF-8 bytes. Lone surrogate escapes, invalid or overlong UTF-8,
/// raw control characters and anything after the value are errors.
indirect enum ParsedJSON: Equatable {
    case null
    case bool(Bool)
    /// The number exactly as written (already checked against the JSON grammar).
    case number(String)
    case string([UInt8])
    case array([ParsedJSON])
    case object([Member])

    struct Member: Equatable {
        var key: [UInt8]
        var value: ParsedJSON
    }

    /// The value of the member `key` (the first, if written twice).
    subscript(key: String) -> ParsedJSON? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.key == Array(key.utf8) }?.value
    }

    var keys: [String] {
        guard case .object(let members) = self else { return [] }
        return members.map { String(decoding: $0.key, as: UTF8.self) }
    }
}

struct JSONSyntaxError: Error, CustomStringConvertible {
    var offset: Int
    var message: String
    var description: String { "invalid JSON at byte \(offset): \(message)" }
}

struct JSONChecker {
    private let bytes: [UInt8]
    private var i = 0
    private static let maxDepth = 512

    private init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// Parses a complete JSON text: one value, optionally surrounded by JSON whitespace.
    static func parse<C: Collection>(_ text: C) throws(JSONSyntaxError) -> ParsedJSON where C.Element == UInt8 {
        var checker = JSONChecker(Array(text))
        checker.skipWhitespace()
        let value = try checker.value(depth: 0)
        checker.skipWhitespace()
        guard checker.i == checker.bytes.count else { throw checker.fail("trailing bytes after the value") }
        return value
    }

    private func fail(_ message: String) -> JSONSyntaxError { JSONSyntaxError(offset: i, message: message) }

    private var peek: UInt8? { i < bytes.count ? bytes[i] : nil }

    private mutating func skipWhitespace() {
        while let b = peek, b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D { i += 1 }
    }

    private mutating func expect(_ literal: String) throws(JSONSyntaxError) {
        for b in literal.utf8 {
            guard peek == b else { throw fail("expected \(literal)") }
            i += 1
        }
    }

    private mutating func value(depth: Int) throws(JSONSyntaxError) -> ParsedJSON {
        guard depth < Self.maxDepth else { throw fail("nested too deeply") }
        guard let b = peek else { throw fail("unexpected end") }
        switch b {
        case UInt8(ascii: "n"): try expect("null"); return .null
        case UInt8(ascii: "t"): try expect("true"); return .bool(true)
        case UInt8(ascii: "f"): try expect("false"); return .bool(false)
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "["):
            i += 1
            skipWhitespace()
            var items: [ParsedJSON] = []
            if peek == UInt8(ascii: "]") { i += 1; return .array(items) }
            while true {
                skipWhitespace()
                items.append(try value(depth: depth + 1))
                skipWhitespace()
                if peek == UInt8(ascii: ",") { i += 1; continue }
                if peek == UInt8(ascii: "]") { i += 1; return .array(items) }
                throw fail("expected , or ]")
            }
        case UInt8(ascii: "{"):
            i += 1
            skipWhitespace()
            var members: [ParsedJSON.Member] = []
            if peek == UInt8(ascii: "}") { i += 1; return .object(members) }
            while true {
                skipWhitespace()
                guard peek == UInt8(ascii: "\"") else { throw fail("expected a key") }
                let key = try string()
                skipWhitespace()
                guard peek == UInt8(ascii: ":") else { throw fail("expected :") }
                i += 1
                skipWhitespace()
                members.append(.init(key: key, value: try value(depth: depth + 1)))
                skipWhitespace()
                if peek == UInt8(ascii: ",") { i += 1; continue }
                if peek == UInt8(ascii: "}") { i += 1; return .object(members) }
                throw fail("expected , or }")
            }
        default:
            return .number(try number())
        }
    }

    private static func isDigit(_ b: UInt8?) -> Bool { b.map { $0 >= 0x30 && $0 <= 0x39 } ?? false }

    private mutating func number() throws(JSONSyntaxError) -> String {
        let start = i
        if peek == UInt8(ascii: "-") { i += 1 }
        if peek == UInt8(ascii: "0") {
            i += 1
        } else if let b = peek, b >= 0x31 && b <= 0x39 {
            while Self.isDigit(peek) { i += 1 }
        } else {
            throw fail("expected a value")
        }
        if peek == UInt8(ascii: ".") {
            i += 1
            guard Self.isDigit(peek) else { throw fail("expected a digit after .") }
            while Self.isDigit(peek) { i += 1 }
        }
        if peek == UInt8(ascii: "e") || peek == UInt8(ascii: "E") {
            i += 1
            if peek == UInt8(ascii: "+") || peek == UInt8(ascii: "-") { i += 1 }
            guard Self.isDigit(peek) else { throw fail("expected a digit in the exponent") }
            while Self.isDigit(peek) { i += 1 }
        }
        return String(decoding: bytes[start..<i], as: UTF8.self)
    }

    private mutating func hex4() throws(JSONSyntaxError) -> UInt32 {
        var v: UInt32 = 0
        for _ in 0..<4 {
            guard let b = peek else { throw fail("short \\u escape") }
            let d: UInt32
            switch b {
            case 0x30...0x39: d = UInt32(b - 0x30)
            case 0x61...0x66: d = UInt32(b - 0x61 + 10)
            case 0x41...0x46: d = UInt32(b - 0x41 + 10)
            default: throw fail("bad hex digit in \\u escape")
            }
            v = v << 4 | d
            i += 1
        }
        return v
    }

    private static func appendUTF8(_ scalar: UInt32, to out: inout [UInt8]) {
        switch scalar {
        case 0..<0x80: out.append(UInt8(scalar))
        case 0x80..<0x800:
            out += [UInt8(0xC0 | scalar >> 6), UInt8(0x80 | scalar & 0x3F)]
        case 0x800..<0x10000:
            out += [UInt8(0xE0 | scalar >> 12), UInt8(0x80 | scalar >> 6 & 0x3F), UInt8(0x80 | scalar & 0x3F)]
        default:
            out += [UInt8(0xF0 | scalar >> 18), UInt8(0x80 | scalar >> 12 & 0x3F), UInt8(0x80 | scalar >> 6 & 0x3F),
                    UInt8(0x80 | scalar & 0x3F)]
        }
    }

    /// A string literal starting at `"`; returns its decoded UTF-8 bytes.
    private mutating func string() throws(JSONSyntaxError) -> [UInt8] {
        i += 1
        var out: [UInt8] = []
        while true {
            guard let b = peek else { throw fail("unterminated string") }
            switch b {
            case UInt8(ascii: "\""):
                i += 1
                return out
            case 0x00..<0x20:
                throw fail("raw control character 0x\(String(b, radix: 16)) in a string")
            case UInt8(ascii: "\\"):
                i += 1
                guard let e = peek else { throw fail("unterminated escape") }
                i += 1
                switch e {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    var scalar = try hex4()
                    if (0xD800..<0xDC00).contains(scalar) {
                        guard peek == UInt8(ascii: "\\") else { throw fail("lone high surrogate") }
                        i += 1
                        guard peek == UInt8(ascii: "u") else { throw fail("lone high surrogate") }
                        i += 1
                        let low = try hex4()
                        guard (0xDC00..<0xE000).contains(low) else { throw fail("high surrogate without low") }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    } else if (0xDC00..<0xE000).contains(scalar) {
                        throw fail("lone low surrogate")
                    }
                    Self.appendUTF8(scalar, to: &out)
                default: throw fail("unknown escape \\\(Character(Unicode.Scalar(e)))")
                }
            case 0x80...0xFF:
                let length = try utf8Sequence()
                out += bytes[i..<(i + length)]
                i += length
            default:
                out.append(b)
                i += 1
            }
        }
    }

    /// Length of the well-formed UTF-8 sequence at `i` (Unicode Table 3-7), or an error.
    private func utf8Sequence() throws(JSONSyntaxError) -> Int {
        func at(_ k: Int) -> UInt8 { i + k < bytes.count ? bytes[i + k] : 0 }
        func cont(_ k: Int, _ range: ClosedRange<UInt8> = 0x80...0xBF) -> Bool { range.contains(at(k)) }
        let b0 = at(0)
        switch b0 {
        case 0xC2...0xDF where cont(1): return 2
        case 0xE0 where cont(1, 0xA0...0xBF) && cont(2): return 3
        case 0xE1...0xEC where cont(1) && cont(2): return 3
        case 0xED where cont(1, 0x80...0x9F) && cont(2): return 3
        case 0xEE...0xEF where cont(1) && cont(2): return 3
        case 0xF0 where cont(1, 0x90...0xBF) && cont(2) && cont(3): return 4
        case 0xF1...0xF3 where cont(1) && cont(2) && cont(3): return 4
        case 0xF4 where cont(1, 0x80...0x8F) && cont(2) && cont(3): return 4
        default: throw fail("invalid UTF-8 byte 0x\(String(b0, radix: 16))")
        }
    }
}
