import RedirectCore
import RedirectFiles
import TOML

// Micro-benchmarks for the redirect-file path, in one process (no nginx): `swift run -c release redirect-bench`.
//
//   redirect-bench parse [FILE] [N]      time to parse FILE (default redirects.d/spring-sale.toml): TOML alone,
//                                        and TOML to Redirect, in µs per file (median and best of 21 runs of N
//                                        parses, default 20000)
//   redirect-bench store [FILES] [SECONDS] [CACHE]
//                                        RSS while looking up random ids among FILES redirect files (default
//                                        100000) for SECONDS (default 60) with a cache of CACHE entries
//                                        (default 20000): one line of figures every tenth of the time
#if canImport(Glibc)
    import Glibc
#endif

func now() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_MONOTONIC, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
}

func readFile(_ path: String) -> String? {
    guard let f = fopen(path, "r") else { return nil }
    defer { fclose(f) }
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65_536)
    while true {
        let n = fread(&buffer, 1, buffer.count, f)
        if n <= 0 { break }
        bytes += buffer[..<n]
    }
    return String(decoding: bytes, as: UTF8.self)
}

/// Resident set size in KiB, from /proc/self/statm.
func residentKiB() -> Int {
    guard let text = readFile("/proc/self/statm") else { return 0 }
    let fields = text.split(separator: " ")
    return fields.count > 1 ? (Int(fields[1]) ?? 0) * Int(sysconf(Int32(_SC_PAGESIZE))) / 1024 : 0
}

/// Median and best of `runs` timings of `iterations` calls, in µs per call.
func measure(runs: Int = 21, iterations: Int, _ body: () -> Void) -> (median: Double, best: Double) {
    var perCall: [Double] = []
    for _ in 0..<runs {
        let start = now()
        for _ in 0..<iterations { body() }
        perCall.append((now() - start) / Double(iterations) * 1e6)
    }
    perCall.sort()
    return (perCall[runs / 2], perCall[0])
}

func parseBenchmark(_ path: String, iterations: Int) {
    guard let text = readFile(path) else {
        print("redirect-bench: cannot read \(path)")
        exit(1)
    }
    var sink = 0
    let toml = measure(iterations: iterations) {
        if let table = try? TOMLParser().parse(text) { sink &+= table.count }
    }
    let redirect = measure(iterations: iterations) {
        let result = RedirectFileParser.parseRedirect(text: text, id: "bench", file: path)
        sink &+= result.value?.tags.count ?? 0
    }
    print("file: \(path) (\(text.utf8.count) bytes)")
    print("TOML parse:          median \(format(toml.median)) µs, best \(format(toml.best)) µs")
    print("TOML -> Redirect:    median \(format(redirect.median)) µs, best \(format(redirect.best)) µs")
    if sink == 42 { print("") }
}

func format(_ value: Double) -> String {
    let hundredths = Int((value * 100).rounded())
    let fraction = String(hundredths % 100)
    return "\(hundredths / 100)." + (fraction.count == 1 ? "0" + fraction : fraction)
}

func storeBenchmark(files: Int, seconds: Double, cache: Int) {
    var template = "/tmp/redirect-bench-XXXXXX".utf8CString
    guard let made = template.withUnsafeMutableBufferPointer({ buffer in buffer.baseAddress.flatMap { mkdtemp($0) } })
    else {
        print("redirect-bench: cannot make a temporary directory")
        exit(1)
    }
    let directory = String(cString: made)
    let example = readFile("redirects.d/spring-sale.toml") ?? "url = \"https://e.com/\"\n"
    for k in 0..<files {
        let path = directory + "/l\(k).toml"
        guard let f = fopen(path, "w") else { continue }
        fputs(example.replacingFirst("spring", with: "spring\(k)"), f)
        fclose(f)
    }
    let store = RedirectStore(directory: directory, cacheLimit: cache) { _ in }
    print("\(files) files in \(directory), cache \(cache), \(Int(seconds)) s")
    print("elapsed s   lookups     RSS MiB")
    var generator = SystemRandomNumberGenerator()
    let start = now()
    var lookups = 0
    var nextReport = seconds / 10
    while now() - start < seconds {
        for _ in 0..<1000 {
            _ = store.lookup("l\(Int.random(in: 0..<files, using: &generator))")
        }
        lookups += 1000
        if now() - start >= nextReport {
            print("\(format(now() - start))   \(lookups)   \(format(Double(residentKiB()) / 1024))")
            nextReport += seconds / 10
        }
    }
    for k in 0..<files { unlink(directory + "/l\(k).toml") }
    rmdir(directory)
}

extension String {
    func replacingFirst(_ target: String, with replacement: String) -> String {
        guard let range = firstRange(of: target) else { return self }
        return String(self[..<range.lowerBound]) + replacement + String(self[range.upperBound...])
    }
}

let arguments = CommandLine.arguments.dropFirst()
switch arguments.first {
case "parse"?:
    let rest = Array(arguments.dropFirst())
    parseBenchmark(
        rest.first ?? "redirects.d/spring-sale.toml", iterations: rest.count > 1 ? Int(rest[1]) ?? 20_000 : 20_000)
case "store"?:
    let rest = Array(arguments.dropFirst())
    storeBenchmark(
        files: rest.first.flatMap { Int($0) } ?? 100_000,
        seconds: rest.count > 1 ? Double(rest[1]) ?? 60 : 60,
        cache: rest.count > 2 ? Int(rest[2]) ?? 20_000 : 20_000)
default:
    print("usage: redirect-bench parse [FILE] [N] | store [FILES] [SECONDS] [CACHE]")
    exit(2)
}
