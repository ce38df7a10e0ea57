/// A country as ISO 3166-1 alpha-2 names it ("DE", "AT"): what a redirect rule matches and a click event
/// records.
///
/// Two ASCII capitals in one `UInt16`: a look-up answers it without an allocation, and a set of them is a
/// set of small integers. The code is not checked against the ISO list, so user-assigned codes such as "XK"
/// (Kosovo, as MaxMind and DB-IP write it) and ones assigned later work as they are.
public struct CountryCode: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The first letter in the high byte, so that codes order as their text does.
    public let rawValue: UInt16

    /// The code of two ASCII letters, in either case ("de" is DE); nil for anything else.
    public init?(_ first: UInt8, _ second: UInt8) {
        guard let a = Self.capital(first), let b = Self.capital(second) else { return nil }
        rawValue = UInt16(a) << 8 | UInt16(b)
    }

    /// The code `text` names (two ASCII letters, either case); nil for anything else.
    public init?(_ text: some StringProtocol) {
        var utf8 = text.utf8.makeIterator()
        guard let a = utf8.next(), let b = utf8.next(), utf8.next() == nil else { return nil }
        self.init(a, b)
    }

    /// The first letter's ASCII byte (a capital).
    public var first: UInt8 { UInt8(truncatingIfNeeded: rawValue >> 8) }
    /// The second letter's ASCII byte (a capital).
    public var second: UInt8 { UInt8(truncatingIfNeeded: rawValue) }

    /// The two capitals, "DE".
    public var description: String {
        // Two bytes fit a small string, which lives in the String value itself: nothing is allocated.
        String(unsafeUninitializedCapacity: 2) { buffer in
            buffer[0] = first
            buffer[1] = second
            return 2
        }
    }

    public static func < (lhs: CountryCode, rhs: CountryCode) -> Bool { lhs.rawValue < rhs.rawValue }

    private static func capital(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): byte
        case UInt8(ascii: "a")...UInt8(ascii: "z"): byte - 32
        default: nil
        }
    }
}
