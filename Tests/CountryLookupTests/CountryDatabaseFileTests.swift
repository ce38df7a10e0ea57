import CountryCodes
import CountryLookup
import Foundation
import Synchronization
import SystemIO
import Testing

/// A clock the test moves by hand, in nanoseconds.
final class ManualClock: Sendable {
    private let nanoseconds = Atomic<Int64>(1_000_000_000_000)

    var now: @Sendable () -> Int64 { { [self] in nanoseconds.load(ordering: .relaxed) } }

    func advance(milliseconds: Int64) {
        nanoseconds.add(milliseconds * 1_000_000, ordering: .relaxed)
    }
}

/// What the database file logged.
final class LogLines: Sendable {
    private let lines = Locked<[String]>([])

    var log: @Sendable (String) -> Void { { [self] line in lines.withLock { $0.append(line) } } }
    var all: [String] { lines.withLock { $0 } }
}

/// The database file as redirectd's workers use it: replaced by rename, looked at once a second, problems logged
/// once. The clock is the test's, so nothing sleeps.
@Suite struct CountryDatabaseFileTests {
    let directory: TemporaryDirectory
    let clock = ManualClock()
    let lines = LogLines()
    var path: String { directory.path + "/country.mmdb" }

    init() throws {
        directory = try TemporaryDirectory()
    }

    func open() -> CountryDatabaseFile {
        CountryDatabaseFile(path: path, now: clock.now, log: lines.log)
    }

    @Test func aDatabaseThereAtTheStartAnswersAndLogsNothing() throws {
        try directory.install(TestDatabases.dualStack(), as: "country.mmdb")
        let file = open()
        #expect(file.country(forAddress: "81.2.69.160") == CountryCode("DE"))
        #expect(file.country(forAddress: "::ffff:81.2.69.160") == CountryCode("DE"))
        #expect(file.country(forAddress: "2a02:8100::1") == CountryCode("CH"))
        #expect(file.country(forAddress: "5.145.1.1") == CountryCode("US"))
        #expect(file.country(forAddress: "10.0.0.1") == nil)
        #expect(file.country(forAddress: "not an address") == nil)
        #expect(Array("81.2.70.1".utf8).withUnsafeBufferPointer { file.country(forAddress: $0) } == CountryCode("AT"))
        #expect(file.database?.databaseType == "redirectd-Test-Country")
        #expect(lines.all.isEmpty)
    }

    @Test func aReplacedFileServesAfterTheSecondIsOver() throws {
        try directory.install(TestDatabases.versionA(), as: "country.mmdb")
        let file = open()
        #expect(file.country(forAddress: "81.2.69.160") == CountryCode("DE"))
        try directory.install(TestDatabases.versionB(), as: "country.mmdb")
        // Within the second, look-ups keep the version they have, without a stat.
        #expect(file.country(forAddress: "81.2.69.160") == CountryCode("DE"))
        clock.advance(milliseconds: 999)
        #expect(file.country(forAddress: "81.2.69.160") == CountryCode("DE"))
        clock.advance(milliseconds: 1)
        #expect(file.country(forAddress: "81.2.69.160") == CountryCode("FR"))
        #expect(file.country(forAddress: "2001:db8::1") == CountryCode("FR"))
        #expect(lines.all.count == 1)
        #expect(lines.all.first?.hasPrefix("redirectd: country database \(path): opened a new version") == true)
    }

    @Test func reloadLooksAtOnce() throws {
        try directory.install(TestDatabases.versionA(), as: "country.mmdb")
        let file = open()
        try directory.install(TestDatabases.versionB(), as: "country.mmdb")
        file.reload()
        #expect(file.country(forAddress: "81.2.69.160") == CountryCode("FR"))
        // Unchanged, a reload opens nothing and logs nothing.
        file.reload()
        clock.advance(milliseconds: 5000)
        #expect(file.country(forAddress: "81.2.69.160") == CountryCode("FR"))
        #expect(lines.all.count == 1)
    }

    @Test func aMissingFileAnswersNilIsLoggedOnceAndIsPickedUpWhenItComes() throws {
        let file = open()
        for _ in 0..<5 {
            #expect(file.country(forAddress: "81.2.69.160") == nil)
            clock.advance(milliseconds: 1000)
        }
        file.reload()
        #expect(file.database == nil)
        #expect(
            lines.all == ["redirectd: country database \(path): no such file; clicks get no country until it is there"])

