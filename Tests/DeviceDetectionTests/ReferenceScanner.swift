@testable import DeviceDetection

// The scanner AgentTokens+Scan.swift had before it read eight bytes at a time (a bit test and a switch on every
// byte), kept here only as the reference the equivalence tests compare the new one with.
extension AgentTokens {
    /// The bytes a token starts with, the cases of the scan's switch, as bits `byte - 64` of a mask: a set bit for
    /// each, so that the scan passes over every other byte at once (most bytes of an agent).
    static let referenceTokenStarts: UInt64 = "ABCDFIJKLMNOPRSTUWXitw".utf8.reduce(0) { $0 | 1 << UInt64($1 - 64) }

    /// The tokens of `agent`, in one pass that looks further only at bytes a token can start with.
    ///
    /// Case matters, as it does in the agents browsers send (`Android`, `iPhone`, `Windows NT`); a token is found
    /// wherever it occurs, so `Mobile` counts in `Mobile Safari` as in `IEMobile`. No allocation, no regular
    /// expression: a bit test on each byte (``referenceTokenStarts``) and, on a possible start, a switch on it and
    /// comparisons with its tokens' bytes.
    init(referenceScanning agent: UnsafeBufferPointer<UInt8>) {
        self = []
        guard let base = agent.baseAddress else { return }
        let end = agent.count
        var i = 0
        let starts = Self.referenceTokenStarts
        while i < end {
            let byte = base[i]
            // Bytes 64...127 where no token starts, and every byte outside them, are passed over at once.
            let bit = byte &- 64
            if bit >= 64 || starts >> UInt64(bit) & 1 == 0 {
                i += 1
                continue
            }
            let scan = ReferenceScan(base: base, end: end, at: i)
            switch byte {
            case UInt8(ascii: "A"):
                if scan.has("Android") {
                    insert(.android)
                    i += 7
                    continue
                }
                if scan.has("AFT"), scan.isUppercase(3) { insert(.screen) }
                if scan.has("AppleTV") || scan.has("Apple TV") { insert([.screen, .otherSystem]) }
                if scan.has("Adr ") { insert(.android) }
            case UInt8(ascii: "B"):
                if scan.has("BlackBerry") || scan.has("BB10") {
                    insert(.blackBerry)
                } else if scan.has("Bada") || scan.has("BREW") {
                    insert([.otherSystem, .phone])
                } else if scan.has("BRAVIA") {
                    insert(.screen)
                }
            case UInt8(ascii: "C"):
                if scan.has("CrOS") { insert(.chromeOS) }
                if scan.has("CrKey") { insert([.screen, .otherSystem]) }
            case UInt8(ascii: "D"):
                if scan.has("Darwin/"), scan.namesMacArchitecture(after: 7) { insert(.mac) }
                if scan.has("DoCoMo") { insert(.phone) }
                if scan.has("Dalvik") { insert(.dalvik) }
            case UInt8(ascii: "F"):
                if scan.has("FreeBSD") { insert(.otherSystem) }
            case UInt8(ascii: "I"):
                if scan.has("IEMobile") { insert([.windowsPhone, .mobile]) }
            case UInt8(ascii: "J"):
                if scan.has("J2ME") { insert(.phone) }
            case UInt8(ascii: "K"):
                if scan.has("Kindle") { insert(.kindle) }
                if scan.has("KAIOS") || scan.has("KaiOS") { insert([.otherSystem, .phone]) }
            case UInt8(ascii: "L"):
                if scan.has("Linux") { insert(.linux) }
            case UInt8(ascii: "M"):
                switch scan.byte(1) {
                case UInt8(ascii: "a"):
                    if scan.has("Macintosh") || scan.has("Mac OS X") || scan.has("Mac_PowerPC") { insert(.mac) }
                    if scan.has("Maemo") { insert([.otherSystem, .phone]) }
                case UInt8(ascii: "o"):
                    if scan.has("Mobile") { insert(.mobile) }
                case UInt8(ascii: "I"):
                    if scan.has("MIDP") { insert(.phone) }
                case UInt8(ascii: "A"):
                    if scan.has("MAUI") { insert(.phone) }
                case UInt8(ascii: "e"):
                    if scan.has("MeeGo") { insert([.otherSystem, .phone]) }
                default: break
                }
            case UInt8(ascii: "N"):
                if scan.has("NetBSD") { insert(.otherSystem) }
                if scan.has("Nintendo") { insert([.screen, .otherSystem]) }
            case UInt8(ascii: "O"):
                if scan.has("OpenBSD") { insert(.otherSystem) }
                if scan.has("Opera Mini") || scan.has("Opera Mobi") { insert(.mobile) }
            case UInt8(ascii: "P"):
                if scan.has("PlayBook") { insert([.otherSystem, .playBook]) }
                if scan.has("PlayStation") { insert([.screen, .otherSystem]) }
                if scan.has("Palm") { insert(.phone) }
            case UInt8(ascii: "R"):
                if scan.has("Roku") { insert([.screen, .otherSystem]) }
            case UInt8(ascii: "S"):
                if scan.has("Silk") { insert(.silk) }
                if scan.has("Symbian") || scan.has("SymbOS") || scan.has("Series40") || scan.has("Series60") {
                    insert([.otherSystem, .phone])
                }
                if scan.has("SunOS") { insert(.otherSystem) }
            case UInt8(ascii: "T"):
                if scan.has("TV"), !scan.isLetter(2) { insert(.screen) }
                if scan.has("Tablet"), !scan.has("Tablet PC") { insert(.tablet) }
                if scan.has("Tizen") { insert(.otherSystem) }
            case UInt8(ascii: "U"):
                if scan.has("UP.Browser") { insert(.phone) }
            case UInt8(ascii: "W"):
                if scan.has("Windows") {
                    insert(.windows)
                    if scan.has("Windows Phone") || scan.has("Windows Mobile") || scan.has("Windows CE") {
                        insert(.windowsPhone)
                    }
                    i += 7
                    continue
                }
                if scan.has("Win64") || scan.has("Win32") || scan.has("WinNT") || scan.has("Win98")
                    || scan.has("Win95") || scan.has("Win 9x")
                {
                    insert(.windows)
                }
                if scan.has("WPDesktop") { insert(.windowsPhone) }
                if scan.has("WAP") { insert(.phone) }
                if scan.has("Web0S") { insert([.screen, .otherSystem]) }
            case UInt8(ascii: "X"):
                if scan.has("X11") { insert(.x11) }
                if scan.has("Xbox") || scan.has("XBOX") { insert(.screen) }
            case UInt8(ascii: "i") where !scan.isLetter(-1):
                if scan.has("iPh") || scan.has("iPod") {
                    insert(.iPhone)
                } else if scan.has("iPad") {
                    insert(.iPad)
                } else if scan.has("iOS") {
                    insert(.iOS)
                }
            case UInt8(ascii: "t"):
                if scan.has("tvOS") { insert([.screen, .otherSystem]) }
            case UInt8(ascii: "w"):
                if scan.has("webOS") { insert(.otherSystem) }
            default:
                break
            }
            i += 1
        }
    }
}

