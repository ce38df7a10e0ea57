import RedirectCore
import RedirectFiles
import TOML
import Timestamps

// Micro-benchmarks for the redirect-file path, in one process (no nginx): `swift run -c release redirect-bench`.
//
//   redirect-bench parse [FILE] [N]      time to parse FILE (default redirects.d/spring-sale.toml): TOML alone,
//                                        and TOML to Redirect, in µs per file (median and best of 21 runs of N
//                                        parses, default 20000)
//   redirect-bench store [FILES] [SECONDS] [CACHE]
//                                        RSS while looking up random ids among FILES redirect files (default
//                                        100000) for SECONDS (default 60) with a cache of CACHE entries
//                                        (default 100000): one line of figures every tenth of the time
//   redirect-bench memory [FILES]        heap bytes per cached link with FILES copies of spring-sale.toml
//                                        (default 100000) all cached, and the process's RSS
//   redirect-bench click [FILES] [N]     per lookup and per click (lookup, ClickDecider, event line): allocations
//                                        and ns, for one id and for random ids over FILES files, all cached
//
// `memory` and allocation counts need bench/malloc-count.c preloaded:
//   cc -O2 -shared -fPIC -o .build-bench/malloc-count.so bench/malloc-count.c -ldl
//   LD_PRELOAD=.build-bench/malloc-count.so .build-bench/release/redirect-bench memory
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

/// A temporary directory with `files` copies of spring-sale.toml, `l0.toml` …, each with its own campaign.
func makeDirectory(files: Int) -> String {
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
    return directory
}

func removeDirectory(_ directory: String, files: Int) {
    for k in 0..<files { unlink(directory + "/l\(k).toml") }
    rmdir(directory)
}

func storeBenchmark(files: Int, seconds: Double, cache: Int) {
    let directory = makeDirectory(files: files)
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
    removeDirectory(directory, files: files)
}

typealias LiveBytesFunction = @convention(c) () -> Int
/// Bytes live on the heap, from bench/malloc-count.so (nil without it).
let liveBytes: LiveBytesFunction? = dlsym(dlopen(nil, RTLD_NOW), "malloc_count_live_bytes")
    .map { unsafeBitCast($0, to: LiveBytesFunction.self) }
let liveAllocations: LiveBytesFunction? = dlsym(dlopen(nil, RTLD_NOW), "malloc_count_live_allocations")
    .map { unsafeBitCast($0, to: LiveBytesFunction.self) }

func memoryBenchmark(files: Int) {
    let directory = makeDirectory(files: files)
    defer { removeDirectory(directory, files: files) }
    guard let liveBytes, let liveAllocations else {
        print("redirect-bench memory: run it under LD_PRELOAD=.build-bench/malloc-count.so")
        exit(2)
    }
    let ids = (0..<files).map { "l\($0)" }
    let store = RedirectStore(directory: directory, cacheLimit: files) { _ in }
    let rssBefore = residentKiB()
    let before = liveBytes() + 8 * liveAllocations()
    let allocationsBefore = liveAllocations()
    for id in ids { _ = store.lookup(id) }
    let after = liveBytes() + 8 * liveAllocations()
    let allocationsPerLink = Double(liveAllocations() - allocationsBefore) / Double(files)
    // A second pass, all hits: nothing may stay behind.
    let hitsBefore = liveAllocations()
    for id in ids { _ = store.lookup(id) }
    let leftByHits = liveAllocations() - hitsBefore
    let rssAfter = residentKiB()
    precondition(store.cachedCount == files)
    // The URL's and the properties' own bytes: what the redirect says, without any structure.
    let sample = RedirectFileParser.parseRedirect(
        text: readFile(directory + "/l1.toml") ?? "", id: "l1", file: "l1.toml"
    ).value
    let urlBytes = sample?.url.utf8.count ?? 0
    let propertyBytes = (sample?.properties ?? []).reduce(0) { total, member in
        total + member.key.utf8.count + member.value.jsonText.utf8.count
    }
    let perLink = Double(after - before) / Double(files)
    print("\(files) links cached (copies of spring-sale.toml, ids l0…)")
    print(
        "heap per cached link:   \(format(perLink)) bytes in \(format(allocationsPerLink)) allocations"
            + " (usable size of each, + malloc's 8-byte header)")
    print("left on the heap by \(files) hits: \(leftByHits) allocations")
    print("URL + properties bytes: \(urlBytes) + \(propertyBytes) (keys and values as JSON text)")
    print("beyond them:            \(format(perLink - Double(urlBytes + propertyBytes))) bytes")
    print("RSS: \(format(Double(rssBefore) / 1024)) MiB before, \(format(Double(rssAfter) / 1024)) MiB with all cached")
}

