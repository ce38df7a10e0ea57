import DeviceDetection

// Nanoseconds per device classification, in one process: `swift run -c release device-bench [ROUNDS]`, from the
// repository's root.
//
//   1. the 149-byte iPad agent bench/bot-matcher times (one of fake-useragent's), 2,000,000 times;
//   2. every agent of the oracle test's corpora (Tests/BotPatternData/browsers.txt and
//      device-detector-browsers.txt, 36,000 agents) ROUNDS times (default 20): the mean per agent.
//
// For callgrind, which counts instructions: `device-bench one AGENT N` classifies AGENT N times and
// `device-bench corpus N` classifies every agent of the corpora N times, each printing only a check; the
// difference between two runs (N=1000 and N=2000, or N=1 and N=2 for the corpus) over the extra classifications
// is the instructions per classification:
//   valgrind --tool=callgrind --callgrind-out-file=/dev/null .build/release/device-bench one "$AGENT" 1000
//
// With bench/malloc-count.so preloaded it also prints the heap allocations per classification (the goal is none):
//   cc -O2 -shared -fPIC -o .build-bench/malloc-count.so bench/malloc-count.c -ldl
//   LD_PRELOAD=.build-bench/malloc-count.so .build/release/device-bench
//
// Median and best of 7 runs each, in the thread's CPU time (CLOCK_THREAD_CPUTIME_ID), so that other work on a shared
// machine does not count as waiting. The agents sit in one buffer, so the loop times only the classifier.
#if canImport(Glibc)
    import Glibc
#endif

/// The thread's CPU time in nanoseconds.
func now() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
    return Double(t.tv_sec) * 1e9 + Double(t.tv_nsec)
}

/// The lines of `path` that are not comments, as byte ranges of one shared buffer.
func readAgents(_ path: String, into bytes: inout [UInt8], ranges: inout [Range<Int>]) {
    guard let file = fopen(path, "r") else {
        print("cannot read \(path): run from the repository's root")
        exit(1)
    }
    defer { fclose(file) }
    var line: UnsafeMutablePointer<CChar>? = nil
    var capacity = 0
    while case let n = getline(&line, &capacity, file), n > 0, let line {
        var length = n
        if line[length - 1] == 10 { length -= 1 }
        guard length > 0, line[0] != 35 else { continue }  // '#'
        let start = bytes.count
        line.withMemoryRebound(to: UInt8.self, capacity: length) {
            bytes.append(contentsOf: UnsafeBufferPointer(start: $0, count: length))
        }
        ranges.append(start..<bytes.count)
    }
    free(line)
}

/// Median and best nanoseconds per classification over 7 runs of `body`, which classifies `count` agents.
func measure(count: Int, _ body: () -> Int) -> (median: Double, best: Double, check: Int) {
    var times: [Double] = []
    var check = 0
    for _ in 0..<7 {
        let start = now()
        check &+= body()
        times.append((now() - start) / Double(count))
    }
    times.sort()
    return (times[3], times[0], check)
}

func format(_ ns: Double) -> String {
    let tenths = Int((ns * 10).rounded())
    return "\(tenths / 10).\(tenths % 10)"
}

/// A number that depends on every answer, so that no classification can be left out, at the cost of two compares.
@inline(__always)
func fold(_ device: Device) -> Int {
    (device.os == nil ? 0 : 1) &+ (device.form == nil ? 0 : 2)
}

typealias CountFunction = @convention(c) () -> UInt
/// malloc calls so far, from bench/malloc-count.so (nil without it).
let mallocCalls: CountFunction? = dlsym(dlopen(nil, RTLD_NOW), "malloc_count_calls")
    .map { unsafeBitCast($0, to: CountFunction.self) }

/// The agents of the oracle test's corpora, in one buffer, and their ranges in it.
func readCorpus() -> (bytes: [UInt8], ranges: [Range<Int>]) {
    var corpus: [UInt8] = []
    var ranges: [Range<Int>] = []
    for path in ["Tests/BotPatternData/browsers.txt", "Tests/BotPatternData/device-detector-browsers.txt"] {
        readAgents(path, into: &corpus, ranges: &ranges)
    }
    return (corpus, ranges)
}

let arguments = CommandLine.arguments
if arguments.count > 1, arguments[1] == "one" || arguments[1] == "corpus" {
    // Quiet modes for callgrind: nothing but the classifications and one line of check.
    var sum = 0
    if arguments[1] == "one", arguments.count == 4, let n = Int(arguments[3]) {
        let agent = Array(arguments[2].utf8)
        agent.withUnsafeBufferPointer { bytes in
            for _ in 0..<n { sum &+= fold(DeviceClassifier.classify(bytes)) }
        }
        let device = agent.withUnsafeBufferPointer { DeviceClassifier.classify($0) }
        print("\(device.os?.rawValue ?? "nil")/\(device.form?.rawValue ?? "nil") check \(sum)")
    } else if arguments[1] == "corpus", arguments.count == 3, let n = Int(arguments[2]) {
        let (corpus, ranges) = readCorpus()
        corpus.withUnsafeBufferPointer { bytes in
            for _ in 0..<n {
                for range in ranges {
                    sum &+= fold(DeviceClassifier.classify(UnsafeBufferPointer(rebasing: bytes[range])))
                }
            }
        }
        print("\(ranges.count) agents check \(sum)")
    } else {
        print("usage: device-bench [ROUNDS] | one AGENT N | corpus N")
        exit(2)
    }
    exit(0)
}

let rounds = arguments.count > 1 ? Int(arguments[1]) ?? 20 : 20

let ipad = Array(
    ("Mozilla/5.0 (iPad; CPU OS 18_3_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        + "EdgiOS/134.0.3124.95 Version/18.0 Mobile/15E148 Safari/604.1").utf8)
let iterations = 2_000_000
let single = ipad.withUnsafeBufferPointer { agent in
    measure(count: iterations) {
        var sum = 0
        for _ in 0..<iterations { sum &+= fold(DeviceClassifier.classify(agent)) }
        return sum
    }
}
let answer = ipad.withUnsafeBufferPointer { DeviceClassifier.classify($0) }
print(
    "\(ipad.count)-byte iPad agent (\(answer.os?.rawValue ?? "nil")/\(answer.form?.rawValue ?? "nil")): "
        + "\(format(single.median)) ns/classification (best \(format(single.best)))")

if let mallocCalls {
    let before = mallocCalls()
    let sum = ipad.withUnsafeBufferPointer { agent in
        (0..<100_000).reduce(0) { sum, _ in sum &+ fold(DeviceClassifier.classify(agent)) }
    }
    let calls = mallocCalls() - before
    print("allocations: \(calls) in 100,000 classifications (check \(sum))")
}

let (corpus, ranges) = readCorpus()
let all = corpus.withUnsafeBufferPointer { bytes in
    measure(count: ranges.count * rounds) {
        var sum = 0
        for _ in 0..<rounds {
            for range in ranges { sum &+= fold(DeviceClassifier.classify(UnsafeBufferPointer(rebasing: bytes[range]))) }
        }
        return sum
    }
}
print(
    "corpus, \(ranges.count) agents of \(corpus.count / max(1, ranges.count)) bytes on average: "
        + "\(format(all.median)) ns/classification (best \(format(all.best)))")
if single.check == 42 && all.check == 42 { print("") }  // keeps the sums alive
