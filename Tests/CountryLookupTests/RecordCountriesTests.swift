import CountryCodes
import CountryLookup
import Foundation
import Synchronization
import TestSupport
import Testing

/// An open database remembers the country of each record it has looked up: the answers must be the ones the
/// record's map gives, on the first look-up and every one after, on any thread, and a new version of the file
/// must not answer from the old version's memory.
@Suite struct RecordCountriesTests {
    /// Every address the other tests ask about, inside networks and outside.
    static let addresses = [
        "81.2.69.0", "81.2.69.160", "81.2.69.255", "::ffff:81.2.69.160", "81.2.70.0", "81.2.71.255",
        "::FFFF:81.2.71.1", "2a02:8100::", "2a02:8100::1", "2a02:8100:ffff:ffff:ffff:ffff:ffff:ffff",
        "2001:db8:1:2::3", "5.145.1.1", "::ffff:5.145.255.255", "2a00:1450:4001::1", "81.2.68.255", "81.2.72.0",
        "5.144.255.255", "10.0.0.1", "127.0.0.1", "0.0.0.0", "255.255.255.255", "::1", "::", "2a02:8101::1",
        "::ffff:0:81.2.69.160", "64:ff9b::81.2.69.160",
    ]

    @Test func aRememberedAnswerIsTheAnswerOfAFreshlyOpenedDatabase() throws {
        let path = try TestDatabases.dualStack()
        // A database opened for each address answers from the record's map: nothing is remembered yet.
        let fresh = try Self.addresses.map { try CountryDatabase(path: path).country(forAddress: $0) }
        #expect(fresh.compactMap { $0 }.count == 14)
        let database = try CountryDatabase(path: path)
        for _ in 0..<3 {
            #expect(Self.addresses.map { database.country(forAddress: $0) } == fresh)
            #expect(Self.addresses.reversed().map { database.country(forAddress: $0) } == fresh.reversed())
        }
    }

    @Test func anIPv4OnlyDatabaseRemembersItsOwnAnswers() throws {
        let database = try CountryDatabase(path: TestDatabases.ipv4Only())
        for _ in 0..<3 {
            #expect(database.country(forAddress: "81.2.69.160") == CountryCode("DE"))
            #expect(database.country(forAddress: "5.145.1.1") == CountryCode("US"))
            #expect(database.country(forAddress: "10.0.0.1") == nil)
            #expect(database.country(forAddress: "2a02:8100::1") == nil)
        }
    }

    /// 1,352 records in a table of 4,096 slots: many share a slot and overwrite each other, in any order.
    @Test func manyRecordsSharingSlotsEachKeepTheirCountry() throws {
        let database = try CountryDatabase(path: TestDatabases.manyRecordsDatabase())
        var cases = TestDatabases.manyRecords
        var random = SplitMix64(seed: 7)
        for _ in 0..<4 {
            cases.shuffle(using: &random)
            let wrong = cases.filter { database.country(forAddress: $0.address) != CountryCode($0.country) }
            #expect(wrong.map(\.address) == [])
        }
        #expect(database.country(forAddress: "12.0.0.1") == nil)
    }

    /// Threads that race for the same slots never read one record's offset with another's country.
    @Test func threadsRacingForSlotsGetOnlyRightAnswers() throws {
        let database = try CountryDatabase(path: TestDatabases.manyRecordsDatabase())
        let cases = TestDatabases.manyRecords.map { (Array($0.address.utf8), CountryCode($0.country)) }
        let wrong = Atomic(0)
        let finished = DispatchGroup()
        for worker in 0..<4 {
            finished.enter()
            Thread {
                var random = SplitMix64(seed: UInt64(worker))
                for _ in 0..<5 {
                    for (text, country) in cases.shuffled(using: &random)
                    where text.withUnsafeBufferPointer({ database.country(forAddress: $0) }) != country {
                        wrong.add(1, ordering: .relaxed)
                    }
                }
                finished.leave()
            }.start()
        }
        finished.wait()
        #expect(wrong.load(ordering: .relaxed) == 0)
    }

    /// Versions A and B each have one record for 81.2.69.0/24 (DE, then FR), at the start of the data section:
    /// if B answered from what A remembered, it would say DE.
    @Test func aReplacedDatabaseStartsWithNothingRemembered() throws {
        let directory = try TemporaryDirectory()
        let clock = ManualClock()
        let lines = LogLines()
        try directory.install(TestDatabases.versionA(), as: "country.mmdb")
        let file = CountryDatabaseFile(path: directory.path + "/country.mmdb", now: clock.now, log: lines.log)
        for _ in 0..<3 { #expect(file.country(forAddress: "81.2.69.160") == CountryCode("DE")) }
        try directory.install(TestDatabases.versionB(), as: "country.mmdb")
        file.reload()
        for _ in 0..<3 {
            #expect(file.country(forAddress: "81.2.69.160") == CountryCode("FR"))
            #expect(file.country(forAddress: "2001:db8::1") == CountryCode("FR"))
        }
        try directory.install(TestDatabases.versionA(), as: "country.mmdb")
        file.reload()
        for _ in 0..<3 {
            #expect(file.country(forAddress: "81.2.69.160") == CountryCode("DE"))
            #expect(file.country(forAddress: "2001:db8::1") == nil)
        }
    }
}
