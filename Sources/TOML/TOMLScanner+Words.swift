/// Word-at-a-time skips over the plain stretches of a document: string contents, comments, and the columns
/// counted for positions. Each test looks at eight bytes at once and only says "all eight are plain"; any
/// other word is left to the byte-by-byte code, so these change how fast a document is read, never what it
/// means.
extension TOMLScanner {
    private static let ones: UInt64 = 0x0101_0101_0101_0101
    private static let highs: UInt64 = 0x8080_8080_8080_8080

    /// Whether any byte of `word` is below 0x20 (exact for any bound up to 0x80).
    @inline(__always)
    private static func hasByteBelowSpace(_ word: UInt64) -> Bool {
        (word &- ones &* 0x20) & ~word & highs != 0
    }

    /// Whether any byte of `word` equals `byte`.
    @inline(__always)
    private static func hasByte(_ word: UInt64, _ byte: UInt8) -> Bool {
        let x = word ^ (ones &* UInt64(byte))
        return (x &- ones) & ~x & highs != 0
    }

    @inline(__always)
    private func word(at k: Int) -> UInt64 {
        UnsafeRawPointer(bytes.baseAddress.unsafelyUnwrapped).loadUnaligned(fromByteOffset: k, as: UInt64.self)
    }

    /// The offset of the first byte from `k` that is a control character (tab included), DEL, `stop` or
    /// `alsoStop`, or `count` when there is none. (A comment, which ends only at a control character, passes
    /// DEL as both.)
    func firstSpecial(from k: Int, stop: UInt8, alsoStop: UInt8) -> Int {
        var k = k
        while k + 8 <= count {
            let w = word(at: k)
            if Self.hasByteBelowSpace(w) || Self.hasByte(w, 0x7F) || Self.hasByte(w, stop) || Self.hasByte(w, alsoStop)
            {
                break
            }
            k += 8
        }
        while k < count {
            let b = bytes[k]
            if b < 0x20 || b == 0x7F || b == stop || b == alsoStop { return k }
            k += 1
        }
        return k
    }

    /// The first offset from `k` towards `end` whose word may hold a byte that is not ASCII; the bytes before
    /// it are ASCII, so each is one column.
    func skipASCII(from k: Int, to end: Int) -> Int {
        var k = k
        while k + 8 <= end && word(at: k) & Self.highs == 0 { k += 8 }
        return k
    }
}
