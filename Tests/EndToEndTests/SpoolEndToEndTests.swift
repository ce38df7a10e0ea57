import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The spool behind a running FastCGI redirectd: its writers keep their bucket file between clicks, and
/// let go of it once the bucket has passed even when no further click comes.
@Suite(.serialized) struct SpoolEndToEndTests {
    func seal(_ stack: RedirectStack) throws -> String {
        let run = try ProcessRun.run(
            RedirectStack.redirectctl,
            ["seal", "--spool", stack.spool.path, "--bucket-seconds", "1"])
        return run.stdout + run.stderr
    }

    func names(_ stack: RedirectStack, _ sub: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: stack.spool.appendingPathComponent(sub).path)) ?? [])
            .filter { $0.hasSuffix(".jsonl") }
    }

    @Test func anIdleResponderLetsGoOfAPassedBucket() throws {
        let stack = try RedirectStack(bucketSeconds: 1)
        defer { stack.stop() }
        for n in 0..<5 {
            #expect(try stack.get("/redirect/welcome/s-\(n)", headers: ["User-Agent: Mozilla/5.0"]).status == 302)
        }
        // No more clicks. Within a second of the bucket's end every worker has closed its file, so a seal
        // takes everything (redirectd's own background sealer may have been first).
        usleep(2_200_000)
        let report = try seal(stack)
        #expect(names(stack, "current").isEmpty, "still in current/: \(names(stack, "current")); seal said: \(report)")
        #expect(!names(stack, "ready").isEmpty)
        #expect(try stack.events().compactMap { $0["session"] as? String }.sorted() == (0..<5).map { "s-\($0)" })
    }
}