        try directory.install(TestDatabases.versionA(), as: "country.mmdb")
        clock.advance(milliseconds: 1000)
        #expect(file.country(forAddress: "81.2.69.160") == CountryCode("DE"))
        #expect(lines.all.count == 2)
        #expect(
            lines.all.last?.hasPrefix("redirectd: country database \(path): opened it (redirectd-Test-Country, built ")
                == true)
    }

    @Test func aCorruptFileAnswersNilAndIsLoggedOncePerVersion() throws {
        try directory.install(bytes: Array("not a database".utf8), as: "country.mmdb")
        let file = open()
        for _ in 0..<5 {
            #expect(file.country(forAddress: "81.2.69.160") == nil)
            clock.advance(milliseconds: 1000)
        }
        #expect(lines.all.count == 1)
        #expect(
            lines.all.first?.hasPrefix("redirectd: country database \(path): not a valid MaxMind DB file: ") == true)
        #expect(lines.all.first?.hasSuffix("; clicks get no country until it is replaced") == true)

        // Another bad version is another line, even with the same complaint.
        try directory.install(bytes: Array("still not a database".utf8), as: "country.mmdb")
        clock.advance(milliseconds: 1000)
        #expect(file.country(forAddress: "81.2.69.160") == nil)
        clock.advance(milliseconds: 1000)
        #expect(file.country(forAddress: "81.2.69.160") == nil)
        #expect(lines.all.count == 2)

        try directory.install(TestDatabases.versionA(), as: "country.mmdb")
        clock.advance(milliseconds: 1000)
        #expect(file.country(forAddress: "81.2.69.160") == CountryCode("DE"))
        #expect(lines.all.count == 3)
        #expect(lines.all.last?.contains(": opened it (") == true)
    }

    @Test func aCorruptReplacementLeavesTheOpenVersionServing() throws {
        try directory.install(TestDatabases.versionA(), as: "country.mmdb")
        let file = open()
        let good = try [UInt8](Data(contentsOf: URL(fileURLWithPath: TestDatabases.versionB())))
        try directory.install(bytes: Array(good.prefix(good.count / 2)), as: "country.mmdb")
        for _ in 0..<3 {
            clock.advance(milliseconds: 1000)
            #expect(file.country(forAddress: "81.2.69.160") == CountryCode("DE"))
        }
        #expect(lines.all.count == 1)
        #expect(lines.all.first?.hasSuffix("; the version opened before serves on") == true)

        try directory.install(TestDatabases.versionB(), as: "country.mmdb")
        clock.advance(milliseconds: 1000)
        #expect(file.country(forAddress: "81.2.69.160") == CountryCode("FR"))
        #expect(lines.all.count == 2)
        #expect(lines.all.last?.contains(": opened a new version (") == true)
    }

    @Test func aRemovedFileTurnsLookUpsOff() throws {
        try directory.install(TestDatabases.versionA(), as: "country.mmdb")
        let file = open()
        #expect(file.country(forAddress: "81.2.69.160") == CountryCode("DE"))
        try FileManager.default.removeItem(atPath: path)
        clock.advance(milliseconds: 1000)
        #expect(file.country(forAddress: "81.2.69.160") == nil)
        clock.advance(milliseconds: 1000)
        #expect(file.country(forAddress: "81.2.69.160") == nil)
        #expect(
            lines.all == ["redirectd: country database \(path): no such file; clicks get no country until it is there"])
    }

    @Test func aReplacedDatabaseIsClosedOnlyWhenNothingUsesIt() throws {
        try directory.install(TestDatabases.versionA(), as: "country.mmdb")
        let file = open()
        var held = file.database
        weak let old = held
        try directory.install(TestDatabases.versionB(), as: "country.mmdb")
        file.reload()
        // The file serves the new version; the old one is still open for whoever holds it.
        #expect(file.country(forAddress: "81.2.69.160") == CountryCode("FR"))
        #expect(held?.country(forAddress: "81.2.69.160") == CountryCode("DE"))
        #expect(old != nil)
        held = nil
        #expect(old == nil)
    }

    /// Worker threads look up without a pause while the file is replaced and reloaded under them: every answer
    /// is one of the two versions', never nil, and nothing crashes (run it under ThreadSanitizer too).
    @Test func lookUpsOnManyThreadsWhileTheFileIsReplaced() throws {
        try directory.install(TestDatabases.versionA(), as: "country.mmdb")
        let file = open()
        let workers = 4
        let stop = Atomic(false)
        let wrong = Atomic(0)
        let answered = Atomic(0)
        let finished = DispatchGroup()
        let de = CountryCode("DE")
        let fr = CountryCode("FR")
        for _ in 0..<workers {
            finished.enter()
            let thread = Thread {
                let text = Array("81.2.69.160".utf8)
                while !stop.load(ordering: .relaxed) {
                    let answer = text.withUnsafeBufferPointer { file.country(forAddress: $0) }
                    if answer != de && answer != fr { wrong.add(1, ordering: .relaxed) }
                    answered.add(1, ordering: .relaxed)
                }
                finished.leave()
            }
            thread.start()
        }
        let a = try TestDatabases.versionA()
        let b = try TestDatabases.versionB()
        for round in 0..<40 {
            try directory.install(round % 2 == 0 ? b : a, as: "country.mmdb")
            if round % 4 == 0 { file.reload() } else { clock.advance(milliseconds: 1000) }
            // Let the workers run between replacements, however busy the machine (bounded: 1 s at most).
            let target = answered.load(ordering: .relaxed) + 200
            for _ in 0..<1000 where answered.load(ordering: .relaxed) < target { usleep(1000) }
        }
        stop.store(true, ordering: .relaxed)
        finished.wait()
        #expect(wrong.load(ordering: .relaxed) == 0)
        #expect(answered.load(ordering: .relaxed) > 40 * 200 / 2)
        #expect(lines.all.allSatisfy { $0.contains(": opened a new version (") })
    }
}
