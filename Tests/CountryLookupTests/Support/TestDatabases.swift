import Foundation
import SystemIO
import TestSupport

/// MaxMind DB files made for the tests by `Resources/make_country_db.py` (mmdb-writer, in the tests' virtual
/// environment), each made once and copied where a test wants it.
enum TestDatabases {
    /// The networks the look-up tests ask about: IPv4 and IPv6 with a country, and one of each with only a
    /// registered country (as GeoLite2 has for anycast and satellite ranges).
    static let networks = [
        "81.2.69.0/24=DE", "81.2.70.0/23=AT", "5.145.0.0/16=registered:US",
        "2a02:8100::/32=CH", "2001:db8:1::/48=FR", "2a00:1450::/32=registered:GB",
    ]

    /// `networks` in an IPv6 database (IPv4 under ::/96, as MaxMind's are).
    static func dualStack() throws -> String { try made.withLock { try make(&$0, "dual", networks) } }

    /// `networks`' IPv4 half in an IPv4-only database.
    static func ipv4Only() throws -> String {
        try made.withLock {
            try make(&$0, "ipv4", networks.filter { !$0.prefix { $0 != "=" }.contains(":") } + ["--ip-version", "4"])
        }
    }

    /// `dualStack()`, `ipv4Only()` or `manyRecordsDatabase()` (`kind` "dual", "ipv4", "many") with the search
    /// tree's records `recordSize` bits long: 24 (what so few nodes get), 28 or 32 (what larger databases have).
    /// "big" is `dualStack()` with 17 MB of padding before its records, which makes them at least 28 bits.
    static func database(_ kind: String, recordSize: Int) throws -> String {
        let arguments: [String]
        switch kind {
        case "dual": arguments = networks
        // 17 MB: the records lie past 2**24, so no database of them has 24-bit records.
        case "big": arguments = networks + ["--padding", "17000000"]
        case "ipv4": arguments = networks.filter { !$0.prefix { $0 != "=" }.contains(":") } + ["--ip-version", "4"]
        default: arguments = manyRecordsArguments
        }
        return try made.withLock {
            try make(&$0, "\(kind)-\(recordSize)", arguments + ["--record-size", "\(recordSize)"])
        }
    }

    /// Version A of a file the tests replace: 81.2.69.0/24 in DE.
    static func versionA() throws -> String { try made.withLock { try make(&$0, "a", ["81.2.69.0/24=DE"]) } }

    /// Version B: the same network in FR, and one more, so the file's size differs too.
    static func versionB() throws -> String {
        try made.withLock { try make(&$0, "b", ["81.2.69.0/24=FR", "2001:db8::/32=FR"]) }
    }

    /// Many records, far more than fit the table of record countries without sharing slots: 10.x.y.0/24 in
    /// each country AA…ZZ, and 11.x.y.0/24 with each as its registered country only. Each network is a record of
    /// its own, one address in it, and the country it answers.
    static let manyRecords: [(network: String, address: String, country: String)] = (0..<676).flatMap { i in
        let letters = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
        let code = String([letters[i / 26], letters[i % 26]])
        let (x, y) = (i / 256, i % 256)
        return [
            ("10.\(x).\(y).0/24", "10.\(x).\(y).\(i % 256)", code),
            ("11.\(x).\(y).0/24", "11.\(x).\(y).\(255 - i % 256)", code),
        ]
    }

    /// `manyRecords` in an IPv6 database.
    static func manyRecordsDatabase() throws -> String {
        try made.withLock { try make(&$0, "many", manyRecordsArguments) }
    }

    private static var manyRecordsArguments: [String] {
        manyRecords.map {
            $0.network.hasPrefix("10.") ? "\($0.network)=\($0.country)" : "\($0.network)=registered:\($0.country)"
        }
    }

    private static let made = Locked<[String: String]>([:])
    private static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    /// The database of `arguments`, made once and kept under `.build/country-lookup-tests/` by a name that
    /// depends on the arguments and the script, so that later runs (and test processes running at once) reuse it.
    private static func make(_ made: inout [String: String], _ name: String, _ arguments: [String]) throws
        -> String
    {
        if let path = made[name] { return path }
        let script = packageRoot + "/Tests/CountryLookupTests/Resources/make_country_db.py"
        let scriptText = try String(contentsOfFile: script, encoding: .utf8)
        // FNV-1a: a name that changes with the script or the networks.
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in (arguments + [scriptText]).joined(separator: "\n").utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
        }
        let directory = packageRoot + "/.build/country-lookup-tests"
        let path = directory + "/\(name)-\(String(hash, radix: 16)).mmdb"
        if !FileManager.default.fileExists(atPath: path) {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let temporary = path + ".\(getpid()).tmp"
            let run = try ProcessRun.run(try TestPython.venvPython(), [script, temporary] + arguments)
            guard run.status == 0 else { throw TestDatabaseError("make_country_db.py failed: \(run.stderr)") }
            guard rename(temporary, path) == 0 else { throw TestDatabaseError("rename to \(path) failed") }
        }
        made[name] = path
        return path
    }
}

struct TestDatabaseError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// A directory of the test's own, removed at the end.
final class TemporaryDirectory {
    let path: String

    init() throws {
        path = NSTemporaryDirectory() + "redirectd-geoip-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    /// Puts a copy of `source` at `name` the way an update does: written beside it, then renamed over it.
    func install(_ source: String, as name: String) throws {
        let temporary = path + "/." + name + ".new"
        try? FileManager.default.removeItem(atPath: temporary)
        try FileManager.default.copyItem(atPath: source, toPath: temporary)
        guard rename(temporary, path + "/" + name) == 0 else { throw TestDatabaseError("rename failed") }
    }

    /// Puts `bytes` at `name`, written beside it and renamed over it.
    func install(bytes: [UInt8], as name: String) throws {
        let temporary = path + "/." + name + ".new"
        try Data(bytes).write(to: URL(fileURLWithPath: temporary))
        guard rename(temporary, path + "/" + name) == 0 else { throw TestDatabaseError("rename failed") }
    }
}
