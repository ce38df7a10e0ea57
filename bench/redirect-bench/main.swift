import CountryCodes
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
//   redirect-bench memory [FILES] [FILE] heap bytes per cached link with FILES copies of FILE (default
//                                        redirects.d/spring-sale.toml, 100000) all cached, and the process's RSS
//   redirect-bench click [FILES] [N]     per lookup and per click (lookup, ClickDecider, event line): allocations
//                                        and ns, for one id and for random ids over FILES files, all cached
//   redirect-bench rules [N]             per evaluation of a file with rules and splits (the draw, the
//                                        first-choice language, RuleEvaluator): allocations and ns
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

/// A temporary directory with `files` copies of `file`, `l0.toml` …, each with its own campaign (spring-sale.toml's).
func makeDirectory(files: Int, copying file: String = "redirects.d/spring-sale.toml") -> String {
    var template = "/tmp/redirect-bench-XXXXXX".utf8CString
    guard let made = template.withUnsafeMutableBufferPointer({ buffer in buffer.baseAddress.flatMap { mkdtemp($0) } })
    else {
        print("redirect-bench: cannot make a temporary directory")
        exit(1)
    }
    let directory = String(cString: made)
    let example = readFile(file) ?? "url = \"https://e.com/\"\n"
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
    // As a responder worker does: one release (the directory and its defaults), then lookups in it.
    let release = store.release()
    print("\(files) files in \(directory), cache \(cache), \(Int(seconds)) s")
    print("elapsed s   lookups     RSS MiB")
    var generator = SystemRandomNumberGenerator()
    let start = now()
    var lookups = 0
    var nextReport = seconds / 10
    while now() - start < seconds {
        for _ in 0..<1000 {
            _ = store.lookup("l\(Int.random(in: 0..<files, using: &generator))", in: release)
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

func memoryBenchmark(files: Int, template: String) {
    let directory = makeDirectory(files: files, copying: template)
    defer { removeDirectory(directory, files: files) }
    guard let liveBytes, let liveAllocations else {
        print("redirect-bench memory: run it under LD_PRELOAD=.build-bench/malloc-count.so")
        exit(2)
    }
    let ids = (0..<files).map { "l\($0)" }
    let store = RedirectStore(directory: directory, cacheLimit: files) { _ in }
    // As a responder worker does: one release (the directory and its defaults), then lookups in it.
    let release = store.release()
    let rssBefore = residentKiB()
    let before = liveBytes() + 8 * liveAllocations()
    let allocationsBefore = liveAllocations()
    for id in ids { _ = store.lookup(id, in: release) }
    let after = liveBytes() + 8 * liveAllocations()
    let allocationsPerLink = Double(liveAllocations() - allocationsBefore) / Double(files)
    // A second pass, all hits: nothing may stay behind.
    let hitsBefore = liveAllocations()
    for id in ids { _ = store.lookup(id, in: release) }
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
    print("\(files) links cached (copies of \(template), ids l0…)")
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
    // As a responder worker does: one release (the directory and its defaults), then lookups in it.
    let release = store.release()
    for id in ids { _ = store.lookup(id, in: release) }
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
                    clickID: "0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b", lookup: { store.lookup($0, in: release) })
                sink &+= decision.event?.jsonLine().count ?? 0
            } else if case .found(let r) = store.lookup(id, in: release) {
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
    // A worker's once-a-second look: the directory (a link?) and _defaults.toml (none here).
    for _ in 0..<iterations { sink &+= store.release().defaults.properties.count }
    print("release(), none    : \(format((now() - defaultsStart) / Double(iterations) * 1e9)) ns")
    run("lookup, one id     ", { _ in 1 }, click: false)
    run("lookup, random ids ", { order[$0 & 65_535] }, click: false)
    run("click, one id      ", { _ in 1 }, click: true)
    run("click, random ids  ", { order[$0 & 65_535] }, click: true)
    if sink == 42 { print("") }
}

/// The example: four rules (device and form, language and country, bot, query and window) and a split.
let rulesExample = """
    url = "https://shop.example.com/sale"
    [[rules]]
    name = "ios"
    device = ["ios"]
    form = ["mobile"]
    url = "https://apps.apple.com/app/id123"
    [[rules]]
    name = "dach"
    language = ["de"]
    country = ["DE", "AT", "CH"]
    url = "https://shop.example.com/de/sale"
    properties = { market = "dach" }
    [[rules]]
    name = "previews"
    bot = true
    url = "https://shop.example.com/sale/preview-card"
    [[rules]]
    name = "launch-week"
    query = { utm_content = "b" }
    from = 2026-03-01T00:00:00Z
    until = 2026-03-08T00:00:00Z
    url = "https://shop.example.com/launch"
    [[variants]]
    name = "a"
    weight = 50
    url = "https://shop.example.com/sale?v=a"
    [[variants]]
    name = "b"
    weight = 50
    url = "https://shop.example.com/sale?v=b"
    """

func rulesBenchmark(iterations: Int) {
    guard let redirect = RedirectFileParser.parseRedirect(text: rulesExample, id: "sale", file: "sale.toml").value
    else {
        print("redirect-bench: the rules example does not parse")
        exit(1)
    }
    let request = ClickRequest(
        method: "GET", pathInfo: "/sale", query: "utm_content=a", remoteAddress: "203.0.113.7",
        userAgent: "Mozilla/5.0 (Linux; Android 15; Pixel 9) Mobile", acceptLanguage: "fr-CH,de;q=0.8,en;q=0.5")
    let query = QueryString(parsing: request.query)
    let time = Timestamp(year: 2026, month: 3, day: 3)
    var sink = 0
    let fixed = RuleContext(
        device: .android, form: .mobile, language: request.firstChoiceLanguage, country: CountryCode("CH"),
        query: query, now: time, isBot: false, draw: .random(0))
    func run(_ label: String, session: String?, part: Int = 0) {
        let calls = mallocCalls?() ?? 0
        let start = now()
        for _ in 0..<iterations {
            if part == 1 {
                sink &+= Int(request.firstChoiceLanguage?.packed ?? 0)
                continue
            }
            if part == 3 {
                sink &+= RuleEvaluator.evaluate(redirect, in: fixed).variant ?? 9
                continue
            }
            if part == 2 {
                let draw = SplitDraw.forClick(
                    request, linkID: "sale", session: session, honorsPrivacySignal: false, random: 0)
                sink &+= Int(truncatingIfNeeded: draw.value)
                continue
            }
            let context = RuleContext(
                device: .android, form: .mobile, language: request.firstChoiceLanguage, country: CountryCode("CH"),
                query: query, now: time, isBot: false,
                draw: .forClick(request, linkID: "sale", session: session, honorsPrivacySignal: false, random: 0))
            let match = RuleEvaluator.evaluate(redirect, in: context)
            sink &+= (match.rule ?? 9) &+ (match.variant ?? 9)
        }
        let elapsed = now() - start
        let allocations = mallocCalls.map { Double($0() - calls) / Double(iterations) }
        print(
            "\(label): \(format(elapsed / Double(iterations) * 1e9)) ns, "
                + (allocations.map { "\(format($0)) allocations" } ?? "allocations not counted (no LD_PRELOAD)"))
    }
    print("4 rules (none matches: every condition is tried) and a 50/50 split, \(iterations) evaluations each")
    run("evaluate, session draw        ", session: "s-1")
    run("evaluate, address + agent draw", session: nil)
    run("of which first-choice language", session: nil, part: 1)
    run("of which the rules, evaluated ", session: nil, part: 3)
    run("of which session draw         ", session: "s-1", part: 2)
    run("of which address + agent draw ", session: nil, part: 2)
    // What a cache hit costs for this file, and a click's choice over the rules as the cache keeps them
    // (packed, evaluated in place).
    let directory = makeDirectory(files: 0)
    if let f = fopen(directory + "/sale.toml", "w") {
        fputs(rulesExample, f)
        fclose(f)
    }
    let store = RedirectStore(directory: directory, cacheLimit: 10) { _ in }
    // As a responder worker does: one release (the directory and its defaults), then lookups in it.
    let release = store.release()
    _ = store.lookup("sale", in: release)
    let calls = mallocCalls?() ?? 0
    let start = now()
    for _ in 0..<iterations / 10 {
        if case .found(let r) = store.lookup("sale", in: release) { sink &+= r.url.utf8.count }
    }
    let allocations = mallocCalls.map { Double($0() - calls) / Double(iterations / 10) }
    print(
        "lookup (cached)               : \(format((now() - start) / Double(iterations / 10) * 1e9)) ns, "
            + (allocations.map { "\(format($0)) allocations" } ?? "allocations not counted (no LD_PRELOAD)"))
    if case .found(let cached) = store.lookup("sale", in: release) {
        let packedCalls = mallocCalls?() ?? 0
        let packedStart = now()
        for _ in 0..<iterations { sink &+= RuleEvaluator.evaluate(cached, in: fixed).variant ?? 9 }
        let packedAllocations = mallocCalls.map { Double($0() - packedCalls) / Double(iterations) }
        print(
            "the rules, evaluated packed   : \(format((now() - packedStart) / Double(iterations) * 1e9)) ns, "
                + (packedAllocations.map { "\(format($0)) allocations" } ?? "allocations not counted"))
        let outcomeCalls = mallocCalls?() ?? 0
        let outcomeStart = now()
        let match = RuleEvaluator.evaluate(cached, in: fixed)
        for _ in 0..<iterations / 10 { sink &+= cached.outcome(for: match).url.utf8.count }
        let outcomeAllocations = mallocCalls.map { Double($0() - outcomeCalls) / Double(iterations / 10) }
        print(
            "the winner's outcome, packed  : \(format((now() - outcomeStart) / Double(iterations / 10) * 1e9)) ns, "
                + (outcomeAllocations.map { "\(format($0)) allocations" } ?? "allocations not counted"))
    }
    if let liveBytes, let liveAllocations {
        // What the unpacked rules of one lookup hold on the heap (they live as long as the click).
        var kept: [Redirect] = []
        kept.reserveCapacity(10_000)
        let before = liveBytes() + 8 * liveAllocations()
        for _ in 0..<10_000 { if case .found(let r) = store.lookup("sale", in: release) { kept.append(r) } }
        let after = liveBytes() + 8 * liveAllocations()
        print("heap one lookup holds         : \(format(Double(after - before) / 10_000)) bytes")
        sink &+= kept.count
    }
    unlink(directory + "/sale.toml")
    rmdir(directory)
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
    memoryBenchmark(
        files: rest.first.flatMap { Int($0) } ?? 100_000,
        template: rest.count > 1 ? rest[1] : "redirects.d/spring-sale.toml")
case "rules"?:
    let rest = Array(arguments.dropFirst())
    rulesBenchmark(iterations: rest.first.flatMap { Int($0) } ?? 1_000_000)
case "click"?:
    let rest = Array(arguments.dropFirst())
    clickBenchmark(
        files: rest.first.flatMap { Int($0) } ?? 100_000,
        iterations: rest.count > 1 ? Int(rest[1]) ?? 1_000_000 : 1_000_000)
default:
    print(
        "usage: redirect-bench parse [FILE] [N] | store [FILES] [SECONDS] [CACHE] | memory [FILES] [FILE] | click [FILES] [N] | rules [N]"
    )
    exit(2)
}
