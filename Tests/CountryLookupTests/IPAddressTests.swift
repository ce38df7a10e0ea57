import CountryLookup
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
