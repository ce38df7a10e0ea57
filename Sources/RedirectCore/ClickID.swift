import JSON
import Timestamps

/// Event ids: UUID version 7 (RFC 9562), time-ordered so that ids sort like the clicks they name.
public enum ClickID {
    /// A UUIDv7 string for a click at `time`, with 74 random bits from `generator`.
    public static func make<G: RandomNumberGenerator>(at time: Timestamp, using generator: inout G) -> String {
        let ms = UInt64(bitPattern: time.millisecondsSinceEpoch) & 0xFFFF_FFFF_FFFF
        let randA = generator.next() as UInt64
        let randB = generator.next() as UInt64
        // 48 bits time, 4 bits version, 12 bits random; 2 bits variant, 62 bits random.
        let high = (ms << 16) | 0x7000 | (randA & 0x0FFF)
        let low = (randB & 0x3FFF_FFFF_FFFF_FFFF) | 0x8000_0000_0000_0000
        return format(high: high, low: low)
    }

    /// Whether `s` has the 8-4-4-4-12 lowercase hex form of a UUID.
    public static func isWellFormed(_ s: String) -> Bool {
        let bytes = Array(s.utf8)
        guard bytes.count == 36 else { return false }
        for (i, b) in bytes.enumerated() {
            if i == 8 || i == 13 || i == 18 || i == 23 {
                if b != UInt8(ascii: "-") { return false }
            } else if !((b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9"))
                || (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "f")))
            {
                return false
            }
        }
        return true
    }

    static func format(high: UInt64, low: UInt64) -> String {
        // Written straight into the string's storage: one allocation, no intermediate array.
        let hex = HexDigits.lowercase
        return String(unsafeUninitializedCapacity: 36) { out in
            var k = 0
            func put(_ value: UInt64, nibbles: Int, shift: Int) {
                for n in (0..<nibbles).reversed() {
                    out[k] = hex[Int((value >> UInt64(shift + n * 4)) & 0xF)]
                    k += 1
                }
            }
            func dash() {
                out[k] = UInt8(ascii: "-")
                k += 1
            }
            put(high, nibbles: 8, shift: 32)
            dash()
            put(high, nibbles: 4, shift: 16)
            dash()
            put(high, nibbles: 4, shift: 0)
            dash()
            put(low, nibbles: 4, shift: 48)
            dash()
            put(low, nibbles: 12, shift: 0)
            return k
        }
    }
}

/// A small, fast generator for event ids (xoshiro256**), seeded once per worker from the system generator.
///
/// Event ids need to be unique, not secret; drawing from the kernel for every click would cost a system call.
public struct ClickIDGenerator: RandomNumberGenerator, Sendable {
    private var s: (UInt64, UInt64, UInt64, UInt64)

    public init<G: RandomNumberGenerator>(seededFrom source: inout G) {
        s = (source.next(), source.next(), source.next(), source.next())
        if s == (0, 0, 0, 0) { s.0 = 0x9E37_79B9_7F4A_7C15 }
    }

    public init() {
        var system = SystemRandomNumberGenerator()
        self.init(seededFrom: &system)
    }

    public mutating func next() -> UInt64 {
        let result = rotl(s.1 &* 5, 7) &* 9
        let t = s.1 << 17
        s.2 ^= s.0
        s.3 ^= s.1
        s.1 ^= s.2
        s.0 ^= s.3
        s.2 ^= t
        s.3 = rotl(s.3, 45)
        return result
    }

    private func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }
}
