/// The few pieces of JSON output the event line needs, written straight into a byte buffer.
///
/// Hand-written because the hot path writes one small object per click: a general encoder would cost more
/// than the rest of the request.
public enum JSONWriter {
    private static let hex: [UInt8] = Array("0123456789abcdef".utf8)

    /// Appends `s` as a JSON string literal.
    ///
    /// Quotes, backslashes and every control character are escaped, as are U+2028 and U+2029 (valid JSON,
    /// but line breaks to some JavaScript readers). A Swift `String` is always valid Unicode, so the output
    /// is valid UTF-8 whatever bytes the request carried.
    public static func writeString(_ s: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        var utf8 = s.utf8.makeIterator()
        while let byte = utf8.next() {
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 0x0A: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x0D: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case 0x09: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0x00..<0x20, 0x7F:
                appendUnicodeEscape(UInt16(byte), to: &out)
            case 0xE2:
                // U+2028 and U+2029 are E2 80 A8 and E2 80 A9.
                guard let b1 = utf8.next() else { out.append(byte); break }
                guard let b2 = utf8.next() else { out.append(contentsOf: [byte, b1]); break }
                if b1 == 0x80 && (b2 == 0xA8 || b2 == 0xA9) {
                    appendUnicodeEscape(b2 == 0xA8 ? 0x2028 : 0x2029, to: &out)
                } else {
                    out.append(contentsOf: [byte, b1, b2])
                }
            default:
                out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    /// Appends `s` as a JSON string, or `null` when it is nil.
    public static func writeOptionalString(_ s: String?, to out: inout [UInt8]) {
        if let s { writeString(s, to: &out) } else { out.append(contentsOf: "null".utf8) }
    }

    /// Appends an object with members in the given order.
    public static func writeObject(_ members: [(key: String, value: JSONValue)], to out: inout [UInt8]) {
        out.append(UInt8(ascii: "{"))
        for (i, member) in members.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            writeString(member.key, to: &out)
            out.append(UInt8(ascii: ":"))
            member.value.write(to: &out)
        }
        out.append(UInt8(ascii: "}"))
    }

    private static func appendUnicodeEscape(_ code: UInt16, to out: inout [UInt8]) {
        out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u")])
        out.append(hex[Int(code >> 12) & 0xF])
        out.append(hex[Int(code >> 8) & 0xF])
        out.append(hex[Int(code >> 4) & 0xF])
        out.append(hex[Int(code) & 0xF])
    }
}
