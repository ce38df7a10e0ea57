// The bot matcher on its own, for bench/bot-matcher: `bot-bench AGENT ITERATIONS` matches AGENT ITERATIONS
// times and prints the nanoseconds per match; `bot-bench AGENT ITERATIONS quiet` prints only the answer (for
// callgrind, which counts the instructions).
#if canImport(Glibc)
    import Glibc
#endif

let arguments = CommandLine.arguments
guard arguments.count >= 3, let iterations = Int(arguments[2]) else {
    print("usage: bot-bench AGENT ITERATIONS [quiet]")
    exit(2)
}
let agent = Array(arguments[1].utf8)
var hits = 0
var start = timespec()
clock_gettime(CLOCK_MONOTONIC, &start)
agent.withUnsafeBufferPointer { bytes in
    for _ in 0..<iterations where BotMatcher.firstRule(bytes) != nil { hits += 1 }
}
var end = timespec()
clock_gettime(CLOCK_MONOTONIC, &end)
let nanoseconds = Double(end.tv_sec - start.tv_sec) * 1e9 + Double(end.tv_nsec - start.tv_nsec)
let answer = agent.withUnsafeBufferPointer { BotMatcher.match($0) }.map { "\($0.label) (\($0.category))" } ?? "none"
if arguments.count > 3 {
    print("answer: \(answer)")
} else {
    print("bytes: \(agent.count)  answer: \(answer)  flagged: \(hits)/\(iterations)")
    let tenths = Int((nanoseconds * 10 / Double(max(1, iterations))).rounded())
    print("ns/match: \(tenths / 10).\(tenths % 10)")
}