typealias CountFunction = @convention(c) () -> UInt
let mallocCalls: CountFunction? = dlsym(dlopen(nil, RTLD_NOW), "malloc_count_calls")
    .map { unsafeBitCast($0, to: CountFunction.self) }

func clickBenchmark(files: Int, iterations: Int) {
    let directory = makeDirectory(files: files)
    defer { removeDirectory(directory, files: files) }
    let ids = (0..<files).map { "l\($0)" }
    let store = RedirectStore(directory: directory, cacheLimit: files) { _ in }
    for id in ids { _ = store.lookup(id) }
    let defaults = RedirectDefaults(
        source: "redirect-links", eventType: "redirect", properties: [("channel", .string("link"))])
    // Random order fixed in advance, so that both runs do the same work besides the id.
    var generator = SystemRandomNumberGenerator()
    let order = (0..<65_536).map { _ in Int.random(in: 0..<files, using: &generator) }
    var sink = 0
    func run(_ label: String, _ pick: (Int) -> Int, click: Bool) {
        let calls = mallocCalls?() ?? 0
        let start = now()
        for i in 0..<iterations {
            let id = ids[pick(i)]
            if click {
                let request = ClickRequest(
                    method: "GET", pathInfo: "/" + id + "/s-1", query: "", remoteAddress: "203.0.113.7",
                    userAgent: "Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0", referer: nil,
                    acceptLanguage: "en", host: "go.example.com")
                let decision = ClickDecider.decide(
                    for: request, defaults: defaults, now: Timestamp(millisecondsSinceEpoch: 1_764_000_000_000),
                    clickID: "0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b", lookup: store.lookup)
                sink &+= decision.event?.jsonLine().count ?? 0
            } else if case .found(let r) = store.lookup(id) {
                sink &+= r.url.utf8.count
            }
        }
        let elapsed = now() - start
        let allocations = mallocCalls.map { Double($0() - calls) / Double(iterations) }
        print(
            "\(label): \(format(elapsed / Double(iterations) * 1e9)) ns, "
                + (allocations.map { "\(format($0)) allocations" } ?? "allocations not counted (no LD_PRELOAD)"))
    }
    print("\(files) files, all cached, \(iterations) calls each")
    // What the revalidation of a hit costs by itself: the same lstat the store makes, on the same path.
    let path = directory + "/l1.toml"
    var s = stat()
    let lstatStart = now()
    for _ in 0..<iterations { sink &+= Int(lstat(path, &s)) }
    print("lstat, one file    : \(format((now() - lstatStart) / Double(iterations) * 1e9)) ns")
    let paths = order.map { directory + "/l\($0).toml" }
    let randomStart = now()
    for i in 0..<iterations { sink &+= Int(lstat(paths[i & 65_535], &s)) }
    print("lstat, random files: \(format((now() - randomStart) / Double(iterations) * 1e9)) ns")
    let defaultsStart = now()
    for _ in 0..<iterations { sink &+= store.defaults().properties.count }
    print("defaults(), none   : \(format((now() - defaultsStart) / Double(iterations) * 1e9)) ns")
    run("lookup, one id     ", { _ in 1 }, click: false)
    run("lookup, random ids ", { order[$0 & 65_535] }, click: false)
    run("click, one id      ", { _ in 1 }, click: true)
    run("click, random ids  ", { order[$0 & 65_535] }, click: true)
    if sink == 42 { print("") }
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
        cache: rest.count > 2 ? Int(rest[2]) ?? 100_000 : 100_000)
case "memory"?:
    let rest = Array(arguments.dropFirst())
    memoryBenchmark(files: rest.first.flatMap { Int($0) } ?? 100_000)
case "click"?:
    let rest = Array(arguments.dropFirst())
    clickBenchmark(
        files: rest.first.flatMap { Int($0) } ?? 100_000,
        iterations: rest.count > 1 ? Int(rest[1]) ?? 1_000_000 : 1_000_000)
default:
    print(
        "usage: redirect-bench parse [FILE] [N] | store [FILES] [SECONDS] [CACHE] | memory [FILES] | click [FILES] [N]")
    exit(2)
}