/// A position in an agent's bytes, and the questions the scan asks there.
private struct ReferenceScan {
    let base: UnsafePointer<UInt8>
    let end: Int
    let at: Int

    /// Whether `token` starts here. Its first byte is not compared: every caller has matched it already (the
    /// scan's switch), which saves a comparison on the path every byte takes.
    @inline(__always)
    func has(_ token: StaticString) -> Bool {
        let count = token.utf8CodeUnitCount
        guard end - at >= count else { return false }
        let bytes = token.utf8Start
        let here = base + at
        var k = 1
        while k < count {
            if here[k] != bytes[k] { return false }
            k += 1
        }
        return true
    }

    /// The byte `offset` bytes on (or back), or 0 outside the agent.
    @inline(__always)
    func byte(_ offset: Int) -> UInt8 {
        at + offset < end && at + offset >= 0 ? base[at + offset] : 0
    }

    /// Whether a version (digits and dots) `offset` bytes on is followed by ` (x86_64)`, ` (arm64)`, ` (i386)` or
    /// ` (Power`: how macOS apps' CFNetwork agents end `Darwin/…`, where iOS apps' end with the version.
    func namesMacArchitecture(after offset: Int) -> Bool {
        var k = offset
        while case let b = byte(k), b == UInt8(ascii: ".") || (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9")) {
            k += 1
        }
        guard byte(k) == UInt8(ascii: " "), byte(k + 1) == UInt8(ascii: "(") else { return false }
        let next = ReferenceScan(base: base, end: end, at: at + k + 1)
        return next.has("(x86_64)") || next.has("(arm64)") || next.has("(i386)") || next.has("(Power")
    }

    @inline(__always)
    func isUppercase(_ offset: Int) -> Bool {
        let b = byte(offset)
        return b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z")
    }

    @inline(__always)
    func isLetter(_ offset: Int) -> Bool {
        let b = byte(offset) | 0x20
        return b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z")
    }
}
