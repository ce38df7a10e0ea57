import CountryLookup
import Foundation
import TestSupport
import Testing

@Suite struct IPAddressTests {
    @Test(arguments: [
        ("81.2.69.160", "81.2.69.160"), ("0.0.0.0", "0.0.0.0"), ("255.255.255.255", "255.255.255.255"),
        ("2a02:8100::1", "2a02:8100::1"), ("2A02:8100:0:0:0:0:0:1", "2a02:8100::1"), ("::1", "::1"),
        ("::ffff:81.2.69.160", "81.2.69.160"), ("::FFFF:5102:45a0", "81.2.69.160"),
        ("ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"),
    ])
    func addressesParseToTheirUsualText(text: String, expected: String) {
        #expect(IPAddress(text)?.description == expected)
    }

    @Test func anIPv4MappedAddressIsTheIPv4Address() {
        #expect(IPAddress("::ffff:81.2.69.160") == IPAddress("81.2.69.160"))
        #expect(IPAddress("81.2.69.160")?.ipv4 == 0x5102_45a0)
        #expect(IPAddress("::ffff:81.2.69.160")?.ipv4 == 0x5102_45a0)
        #expect(IPAddress("2a02:8100::1")?.ipv4 == nil)
        // IPv4-compatible (::/96) is not IPv4-mapped: it stays an IPv6 address.
        #expect(IPAddress("::81.2.69.160")?.ipv4 == nil)
    }

    @Test(arguments: [
        "", "81.2.69", "81.2.69.256", "81.2.69.160.1", "81.2.69.-1", " 81.2.69.160", "81.2.69.160 ",
        "81.2.69.160\n", "2a02:8100::1::1", "2a02:8100:::1", "[2a02:8100::1]", "fe80::1%eth0", "localhost",
        "example.com", "1:2:3:4:5:6:7:8:9", "::ffff:81.2.69.1600", "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.2555",
        String(repeating: "1", count: 100),
    ])
    func malformedTextIsNoAddress(text: String) {
        #expect(IPAddress(text) == nil)
    }

    @Test func aNulByteDoesNotCutTheTextShort() {
        let bytes: [UInt8] = Array("81.2.69.160".utf8) + [0] + Array("junk".utf8)
        #expect(bytes.withUnsafeBufferPointer { IPAddress($0) } == nil)
    }
}

/// Dotted decimal is read without `inet_pton`: it must take exactly what `inet_pton` takes, and IPv6 must still
/// parse as before. Each text is checked against the parse `inet_pton` alone gives.
@Suite struct IPv4ParsingTests {
    /// What `inet_pton` makes of `bytes`, as addresses were parsed before: AF_INET6 when there is a colon, else
    /// AF_INET; nil for a NUL, an empty or an over-long text.
    static func inetPton(_ bytes: [UInt8]) -> IPAddress? {
        guard !bytes.isEmpty, bytes.count <= 45, !bytes.contains(0) else { return nil }
        let text = bytes.map { CChar(bitPattern: $0) } + [0]
        if bytes.contains(UInt8(ascii: ":")) {
            var address = in6_addr()
            guard inet_pton(AF_INET6, text, &address) == 1 else { return nil }
            let octets = withUnsafeBytes(of: &address) { Array($0) }
            return IPAddress(
                high: octets[0..<8].reduce(0) { $0 << 8 | UInt64($1) },
                low: octets[8..<16].reduce(0) { $0 << 8 | UInt64($1) })
        }
        var address = in_addr()
        guard inet_pton(AF_INET, text, &address) == 1 else { return nil }
        return IPAddress(ipv4: UInt32(bigEndian: address.s_addr))
    }

    static func parse(_ bytes: [UInt8]) -> IPAddress? { bytes.withUnsafeBufferPointer { IPAddress($0) } }

