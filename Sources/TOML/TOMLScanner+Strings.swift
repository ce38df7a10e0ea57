/// TOML's four kinds of string.
extension TOMLScanner {
    private static let quote = UInt8(ascii: "\"")
    private static let apostrophe = UInt8(ascii: "'")
    private static let backslash = UInt8(ascii: "\\")

    private func text(_ range: Range<Int>) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)
    }

    /// `"…"` with escapes, on one line.
    mutating func basicString() throws(TOMLError) -> String {
        let open = position(at: i)
        i += 1
        let start = i
        // Most strings have no escape: take them as they are.
        if let plain = plainText(from: start, closedBy: Self.quote, alsoStop: Self.backslash) { return plain }
        var buffer = Array(UnsafeBufferPointer(rebasing: bytes[start..<i]))
        while i < count {
            let b = bytes[i]
            switch b {
            case Self.quote:
                i += 1
                return String(decoding: buffer, as: UTF8.self)
            case Self.backslash:
                try escape(into: &buffer)
            case 0x0A, 0x0D:
                throw fail(
                    "unterminated string: missing the closing \" of the string at \(open) before the end of the line "
                        + "(a string of several lines is written between \"\"\")")
            default: try appendPlain(b, to: &buffer)
            }
        }
        throw fail("unterminated string: missing the closing \" of the string at \(open)")
    }

    /// `'…'`: no escapes, on one line.
    mutating func literalString() throws(TOMLError) -> String {
        let open = position(at: i)
        i += 1
        if let plain = plainText(from: i, closedBy: Self.apostrophe, alsoStop: Self.apostrophe) { return plain }
        if i < count {
            let b = bytes[i]
            if b == 0x0A || b == 0x0D {
                throw fail(
                    "unterminated string: missing the closing ' of the string at \(open) before the end of the line "
                        + "(a string of several lines is written between ''')")
            }
            throw controlCharacter(b, inside: "a string")
        }
        throw fail("unterminated string: missing the closing ' of the string at \(open)")
    }

    /// A byte of a basic string that stands for itself: appended to `buffer`; a control character is refused.
    @inline(__always)
    private mutating func appendPlain(_ b: UInt8, to buffer: inout [UInt8]) throws(TOMLError) {
        if Self.isControl(b) { throw controlCharacter(b, inside: "a string", escapable: true) }
        buffer.append(b)
        i += 1
    }

    /// A one-line string from `start` (at `i`) when it closes with `delimiter` before any `alsoStop` byte or
    /// control character: its text, with `i` past the delimiter. Otherwise nil, with `i` at the byte that stopped
    /// it (or at the end of the file).
    @inline(__always)
    private mutating func plainText(from start: Int, closedBy delimiter: UInt8, alsoStop: UInt8) -> String? {
        while i < count {
            i = firstSpecial(from: i, stop: delimiter, alsoStop: alsoStop)
            guard i < count else { return nil }
            let b = bytes[i]
            if b == delimiter {
                i += 1
                return text(start..<(i - 1))
            }
            if b == alsoStop || Self.isControl(b) { return nil }
            i += 1
        }
        return nil
    }

    /// A backslash escape in a basic string, appended to `buffer` as UTF-8.
    mutating func escape(into buffer: inout [UInt8]) throws(TOMLError) {
        let start = i
        i += 1
        guard i < count else { throw fail("unterminated string: a \\ at the end of the file") }
        let b = bytes[i]
        switch b {
        case UInt8(ascii: "b"): buffer.append(0x08)
        case UInt8(ascii: "t"): buffer.append(0x09)
        case UInt8(ascii: "n"): buffer.append(0x0A)
        case UInt8(ascii: "f"): buffer.append(0x0C)
        case UInt8(ascii: "r"): buffer.append(0x0D)
        case Self.quote: buffer.append(Self.quote)
        case Self.backslash: buffer.append(Self.backslash)
        case UInt8(ascii: "u"), UInt8(ascii: "U"):
            let digits = b == UInt8(ascii: "u") ? 4 : 8
            var value: UInt32 = 0
            for k in 1...digits {
                guard i + k < count, let digit = Self.hexValue(bytes[i + k]) else {
                    throw fail(
                        "\\\(Character(Unicode.Scalar(b))) must be followed by \(digits) hexadecimal digits, found "
                            + found(at: i + k), at: start)
                }
                value = value << 4 | UInt32(digit)
            }
            guard let scalar = Unicode.Scalar(value) else {
                throw fail(
                    "\(text(start..<(i + digits + 1))) is not a Unicode scalar value (surrogates and values above "
                        + "10FFFF have no character)", at: start)
            }
            Unicode.UTF8.encode(scalar) { buffer.append($0) }
            i += digits
        default:
            throw fail(
                "unknown escape \\\(found().trimmingQuotes); a string knows \\b \\t \\n \\f \\r \\\" \\\\ \\uXXXX "
                    + "and \\UXXXXXXXX (write \\\\ for a backslash)", at: start)
        }
        i += 1
    }

    static func hexValue(_ b: UInt8) -> UInt8? {
        switch b {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return b - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return b - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return b - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    /// After the opening `"""` or `'''`: a line end right there is not part of the string.
    private mutating func skipFirstNewline() {
        if i < count && bytes[i] == 0x0A {
            i += 1
            startLine(at: i)
        } else if i + 1 < count && bytes[i] == 0x0D && bytes[i + 1] == 0x0A {
            i += 2
            startLine(at: i)
        }
    }

    /// At a run of `delimiter`s inside a multi-line string: the number of them that belong to the string
    /// when the run closes it (0 to 2), or nil when it does not close it.
    private mutating func closingRun(of delimiter: UInt8, open: TOMLPosition) throws(TOMLError) -> Int? {
        var run = 0
        while i + run < count && bytes[i + run] == delimiter { run += 1 }
        guard run >= 3 else { return nil }
        guard run <= 5 else {
            throw fail(
                "too many \(Character(Unicode.Scalar(delimiter))) in a row: a multi-line string (opened at "
                    + "\(open)) ends at three, and at most two more may stand before them", at: i + 5)
        }
        return run - 3
    }

    /// `"""…"""`: escapes, line ends, and a backslash at a line end that joins it with the next text.
    mutating func multilineBasicString() throws(TOMLError) -> String {
        let open = position(at: i)
        i += 3
        skipFirstNewline()
        var buffer: [UInt8] = []
        while i < count {
            let b = bytes[i]
            switch b {
            case Self.quote:
                if let extra = try closingRun(of: Self.quote, open: open) {
                    buffer.append(contentsOf: repeatElement(Self.quote, count: extra))
                    i += extra + 3
                    return String(decoding: buffer, as: UTF8.self)
                }
                buffer.append(b)
                i += 1
            case Self.backslash:
                var k = i + 1
                while k < count && (bytes[k] == 0x20 || bytes[k] == 0x09) { k += 1 }
                if k < count && (bytes[k] == 0x0A || bytes[k] == 0x0D) {
                    // A line-ending backslash: drop it and every blank and line end after it.
                    i = k
                    joining: while i < count {
                        switch bytes[i] {
                        case 0x20, 0x09: i += 1
                        case 0x0A, 0x0D: try lineEnd()
                        default: break joining
                        }
                    }
                } else {
                    try escape(into: &buffer)
                }
            case 0x0A, 0x0D:
                // CR LF in the document is a line end: the string holds LF, whatever the file's line ends.
                buffer.append(0x0A)
                try lineEnd()
            default: try appendPlain(b, to: &buffer)
            }
        }
        throw fail("unterminated multi-line string: missing the closing \"\"\" of the string at \(open)")
    }

    /// `'''…'''`: no escapes, line ends kept.
    mutating func multilineLiteralString() throws(TOMLError) -> String {
        let open = position(at: i)
        i += 3
        skipFirstNewline()
        let start = i
        while i < count {
            let b = bytes[i]
            switch b {
            case Self.apostrophe:
                if let extra = try closingRun(of: Self.apostrophe, open: open) {
                    let end = i + extra
                    i = end + 3
                    let content = UnsafeBufferPointer(rebasing: bytes[start..<end])
                    // CR LF line ends become LF, as in a basic string (a lone CR was refused above).
                    guard content.contains(0x0D) else { return text(start..<end) }
                    return String(decoding: content.filter { $0 != 0x0D }, as: UTF8.self)
                }
                i += 1
            case 0x0A, 0x0D: try lineEnd()
            default:
                if Self.isControl(b) { throw controlCharacter(b, inside: "a string") }
                i += 1
            }
        }
        throw fail("unterminated multi-line string: missing the closing ''' of the string at \(open)")
    }
}

extension String {
    /// `'x'` → `x`, for messages that quote differently.
    fileprivate var trimmingQuotes: Substring {
        hasPrefix("'") && hasSuffix("'") && count >= 2 ? dropFirst().dropLast() : Substring(self)
    }
}
