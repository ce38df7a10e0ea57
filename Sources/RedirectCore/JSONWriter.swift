/// The few pieces of JSON output the event line needs, written straight into a byte buffer.
///
/// Hand-written because the hot path writes one small object per click: a general encoder would cost more
/// than the rest of the request.
public enum JSONWriter {
    private static let hex: [UInt8] = Array("0123456789abcdef".utf8)

    /// 1 for the bytes ``appendEscaped(_:to:)`` must look at: control characters, `"`, `\\`, DEL, and 0xE2
    /// (the lead byte of U+2028 and U+2029). Never freed: it lives as long as the process.
    nonisolated(unsafe) private static let specialBytes: UnsafePointer<UInt8> = {
        let table = UnsafeMutablePointer<UInt8>.allocate(capacity: 256)
        for byte in 0..<256 {
            table[byte] = byte < 0x20 || byte == 0x22 || byte == 0x5C || byte == 0x7F || byte == 0xE2 ? 1 : 0
        }
        return UnsafePointer(table)
    }()

    /// Appends `s` as a JSON string literal.
    ///
    /// Quotes, backslashes and every control character are escaped, as are U+2028 and U+2029 (valid JSON,
    /// but line breaks to some JavaScript readers). A Swift `String` is always valid Unicode, so the output
    /// is valid UTF-8 whatever bytes the request carried.
    public static func writeString(_ s: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        // Native strings (all of ours) are contiguous UTF-8: copy runs of plain bytes in bulk.
        let done: Void? = s.utf8.withContiguousStorageIfAvailable { appendEscaped($0, to: &out) }
        if done == nil { appendEscapedByteByByte(s, to: &out) }
        out.append(UInt8(ascii: "\""))
    }

    /// The escaping of ``writeString(_:to:)`` over contiguous valid UTF-8, without the quotes.
    static func appendEscaped(_ bytes: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
        var run = 0
        var i = 0
        let count = bytes.count
        let special = specialBytes
        while i < count {
            let byte = bytes[i]
            // Plain: not a control character, quote, backslash, DEL, or the lead byte of U+2028/U+2029.
            if special[Int(byte)] == 0 {
                i += 1
                continue
            }
            if run < i { out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[run..<i])) }
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"):
                out.append(UInt8(ascii: "\\"))
                out.append(byte)
            case 0x0A:
                out.append(UInt8(ascii: "\\"))
                out.append(UInt8(ascii: "n"))
            case 0x0D:
                out.append(UInt8(ascii: "\\"))
                out.append(UInt8(ascii: "r"))
            case 0x09:
                out.append(UInt8(ascii: "\\"))
                out.append(UInt8(ascii: "t"))
            case 0xE2:
                // U+2028 and U+2029 are E2 80 A8 and E2 80 A9; any other E2 sequence is copied as it is.
                if i + 2 < count && bytes[i + 1] == 0x80 && (bytes[i + 2] == 0xA8 || bytes[i + 2] == 0xA9) {
                    appendUnicodeEscape(bytes[i + 2] == 0xA8 ? 0x2028 : 0x2029, to: &out)
                    i += 2
                } else {
                    out.append(byte)
                }
            default:
                appendUnicodeEscape(UInt16(byte), to: &out)
            }
            i += 1
            run = i
        }
        if run < count { out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[run..<count])) }
    }

    /// The escaping of ``writeString(_:to:)`` for strings without contiguous storage (bridged ones).
    private static func appendEscapedByteByByte(_ s: String, to out: inout [UInt8]) {
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
    }

    /// The most bytes ``writeString(_:into:)`` can write for `s`: every byte escaped as `\u00XX`, and quotes.
    static func maxStringLength(_ s: String?) -> Int {
        s.map { $0.utf8.count * 6 + 2 } ?? 4
    }

    /// Writes `s` as a JSON string literal (or `null` for nil) at `out`, which has room for
    /// ``maxStringLength(_:)`` bytes; returns the bytes written. The same bytes as ``writeString(_:to:)``.
    static func writeString(_ s: String?, into out: UnsafeMutablePointer<UInt8>) -> Int {
        guard let s else {
            out[0] = UInt8(ascii: "n")
            out[1] = UInt8(ascii: "u")
            out[2] = UInt8(ascii: "l")
            out[3] = UInt8(ascii: "l")
            return 4
        }
        let written = s.utf8.withContiguousStorageIfAvailable { bytes -> Int in
            out[0] = UInt8(ascii: "\"")
            var n = 1
            var run = 0
            var i = 0
            let count = bytes.count
            let special = specialBytes
            guard let source = bytes.baseAddress else {
                // An empty string may come without storage.
                out[1] = UInt8(ascii: "\"")
                return 2
            }
            while i < count {
                let byte = source[i]
                if special[Int(byte)] == 0 {
                    i += 1
                    continue
                }
                if run < i {
                    (out + n).update(from: source + run, count: i - run)
                    n += i - run
                }
                switch byte {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"):
                    out[n] = UInt8(ascii: "\\")
                    out[n + 1] = byte
                    n += 2
                case 0x0A, 0x0D, 0x09:
                    out[n] = UInt8(ascii: "\\")
                    out[n + 1] = byte == 0x0A ? UInt8(ascii: "n") : byte == 0x0D ? UInt8(ascii: "r") : UInt8(ascii: "t")
                    n += 2
                case 0xE2:
                    // U+2028 and U+2029 are E2 80 A8 and E2 80 A9; any other E2 sequence is copied as it is.
                    if i + 2 < count && source[i + 1] == 0x80 && (source[i + 2] == 0xA8 || source[i + 2] == 0xA9) {
                        n += writeUnicodeEscape(source[i + 2] == 0xA8 ? 0x2028 : 0x2029, into: out + n)
                        i += 2
                    } else {
                        out[n] = byte
                        n += 1
                    }
                default:
                    n += writeUnicodeEscape(UInt16(byte), into: out + n)
                }
                i += 1
                run = i
            }
            if run < count {
                (out + n).update(from: source + run, count: count - run)
                n += count - run
            }
            out[n] = UInt8(ascii: "\"")
            return n + 1
        }
        if let written { return written }
        // A string without contiguous UTF-8 (a bridged one): the array writer, then a copy.
        var bytes: [UInt8] = []
        writeString(s, to: &bytes)
        bytes.withUnsafeBufferPointer { buffer in
            if let start = buffer.baseAddress { out.update(from: start, count: buffer.count) }
        }
        return bytes.count
    }

    private static func writeUnicodeEscape(_ code: UInt16, into out: UnsafeMutablePointer<UInt8>) -> Int {
        let hex = hexDigits
        out[0] = UInt8(ascii: "\\")
        out[1] = UInt8(ascii: "u")
        out[2] = hex[Int(code >> 12) & 0xF]
        out[3] = hex[Int(code >> 8) & 0xF]
        out[4] = hex[Int(code >> 4) & 0xF]
        out[5] = hex[Int(code) & 0xF]
        return 6
    }

    nonisolated(unsafe) private static let hexDigits: UnsafeBufferPointer<UInt8> = {
        let table = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: 16)
        _ = table.initialize(from: "0123456789abcdef".utf8)
        return UnsafeBufferPointer(table)
    }()

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
        out.append(UInt8(ascii: "\\"))
        out.append(UInt8(ascii: "u"))
        out.append(hex[Int(code >> 12) & 0xF])
        out.append(hex[Int(code >> 8) & 0xF])
        out.append(hex[Int(code >> 4) & 0xF])
        out.append(hex[Int(code) & 0xF])
    }
}
