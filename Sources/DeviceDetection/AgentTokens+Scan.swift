extension AgentTokens {
    /// The tokens of `agent`, in one pass that looks further only at its capital letters.
    ///
    /// Case matters, as it does in the agents browsers send (`Android`, `iPhone`, `Windows NT`); a token is found
    /// wherever it occurs, so `Mobile` counts in `Mobile Safari` as in `IEMobile`. Every token has a capital letter
    /// at a fixed place: its first byte, or for the few that start in lower case (`iPhone`, `iOS`, `tvOS`, `webOS`)
    /// the `P` or `O` after. So the scan reads the agent eight bytes at a time, finds the capitals of each word
    /// with a few arithmetic steps (``capitals(_:)``), and only at those switches on the letter and compares the
    /// eight bytes from there with its tokens, each comparison one masked integer compare. No allocation, no
    /// bounds check in the loop, no regular expression.
    init(scanning agent: UnsafeBufferPointer<UInt8>) {
        guard let base = agent.baseAddress else {
            self = []
            return
        }
        let end = agent.count
        var found: AgentTokens = []
        var i = 0
        // Words with a byte after them, so that the pair at each capital is one load.
        if end >= 9 {
            var word = base
            let last = base + (end &- 9)
            repeat {
                var capitals = Self.capitals(Self.load(word))
                while capitals != 0 {
                    let capital = word + capitals.trailingZeroBitCount &>> 3
                    let pair = UInt32(UInt16(littleEndian: UnsafeRawPointer(capital).loadUnaligned(as: UInt16.self)))
                    if Self.mayStartToken(pair) {
                        found.formUnion(Self.tokens(at: capital - base, base: base, end: end))
                    }
                    capitals &= capitals &- 1
                }
                word += 8
            } while word <= last
            i = word - base
        }
        if i < end {
            // The last one to eight bytes: the word that ends with the agent, less the bytes already read, or a
            // short agent's bytes with zeros after them (no capital).
            let start = max(0, end - 8)
            var capitals = Self.capitals(Self.word(base + start, count: end - start))
            capitals &= ~0 &<< UInt64((i &- start) &* 8)
            while capitals != 0 {
                let at = start &+ capitals.trailingZeroBitCount &>> 3
                if Self.mayStartToken(Self.pair(at: at, base: base, end: end)) {
                    found.formUnion(Self.tokens(at: at, base: base, end: end))
                }
                capitals &= capitals &- 1
            }
        }
        self = found
    }

    /// The high bit of each byte of `word` that is a capital letter `A`...`Z`, the others clear.
    ///
    /// With each byte's high bit set first, subtracting 0x41 or 0x5B from every byte at once borrows from no
    /// neighbour, and leaves the high bit set where the low seven bits are at least that much; bytes of 0x80 and
    /// above (UTF-8 beyond ASCII) are cleared at the end.
    @inline(__always)
    static func capitals(_ word: UInt64) -> UInt64 {
        let high: UInt64 = 0x8080_8080_8080_8080
        let raised = word | high
        let fromA = raised &- 0x4141_4141_4141_4141
        let pastZ = raised &- 0x5B5B_5B5B_5B5B_5B5B
        return fromA & ~pastZ & ~word & high
    }

    /// The first two bytes of every token, capital first (`Ph`, `Po`, `Pa` of `iPhone`, `iPod`, `iPad`; `OS` of
    /// `iOS`, `tvOS`, `webOS`): the pairs ``tokens(at:base:end:)`` looks for.
    static let pairs = [
        "An", "AF", "Ap", "Ad", "Bl", "BB", "Ba", "BR", "Cr", "Da", "Do", "Fr", "IE", "J2", "Ki", "KA", "Ka", "Li",
        "Mo", "Ma", "Me", "MI", "MA", "Ne", "Ni", "OS", "Op", "Pl", "Pa", "Ph", "Po", "Ro", "Si", "Sy", "Se", "Su",
        "TV", "Ta", "Ti", "UP", "Wi", "WP", "WA", "We", "X1", "Xb", "XB",
    ]

    /// Whether `pair` (a capital, and the byte after it in the next eight bits) may start a token: false for most
    /// of the capitals of an agent that start none (`KHTML`, `Gecko`, `Chrome`, `Safari`), at the cost of a
    /// multiplication and a bit test instead of a call.
    ///
    /// The multiplication hashes the pair to one of 128 bits, set for the hashes of ``pairs``; its factor is the
    /// one, of 200,000 tried, that lets the fewest capitals of the test corpora that start no pair through (9% of
    /// them), so that the search of the tokens runs on about a third of the capitals. `AgentTokensTests` checks
    /// that every pair passes.
    @inline(__always)
    static func mayStartToken(_ pair: UInt32) -> Bool {
        let hash = (pair &* 0x1E94_9927) &>> 25
        let bits: UInt64 = hash < 64 ? 0x2244_0806_A148_800C : 0x6550_468C_0101_4A71
        return bits &>> UInt64(hash & 63) & 1 != 0
    }

    /// The byte at `at` and the one after it (0 past the agent's end) in the low sixteen bits.
    @inline(__always)
    static func pair(at: Int, base: UnsafePointer<UInt8>, end: Int) -> UInt32 {
        at &+ 1 < end
            ? UInt32(UInt16(littleEndian: UnsafeRawPointer(base + at).loadUnaligned(as: UInt16.self)))
            : UInt32(base[at])
    }

    /// Eight bytes from `bytes`, the first in the lowest bits.
    @inline(__always)
    static func load(_ bytes: UnsafePointer<UInt8>) -> UInt64 {
        UInt64(littleEndian: UnsafeRawPointer(bytes).loadUnaligned(as: UInt64.self))
    }

    /// The `count` bytes (at most eight) from `bytes`, the first in the lowest bits, zeros after them.
    @inline(__always)
    static func word(_ bytes: UnsafePointer<UInt8>, count: Int) -> UInt64 {
        if count >= 8 { return load(bytes) }
        var word: UInt64 = 0
        var k = count
        while k > 0 {
            k -= 1
            word = word << 8 | UInt64(bytes[k])
        }
        return word
    }

    /// The tokens that have their capital at `at`, a capital letter of the agent's `end` bytes from `base`.
    ///
    /// Not inlined: the scan's loop stays small enough to keep its values in registers, where the switch inlined
    /// into it spilled them to the stack on every word.
    @inline(never)
    static func tokens(at: Int, base: UnsafePointer<UInt8>, end: Int) -> AgentTokens {
        var found: AgentTokens = []
        found.note(at: at, base: base, end: end)
        return found
    }

    /// Adds the tokens that have their capital at `at`, a capital letter of the agent's `end` bytes from `base`.
    @inline(__always)
    private mutating func note(at: Int, base: UnsafePointer<UInt8>, end: Int) {
        let here = Window(base: base, end: end, at: at)
        let w = here.word
        switch UInt8(truncatingIfNeeded: w) {
        case UInt8(ascii: "A"):
            // Each group after the pair first: every browser's agent says `AppleWebKit`, `Mozilla` and `WebKit`.
            if here.has("Ap", w) {
                if here.has("AppleTV", w) || here.has("Apple TV", w) {
                    insert(.screen)
                    insert(.otherSystem)
                }
            } else if here.has("Android", w) {
                insert(.android)
            } else if here.has("AFT", w), here.isUppercase(3) {
                insert(.screen)
            } else if here.has("Adr ", w) {
                insert(.android)
            }
        case UInt8(ascii: "B"):
            if here.has("BlackBerry", w) || here.has("BB10", w) {
                insert(.blackBerry)
            } else if here.has("Bada", w) || here.has("BREW", w) {
                insert(.otherSystem)
                insert(.phone)
            } else if here.has("BRAVIA", w) {
                insert(.screen)
            }
        case UInt8(ascii: "C"):
            if here.has("CrOS", w) {
                insert(.chromeOS)
            } else if here.has("CrKey", w) {
                insert(.screen)
                insert(.otherSystem)
            }
        case UInt8(ascii: "D"):
            if here.has("Darwin/", w) {
                if here.namesMacArchitecture(after: 7) { insert(.mac) }
            } else if here.has("DoCoMo", w) {
                insert(.phone)
            } else if here.has("Dalvik", w) {
                insert(.dalvik)
            }
        case UInt8(ascii: "F"):
            if here.has("FreeBSD", w) { insert(.otherSystem) }
        case UInt8(ascii: "I"):
            if here.has("IEMobile", w) {
                insert(.windowsPhone)
                insert(.mobile)
            }
        case UInt8(ascii: "J"):
            if here.has("J2ME", w) { insert(.phone) }
        case UInt8(ascii: "K"):
            if here.has("Kindle", w) {
                insert(.kindle)
            } else if here.has("KAIOS", w) || here.has("KaiOS", w) {
                insert(.otherSystem)
                insert(.phone)
            }
        case UInt8(ascii: "L"):
            if here.has("Linux", w) { insert(.linux) }
        case UInt8(ascii: "M"):
            if here.has("Mo", w) {
                if here.has("Mobile", w) { insert(.mobile) }
            } else if here.has("Mac", w) {
                if here.has("Macintosh", w) || here.has("Mac OS X", w) || here.has("Mac_PowerPC", w) { insert(.mac) }
            } else if here.has("Maemo", w) || here.has("MeeGo", w) {
                insert(.otherSystem)
                insert(.phone)
            } else if here.has("MIDP", w) || here.has("MAUI", w) {
                insert(.phone)
            }
        case UInt8(ascii: "N"):
            if here.has("NetBSD", w) {
                insert(.otherSystem)
            } else if here.has("Nintendo", w) {
                insert(.screen)
                insert(.otherSystem)
            }
        case UInt8(ascii: "O"):
            if here.has("OS", w) {
                // `iOS` after no letter, `tvOS`, `webOS`: the tokens that start in lower case before this `O`.
                let before = here.before
                if before & 0xFF == UInt64(UInt8(ascii: "i")), !isLetter(UInt8(truncatingIfNeeded: before >> 8)) {
                    insert(.iOS)
                } else if before & 0xFFFF == 0x7476 {  // "tv", the `v` lowest
                    insert(.screen)
                    insert(.otherSystem)
                } else if before & 0xFF_FFFF == 0x77_6562 {  // "web", the `b` lowest
                    insert(.otherSystem)
                }
            } else if here.has("OpenBSD", w) {
                insert(.otherSystem)
            } else if here.has("Opera Mini", w) || here.has("Opera Mobi", w) {
                insert(.mobile)
            }
        case UInt8(ascii: "P"):
            // `iPhone`, `iPod`, `iPad` after no letter: their `i` is the byte before.
            let before = here.before
            let afterI = before & 0xFF == UInt64(UInt8(ascii: "i")) && !isLetter(UInt8(truncatingIfNeeded: before >> 8))
            if afterI, here.has("Ph", w) || here.has("Pod", w) {
                insert(.iPhone)
            } else if afterI, here.has("Pad", w) {
                insert(.iPad)
            } else if here.has("PlayBook", w) {
                insert(.otherSystem)
                insert(.playBook)
            } else if here.has("PlayStation", w) {
                insert(.screen)
                insert(.otherSystem)
            } else if here.has("Palm", w) {
                insert(.phone)
            }
        case UInt8(ascii: "R"):
            if here.has("Roku", w) {
                insert(.screen)
                insert(.otherSystem)
            }
        case UInt8(ascii: "S"):
            if here.has("Silk", w) {
                insert(.silk)
            } else if here.has("Symbian", w) || here.has("SymbOS", w) || here.has("Series40", w)
                || here.has("Series60", w)
            {
                insert(.otherSystem)
                insert(.phone)
            } else if here.has("SunOS", w) {
                insert(.otherSystem)
            }
        case UInt8(ascii: "T"):
            if here.has("TV", w) {
                if !isLetter(UInt8(truncatingIfNeeded: w >> 16)) { insert(.screen) }
            } else if here.has("Tablet", w) {
                if !here.has("Tablet PC", w) { insert(.tablet) }
            } else if here.has("Tizen", w) {
                insert(.otherSystem)
            }
        case UInt8(ascii: "U"):
            if here.has("UP.Browser", w) { insert(.phone) }
        case UInt8(ascii: "W"):
            if here.has("We", w) {
                if here.has("Web0S", w) {
                    insert(.screen)
                    insert(.otherSystem)
                }
            } else if here.has("Windows", w) {
                insert(.windows)
                if here.has("Windows Phone", w) || here.has("Windows Mobile", w) || here.has("Windows CE", w) {
                    insert(.windowsPhone)
                }
            } else if here.has("Win64", w) || here.has("Win32", w) || here.has("WinNT", w) || here.has("Win98", w)
                || here.has("Win95", w) || here.has("Win 9x", w)
            {
                insert(.windows)
            } else if here.has("WPDesktop", w) {
                insert(.windowsPhone)
            } else if here.has("WAP", w) {
                insert(.phone)
            }
        case UInt8(ascii: "X"):
            if here.has("X11", w) {
                insert(.x11)
            } else if here.has("Xbox", w) || here.has("XBOX", w) {
                insert(.screen)
            }
        default:
            break
        }
    }
}

