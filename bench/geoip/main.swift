import CountryCodes
import CountryLookup

// Country look-ups on their own, for bench/geoip/run:
//
//   geoip-bench DATABASE SAMPLE [ROUNDS]
//
// looks up the addresses in SAMPLE (one a line: addresses inside the database's networks) and as many random
// ones (most outside them), ROUNDS times (default 31), and prints the median CPU nanoseconds per look-up from text
// through CountryDatabaseFile (what a click costs), from a parsed address through CountryDatabase, and for
// parsing alone; then the anonymous and file-backed resident memory (/proc/self/smaps_rollup) before the
// database was opened and after every look-up.
//
//   geoip-bench DATABASE SAMPLE --quiet COUNT [ADDRESS]
//
// times nothing and prints only how many look-ups found a country: COUNT look-ups of ADDRESS from text through
// CountryDatabaseFile, or without ADDRESS, COUNT passes over all the addresses above. For callgrind: a run with
// 2×COUNT less a run with COUNT is what COUNT look-ups cost, without the setup (bench/geoip/run --instructions).
#if canImport(Glibc)
    import Glibc
#endif

/// The thread's CPU time: on a machine shared with other work, time spent preempted is not counted.
func nanoseconds() -> Int64 {
    var t = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
    return Int64(t.tv_sec) * 1_000_000_000 + Int64(t.tv_nsec)
}

/// "Anonymous:" and "Rss:" of /proc/self/smaps_rollup, in kB.
func residentMemory() -> (anonymous: Int, rss: Int) {
    guard let file = fopen("/proc/self/smaps_rollup", "r") else { return (-1, -1) }
    defer { fclose(file) }
    var anonymous = -1
    var rss = -1
    var line = [CChar](repeating: 0, count: 256)
    while fgets(&line, Int32(line.count), file) != nil {
        let text = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let fields = text.split(separator: " ", omittingEmptySubsequences: true)
        guard fields.count >= 2, let kB = Int(fields[1]) else { continue }
        if fields[0] == "Anonymous:" { anonymous = kB }
        if fields[0] == "Rss:" { rss = kB }
    }
    return (anonymous, rss)
}

func readLines(_ path: String) -> [String] {
    guard let file = fopen(path, "r") else { return [] }
    defer { fclose(file) }
    var lines: [String] = []
    var line = [CChar](repeating: 0, count: 128)
    while fgets(&line, Int32(line.count), file) != nil {
        let text = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            .filter { $0 != "\n" }
        if !text.isEmpty { lines.append(text) }
    }
    return lines
}

/// SplitMix64: the same random addresses on every run.
struct Random {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}

func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }

func format(_ value: Double) -> String {
    let tenths = Int((value * 10).rounded())
    return "\(tenths / 10).\(tenths % 10)"
}

let arguments = CommandLine.arguments
guard arguments.count >= 3 else {
    print("usage: geoip-bench DATABASE SAMPLE [ROUNDS] | DATABASE SAMPLE --quiet COUNT [ADDRESS]")
    exit(2)
}
let quiet = arguments.count > 4 && arguments[3] == "--quiet" ? Int(arguments[4]) : nil
let rounds = arguments.count > 3 ? Int(arguments[3]) ?? 31 : 31

// Address texts, packed in one array with their ends: the look-ups read bytes as they come from FastCGI.
var texts = readLines(arguments[2])
let insideCount = texts.count
var random = Random(state: 42)
for i in 0..<insideCount {
    let bits = random.next()
    if i % 5 == 4 {
        let address = IPAddress(high: 0x2000_0000_0000_0000 | (bits >> 3), low: random.next())
        texts.append(address.description)
    } else {
        texts.append(IPAddress(ipv4: UInt32(truncatingIfNeeded: bits)).description)
    }
}
var packed: [UInt8] = []
var packedEnds: [Int] = []
for text in texts {
    packed += text.utf8
    packedEnds.append(packed.count)
}
let bytes = packed
let ends = packedEnds
let parsed = texts.compactMap { IPAddress($0) }
guard parsed.count == texts.count else {
    print("geoip-bench: \(texts.count - parsed.count) sample lines are no addresses")
    exit(1)
}

if let count = quiet {
    let file = CountryDatabaseFile(path: arguments[1])
    var hits = 0
    if arguments.count > 5 {
        let address = Array(arguments[5].utf8)
        address.withUnsafeBufferPointer { text in
            for _ in 0..<count where file.country(forAddress: text) != nil { hits += 1 }
        }
    } else {
        for _ in 0..<count {
            hits += lookUpTexts(bytes, ends) { file.country(forAddress: $0) }
        }
    }
    print("found: \(hits)")
    exit(0)
}

let before = residentMemory()
let file = CountryDatabaseFile(path: arguments[1])
guard let database = file.database else {
    print("geoip-bench: \(arguments[1]) did not open")
    exit(1)
}
print("database: \(database.databaseType), \(database.fileSize) bytes, IPv\(database.ipVersion)")

var found = 0
var insideFound = 0
func lookUpTexts(
    _ bytes: [UInt8], _ ends: [Int], _ body: (UnsafeBufferPointer<UInt8>) -> CountryCode?
) -> Int {
    var hits = 0
    bytes.withUnsafeBufferPointer { all in
        var start = 0
        for end in ends {
            if body(UnsafeBufferPointer(rebasing: all[start..<end])) != nil { hits += 1 }
            start = end
        }
    }
    return hits
}
// Once to page the file in, and to count what is found.
for (i, address) in parsed.enumerated() where database.country(for: address) != nil {
    found += 1
    if i < insideCount { insideFound += 1 }
}
print("addresses: \(insideCount) inside networks (\(insideFound) found), \(texts.count - insideCount) random")

let germany = CountryCode("DE")
var throughFile: [Double] = []
var throughDatabase: [Double] = []
var parsing: [Double] = []
var sink = 0
for _ in 0..<rounds {
    var start = nanoseconds()
    sink &+= lookUpTexts(bytes, ends) { file.country(forAddress: $0) }
    throughFile.append(Double(nanoseconds() - start) / Double(texts.count))

    start = nanoseconds()
    for address in parsed where database.country(for: address) != nil { sink &+= 1 }
    throughDatabase.append(Double(nanoseconds() - start) / Double(parsed.count))

    start = nanoseconds()
    sink &+= lookUpTexts(bytes, ends) { IPAddress($0) == nil ? nil : germany }
    parsing.append(Double(nanoseconds() - start) / Double(texts.count))
}
let after = residentMemory()

print("median ns/look-up, text through CountryDatabaseFile: \(format(median(throughFile)))")
print("median ns/look-up, parsed address through CountryDatabase: \(format(median(throughDatabase)))")
print("median ns/parse of the text alone: \(format(median(parsing)))")
print("anonymous resident kB: \(before.anonymous) without the database, \(after.anonymous) with it open and used")
print("anonymous growth kB: \(after.anonymous - before.anonymous)")
print("all resident kB: \(before.rss) without, \(after.rss) with (file pages of the mapping count here)")
if sink == 42 { print("") }