    @Test(arguments: [
        "01.2.3.4", "1.02.3.4", "1.2.3.04", "00.0.0.0", "010.1.1.1", "1.2.3.00", "1.2.3", "1.2.3.4.5", "1.2",
        "1", "0", "256.1.1.1", "1.2.3.256", "1.2.3.1000", "1.2.3.2555", "999.1.1.1", " 1.2.3.4", "1.2.3.4 ",
        "1. 2.3.4", "1.2.3.4\t", "+1.2.3.4", "-1.2.3.4", "1.2.3.+4", "1.-2.3.4", "1..2.3", "1..2.3.4", ".1.2.3.4",
        "1.2.3.4.", "1.2.3.", "...", "....", "", "0x1.2.3.4", "0x7f.0.0.1", "1.2.3.4/24", "1e1.2.3.4", "1,2,3,4",
        "4294967295", "2130706433", "127.1", "１.2.3.4", "1.2.3.4\0", "1.2.3\04", "a.b.c.d", "1.2.3.4a",
    ])
    func whatInetPtonRefusesIsRefused(text: String) {
        let bytes = Array(text.utf8)
        #expect(Self.inetPton(bytes) == nil)
        #expect(Self.parse(bytes) == nil)
    }

    @Test(
        arguments: [
            ("0.0.0.0", 0), ("1.2.3.4", 0x0102_0304), ("10.0.0.255", 0x0a00_00ff), ("127.0.0.1", 0x7f00_0001),
            ("100.20.3.0", 0x6414_0300), ("255.255.255.255", 0xffff_ffff), ("199.99.9.90", 0xc763_095a),
        ] as [(String, UInt32)])
    func dottedDecimalIsTheAddressInetPtonReads(text: String, value: UInt32) {
        let bytes = Array(text.utf8)
        #expect(Self.parse(bytes) == IPAddress(ipv4: value))
        #expect(Self.inetPton(bytes) == IPAddress(ipv4: value))
    }

    /// Random texts of digits, dots and a few other bytes, numbers with and without leading zeros in three to
    /// five parts, and real addresses with one byte changed: the parse is `inet_pton`'s every time.
    @Test func randomTextsParseAsInetPtonParsesThem() {
        var random = SplitMix64(seed: 2026)
        let alphabet = Array("0123456789012345678901234567890123456789....... :+-xa/".utf8) + [0, 0xef]
        var texts: [[UInt8]] = []
        for _ in 0..<60_000 {
            let length = Int.random(in: 0...17, using: &random)
            texts.append((0..<length).map { _ in alphabet.randomElement(using: &random)! })
        }
        for _ in 0..<60_000 {
            let parts = (0..<Int.random(in: 3...5, using: &random)).map { _ -> String in
                switch Int.random(in: 0..<10, using: &random) {
                case 0: return ""
                case 1: return "0" + String(Int.random(in: 0...300, using: &random))
                case 2: return String(Int.random(in: 0...1500, using: &random))
                default: return String(Int.random(in: 0...255, using: &random))
                }
            }
            texts.append(Array(parts.joined(separator: ".").utf8))
        }
        for _ in 0..<60_000 {
            let address = IPAddress(ipv4: UInt32.random(in: 0...UInt32.max, using: &random))
            var text = Array(address.description.utf8)
            #expect(Self.parse(text) == address)
            let at = Int.random(in: 0..<text.count, using: &random)
            switch Int.random(in: 0..<3, using: &random) {
            case 0: text.remove(at: at)
            case 1: text.insert(alphabet.randomElement(using: &random)!, at: at)
            default: text[at] = alphabet.randomElement(using: &random)!
            }
            texts.append(text)
        }
        // IPv6 goes on to `inet_pton` as before.
        for _ in 0..<5_000 {
            let address = IPAddress(high: random.next(), low: random.next())
            texts.append(Array(address.description.utf8))
            texts.append(
                Array(
                    ("::ffff:"
                        + IPAddress(ipv4: UInt32.random(in: 0...UInt32.max, using: &random))
                        .description).utf8))
        }
        let differing = texts.filter { Self.parse($0) != Self.inetPton($0) }
        #expect(differing.map { String(decoding: $0, as: UTF8.self) } == [])
        // The texts reach both outcomes often, so the comparison says something.
        let accepted = texts.filter { Self.inetPton($0) != nil }.count
        #expect(accepted > 20_000 && accepted < texts.count - 20_000)
    }
}
