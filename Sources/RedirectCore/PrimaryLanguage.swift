/// A primary language subtag (`de`, `en`, `gsw`), as rules name languages and as the visitor's first choice
/// is matched: up to 8 ASCII letters, lowercased, packed into one integer so that comparing two is one
/// instruction and making one from request bytes allocates nothing.
public struct PrimaryLanguage: Hashable, Sendable, CustomStringConvertible {
    /// The letters, lowercased, the first in the lowest byte; unused bytes are zero.
    public let packed: UInt64

    /// The subtag `letters` (1–8 ASCII letters, any case), or nil for anything else.
    public init?<Bytes: Collection<UInt8>>(bytes letters: Bytes) {
        guard !letters.isEmpty, letters.count <= 8 else { return nil }
        var packed: UInt64 = 0
        var shift: UInt64 = 0
        for byte in letters {
            let lower = byte | 0x20
            guard lower >= UInt8(ascii: "a"), lower <= UInt8(ascii: "z") else { return nil }
            packed |= UInt64(lower) << shift
            shift += 8
        }
        self.packed = packed
    }

    /// The subtag whose ``packed`` value is `packed` (as stored by the redirect cache).
    package init(packed: UInt64) {
        self.packed = packed
    }

    /// The subtag written as `text`, or nil when `text` is not 1–8 ASCII letters.
    public init?(_ text: some StringProtocol) {
        self.init(bytes: text.utf8)
    }

    /// Whether a rule may name this subtag: 2–3 letters (ISO 639) or 5–8 (registered), as BCP 47 has it. A
    /// single letter is `i` or `x`, which introduce grandfathered and private tags, not languages.
    public var isNameable: Bool {
        let count = letterCount
        return count == 2 || count == 3 || count >= 5
    }

    var letterCount: Int { (64 - packed.leadingZeroBitCount + 7) / 8 }

    /// The subtag in lowercase.
    public var description: String {
        var bytes: [UInt8] = []
        var rest = packed
        while rest != 0 {
            bytes.append(UInt8(truncatingIfNeeded: rest))
            rest >>= 8
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