/// Whether `byte` is an ASCII letter.
@inline(__always)
private func isLetter(_ byte: UInt8) -> Bool {
    let lower = byte | 0x20
    return lower >= UInt8(ascii: "a") && lower <= UInt8(ascii: "z")
}

/// A capital letter of an agent, and the questions the scan asks there.
private struct Window {
    let base: UnsafePointer<UInt8>
    let end: Int
    let at: Int

    /// The eight bytes from here, zeros past the agent's end.
    @inline(__always)
    var word: UInt64 {
        AgentTokens.word(base + at, count: end &- at)
    }

    /// The three bytes before this one, the nearest lowest, zeros before the agent's start.
    @inline(__always)
    var before: UInt64 {
        var bytes: UInt64 = 0
        if at >= 1 { bytes = UInt64(base[at - 1]) }
        if at >= 2 { bytes |= UInt64(base[at - 2]) << 8 }
        if at >= 3 { bytes |= UInt64(base[at - 3]) << 16 }
        return bytes
    }

    /// Whether `token` starts here; `word` is the eight bytes from here. A token of up to eight bytes is one
    /// masked compare with them (the token's bytes fold into a constant when the call is inlined); the bytes of a
    /// longer one past the eighth, rare in agents, are compared one by one.
    @inline(__always)
    func has(_ token: StaticString, _ word: UInt64) -> Bool {
        let count = token.utf8CodeUnitCount
        let bytes = token.utf8Start
        let head = min(count, 8)
        var value: UInt64 = 0
        var k = head
        while k > 0 {
            k -= 1
            value = value << 8 | UInt64(bytes[k])
        }
        let mask: UInt64 = head == 8 ? ~0 : (1 << UInt64(head * 8)) &- 1
        guard word & mask == value else { return false }
        guard count > 8 else { return true }
        guard end - at >= count else { return false }
        var rest = 8
        while rest < count {
            if base[at + rest] != bytes[rest] { return false }
            rest += 1
        }
        return true
    }

    /// The byte `offset` bytes on, or 0 past the agent's end.
    @inline(__always)
    func byte(_ offset: Int) -> UInt8 {
        at + offset < end ? base[at + offset] : 0
    }

    @inline(__always)
    func isUppercase(_ offset: Int) -> Bool {
        let b = byte(offset)
        return b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z")
    }

    /// Whether a version (digits and dots) `offset` bytes on is followed by ` (x86_64)`, ` (arm64)`, ` (i386)` or
    /// ` (Power`: how macOS apps' CFNetwork agents end `Darwin/…`, where iOS apps' end with the version.
    func namesMacArchitecture(after offset: Int) -> Bool {
        var k = offset
        while case let b = byte(k), b == UInt8(ascii: ".") || (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9")) {
            k += 1
        }
        guard byte(k) == UInt8(ascii: " "), byte(k + 1) == UInt8(ascii: "(") else { return false }
        let next = Window(base: base, end: end, at: at + k + 1)
        let w = next.word
        return next.has("(x86_64)", w) || next.has("(arm64)", w) || next.has("(i386)", w) || next.has("(Power", w)
    }
}
