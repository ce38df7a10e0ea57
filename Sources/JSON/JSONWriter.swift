/// The few pieces of JSON output the event line needs, written straight into a byte buffer.
///
/// Hand-written because the hot path writes one small object per click: a general encoder would cost more
/// than the rest of the request.
public enum JSONWriter {
    /// 1 for the bytes the escaping loop must look at: control characters, `"`, `\\`, DEL, and 0xE2 (the lead
    /// byte of U+2028 and U+2029). Never freed: it lives as long as the process.
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
        withUTF8(of: s) { bytes in
            // The escaped text goes to scratch space (on the stack when small), then into `out` in one copy.
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: bytes.count * 6 + 2) { scratch in
                guard let base = scratch.baseAddress else { return }
                let written = writeQuoted(bytes, into: base)
                out.append(contentsOf: UnsafeBufferPointer(start: base, count: written))
            }
        }
    }

    /// The most bytes ``writeString(_:into:)`` can write for `s`: every byte escaped as `\u00XX`, and quotes.
    @inlinable package static func maxStringLength(_ s: String?) -> Int {
        s.map { $0.utf8.count * 6 + 2 } ?? 4
    }

    /// Writes `s` as a JSON string literal (or `null` for nil) at `out`, which has room for
    /// ``maxStringLength(_:)`` bytes; returns the length of the literal. The same bytes as
    /// ``writeString(_:to:)``. Bytes of that room past the literal may be overwritten too (a word is stored
    /// before it is tested).
    @inlinable package static func writeString(_ s: String?, into out: UnsafeMutablePointer<UInt8>) -> Int {
        guard let s else {
            let null: StaticString = "null"
            out.update(from: null.utf8Start, count: null.utf8CodeUnitCount)
            return null.utf8CodeUnitCount
        }
        return withUTF8(of: s) { writeQuoted($0, into: out) }
    }

    /// ``writeString(_:into:)`` for text given as bytes (valid UTF-8), e.g. a field of a ``PackedText``.
    @inlinable
    package static func writeString(bytes: UnsafeBufferPointer<UInt8>, into out: UnsafeMutablePointer<UInt8>) -> Int {
        writeQuoted(bytes, into: out)
    }

    /// Runs `body` on the UTF-8 of `s`: in place for native strings (all of ours), from a contiguous copy for
    /// the rare one without contiguous storage. In place costs no copy of the string value (`String.withUTF8`
    /// is mutating: a copy and its reference count on every call of the hot path). Inlinable, since the core's
    /// response and request fields use it on the same path.
    @inlinable @inline(__always)
    package static func withUTF8<R>(of s: String, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        if let result = s.utf8.withContiguousStorageIfAvailable(body) { return result }
        var contiguous = s
        return contiguous.withUTF8(body)
    }

    /// The escaping loop: `bytes` (valid UTF-8) as a quoted JSON string at `out`, which has room for
    /// `bytes.count * 6 + 2` bytes; returns the literal's length. Up to seven bytes past it, within that room,
    /// may hold leftovers of a stored word.
    ///
    /// Eight bytes at a time: each word is stored as it is read and kept when none of its bytes needs a look,
    /// so plain text (most of an event) is checked and copied in one pass. A word that may hold one is done
    /// byte by byte. The last few bytes of a plain run are done as the run's last eight, read again from
    /// `count - 8` and stored over the copy of the bytes they share, which are the same.
    ///
    /// Called from the inlinable entry points above, which the core's event line inlines: one call per field,
    /// as when both were in one module.
    @usableFromInline
    static func writeQuoted(_ bytes: UnsafeBufferPointer<UInt8>, into out: UnsafeMutablePointer<UInt8>) -> Int {
        out[0] = UInt8(ascii: "\"")
        var n = 1
        guard let source = bytes.baseAddress else {
            // An empty string may come without storage.
            out[1] = UInt8(ascii: "\"")
            return 2
        }
        let count = bytes.count
        let special = specialBytes
        var i = 0
        // Where the current plain run began: from there on, source byte `j` went to `out[n - i + j]`.
        var runStart = 0
        while i < count {
            while i &+ 8 <= count {
                let word = UnsafeRawPointer(source + i).loadUnaligned(as: UInt64.self)
                UnsafeMutableRawPointer(out + n).storeBytes(of: word, as: UInt64.self)
                if mayNeedLook(word) { break }
                i &+= 8
                n &+= 8
            }
            if i == count { break }
            let tail = count &- 8
            if i > tail && tail >= runStart {
                let word = UnsafeRawPointer(source + tail).loadUnaligned(as: UInt64.self)
                if !mayNeedLook(word) {
                    UnsafeMutableRawPointer(out + (n &- (i &- tail))).storeBytes(of: word, as: UInt64.self)
                    n &+= count &- i
                    break
                }
            }
            let end = min(i &+ 8, count)
            while i < end {
                let byte = source[i]
                i &+= 1
                if special[Int(byte)] == 0 {
                    out[n] = byte
                    n &+= 1
                    continue
                }
                switch byte {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"):
                    out[n] = UInt8(ascii: "\\")
                    out[n &+ 1] = byte
                    n &+= 2
                case 0x0A, 0x0D, 0x09:
                    out[n] = UInt8(ascii: "\\")
                    out[n &+ 1] =
                        byte == 0x0A ? UInt8(ascii: "n") : byte == 0x0D ? UInt8(ascii: "r") : UInt8(ascii: "t")
                    n &+= 2
                case 0xE2:
                    // U+2028 and U+2029 are E2 80 A8 and E2 80 A9; any other E2 sequence is copied as it is.
                    if i &+ 1 < count && source[i] == 0x80 && (source[i &+ 1] == 0xA8 || source[i &+ 1] == 0xA9) {
                        n &+= writeUnicodeEscape(source[i &+ 1] == 0xA8 ? 0x2028 : 0x2029, into: out + n)
                        i &+= 2
                    } else {
                        out[n] = byte
                        n &+= 1
                    }
                default:
                    n &+= writeUnicodeEscape(UInt16(byte), into: out + n)
                }
            }
            runStart = i
        }
        out[n] = UInt8(ascii: "\"")
        return n &+ 1
    }

    /// Whether any byte of `word` may need the escaping loop's look: below 0x20, `"`, `\\`, DEL, or any byte
    /// of 0x80 and above (0xE2 starts U+2028 and U+2029). Exact when false, so eight plain bytes are copied
    /// at once.
    @inline(__always)
    private static func mayNeedLook(_ word: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        // DEL and 0x80 and above: adding one sets the high bit of 0x7F. A carry between bytes needs a byte of
        // 0xFF, whose own high bit already answers.
        let high = word | (word &+ ones)
        let below = (word &- ones &* 0x20) & ~word
        let q = word ^ (ones &* 0x22)
        let b = word ^ (ones &* 0x5C)
        let quote = (q &- ones) & ~q
        let backslash = (b &- ones) & ~b
        return (high | below | quote | backslash) & (ones &* 0x80) != 0
    }

    private static func writeUnicodeEscape(_ code: UInt16, into out: UnsafeMutablePointer<UInt8>) -> Int {
        let hex = HexDigits.lowercase
        out[0] = UInt8(ascii: "\\")
        out[1] = UInt8(ascii: "u")
        out[2] = hex[Int(code >> 12) & 0xF]
        out[3] = hex[Int(code >> 8) & 0xF]
        out[4] = hex[Int(code >> 4) & 0xF]
        out[5] = hex[Int(code) & 0xF]
        return 6
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
}
