import CountryCodes
import CountryLookup
import Foundation
import Testing

/// One database file, opened: what each address looks up to. Synchronous: the databases are made by a Python
/// process the first time they are asked for.
@Suite struct CountryDatabaseTests {
    @Test(arguments: [
        // IPv4 networks, from their first address to their last, and IPv4-mapped IPv6 for the same.
        ("81.2.69.0", "DE"), ("81.2.69.160", "DE"), ("81.2.69.255", "DE"), ("::ffff:81.2.69.160", "DE"),
        ("81.2.70.0", "AT"), ("81.2.71.255", "AT"), ("::FFFF:81.2.71.1", "AT"),
        // IPv6 networks.
        ("2a02:8100::", "CH"), ("2a02:8100::1", "CH"), ("2a02:8100:ffff:ffff:ffff:ffff:ffff:ffff", "CH"),
        ("2001:db8:1:2::3", "FR"),
        // Records with a registered country only.
        ("5.145.1.1", "US"), ("::ffff:5.145.255.255", "US"), ("2a00:1450:4001::1", "GB"),
    ])
    func addressesInsideNetworksHaveTheirCountry(address: String, country: String) throws {
        let database = try CountryDatabase(path: TestDatabases.dualStack())
        #expect(database.country(forAddress: address) == CountryCode(country))
        #expect(
            Array(address.utf8).withUnsafeBufferPointer { database.country(forAddress: $0) } == CountryCode(country))
    }

    @Test(arguments: [
        "81.2.68.255", "81.2.72.0", "5.144.255.255", "10.0.0.1", "127.0.0.1", "0.0.0.0", "255.255.255.255",
        "::1", "::", "2a02:8101::1", "2a02:80ff:ffff:ffff::", "2001:db8:2::1",
        // IPv4-translated (::ffff:0:0/96) and NAT64 (64:ff9b::/96): not IPv4-mapped, so not looked up as IPv4.
        "::ffff:0:81.2.69.160", "64:ff9b::81.2.69.160",
    ])
    func addressesOutsideHaveNone(address: String) throws {
        let database = try CountryDatabase(path: TestDatabases.dualStack())
        #expect(database.country(forAddress: address) == nil)
    }

    @Test(arguments: ["", "81.2.69", "81.2.69.160 ", "2a02:8100::1::1", "[2a02:8100::1]", "DE", "81.2.69.0/24"])
    func malformedAddressesHaveNone(text: String) throws {
        let database = try CountryDatabase(path: TestDatabases.dualStack())
        #expect(database.country(forAddress: text) == nil)
    }

    @Test func anIPv4OnlyDatabaseAnswersIPv4AndIPv4MappedButNoIPv6() throws {
        let database = try CountryDatabase(path: TestDatabases.ipv4Only())
        #expect(database.ipVersion == 4)
        #expect(database.country(forAddress: "81.2.69.160") == CountryCode("DE"))
        #expect(database.country(forAddress: "::ffff:81.2.69.160") == CountryCode("DE"))
        #expect(database.country(forAddress: "5.145.1.1") == CountryCode("US"))
        #expect(database.country(forAddress: "2a02:8100::1") == nil)
    }

    @Test func theMetadataSaysWhatTheFileIs() throws {
        let path = try TestDatabases.dualStack()
        let database = try CountryDatabase(path: path)
        #expect(database.databaseType == "redirectd-Test-Country")
        #expect(database.ipVersion == 6)
        #expect(database.fileSize == (try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int))
        // Written when it was built (the tests keep built databases between runs, so not "now").
        let written = try #require(try FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date)
        let writtenAt = UInt64(written.timeIntervalSince1970)
        #expect(database.buildEpoch + 600 > writtenAt && database.buildEpoch <= writtenAt + 60)
    }

    @Test func aMissingFileIsMissing() throws {
        let directory = try TemporaryDirectory()
        #expect(
            throws: CountryDatabaseError(path: directory.path + "/none.mmdb", kind: .missing, reason: "no such file")
        ) {
            try CountryDatabase(path: directory.path + "/none.mmdb")
        }
    }

    @Test(arguments: ["empty", "text", "random", "first half", "last half", "a directory"])
    func aCorruptFileIsInvalid(kind: String) throws {
        let directory = try TemporaryDirectory()
        let good = try [UInt8](Data(contentsOf: URL(fileURLWithPath: TestDatabases.dualStack())))
        let path = directory.path + "/country.mmdb"
        var random = SystemRandomNumberGenerator()
        switch kind {
        case "empty": try directory.install(bytes: [], as: "country.mmdb")
        case "text": try directory.install(bytes: Array("81.2.69.0/24,DE\n".utf8), as: "country.mmdb")
        case "random": try directory.install(bytes: (0..<4096).map { _ in random.next() }, as: "country.mmdb")
        case "first half": try directory.install(bytes: Array(good.prefix(good.count / 2)), as: "country.mmdb")
        case "last half": try directory.install(bytes: Array(good.suffix(good.count / 2)), as: "country.mmdb")
        default: try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
        }
        let error = #expect(throws: CountryDatabaseError.self) { try CountryDatabase(path: path) }
        #expect(error?.kind == .invalid)
        #expect(error?.description.hasPrefix("country database \(path): not a valid MaxMind DB file: ") == true)
    }

    @Test func anUnreadableFileIsUnreadable() throws {
        // root reads any file whatever its mode: there is nothing to see then.
        guard getuid() != 0 else { return }
        let directory = try TemporaryDirectory()
        try directory.install(try TestDatabases.dualStack(), as: "country.mmdb")
        chmod(directory.path + "/country.mmdb", 0)
        let error = #expect(throws: CountryDatabaseError.self) {
            try CountryDatabase(path: directory.path + "/country.mmdb")
        }
        #expect(error?.kind == .unreadable)
    }
}
