import CountryCodes
import TestSupport
import Testing

@testable import CountryLookup

/// The search tree is walked here instead of in libmaxminddb: every address must end at the record
/// `MMDB_lookup_sockaddr` finds (or at none where it finds none), for each record size and both IP versions.
@Suite struct SearchTreeTests {
    /// Addresses on and around the edges of every test network, in and out of them, in every form.
    static let edges: [IPAddress] = [
        "81.2.68.255", "81.2.69.0", "81.2.69.160", "81.2.69.255", "81.2.70.0", "81.2.71.255", "81.2.72.0",
        "5.144.255.255", "5.145.0.0", "5.145.255.255", "5.146.0.0", "0.0.0.0", "255.255.255.255", "127.0.0.1",
        "::ffff:81.2.69.160", "::81.2.69.160", "::ffff:0:81.2.69.160", "64:ff9b::81.2.69.160", "::", "::1",
        "2a02:80ff:ffff:ffff:ffff:ffff:ffff:ffff", "2a02:8100::", "2a02:8100:ffff:ffff:ffff:ffff:ffff:ffff",
        "2a02:8101::", "2001:db8:1::", "2001:db8:1:ffff:ffff:ffff:ffff:ffff", "2001:db8:2::", "2a00:1450::1",
        "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
    ].map { IPAddress($0)! }

    /// The edges, every address of `TestDatabases.manyRecords`, and random ones: all of IPv4, IPv4 near the test
    /// networks, IPv6 anywhere, inside the test networks' /16s, and under ::/96 (where IPv4 lives).
    static let addresses: [IPAddress] = {
        var random = SplitMix64(seed: 96)
        var addresses = edges + TestDatabases.manyRecords.map { IPAddress($0.address)! }
        for _ in 0..<4_000 {
            let bits = random.next()
            addresses.append(IPAddress(ipv4: UInt32(truncatingIfNeeded: bits)))
            addresses.append(IPAddress(ipv4: 0x5102_4400 | UInt32(truncatingIfNeeded: bits >> 32) & 0x03ff))
            addresses.append(IPAddress(ipv4: 0x0a00_0000 | UInt32(truncatingIfNeeded: bits >> 40) & 0x01_ffff))
            addresses.append(IPAddress(high: random.next(), low: random.next()))
            let prefix: UInt64 = [0x2a02_8100, 0x2001_0db8, 0x2a00_1450][Int(bits % 3)] << 32
            addresses.append(IPAddress(high: prefix | (random.next() >> 48) << 16, low: random.next()))
            addresses.append(IPAddress(high: 0, low: UInt64(UInt32(truncatingIfNeeded: bits))))
        }
        return addresses
    }()

    @Test(arguments: ["dual", "ipv4", "many", "big"], [24, 28, 32])
    func everyAddressEndsAtTheRecordLibmaxminddbFinds(kind: String, recordSize: Int) throws {
        let database = try CountryDatabase(path: TestDatabases.database(kind, recordSize: recordSize))
        #expect(database.walksTheTree)
        let differing = Self.addresses.filter { database.record(for: $0) != database.libmaxminddbRecord(for: $0) }
        #expect(differing.map(\.description) == [])
        // Both outcomes are common, so the comparison says something.
        let found = Self.addresses.filter { database.record(for: $0) != .noRecord }.count
        #expect(found > 1_000 && found < Self.addresses.count - 1_000)
    }

    @Test(arguments: [24, 28, 32])
    func eachRecordSizeAnswersTheCountries(recordSize: Int) throws {
        let dual = try CountryDatabase(path: TestDatabases.database("dual", recordSize: recordSize))
        let ipv4 = try CountryDatabase(path: TestDatabases.database("ipv4", recordSize: recordSize))
        let big = try CountryDatabase(path: TestDatabases.database("big", recordSize: recordSize))
        #expect(big.country(forAddress: "1.0.0.1") == nil)
        #expect(big.country(forAddress: "2a02:8100::1") == CountryCode("CH"))
        for database in [dual, ipv4, big] {
            #expect(database.country(forAddress: "81.2.69.160") == CountryCode("DE"))
            #expect(database.country(forAddress: "::ffff:81.2.71.1") == CountryCode("AT"))
            #expect(database.country(forAddress: "5.145.1.1") == CountryCode("US"))
            #expect(database.country(forAddress: "81.2.72.0") == nil)
        }
        #expect(dual.country(forAddress: "2a02:8100::1") == CountryCode("CH"))
        #expect(dual.country(forAddress: "2a00:1450:4001::1") == CountryCode("GB"))
        #expect(dual.country(forAddress: "::81.2.69.160") == CountryCode("DE"))
        #expect(ipv4.country(forAddress: "2a02:8100::1") == nil)
    }
}
