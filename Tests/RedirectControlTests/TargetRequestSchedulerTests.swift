import RedirectControl
import Testing

/// The two limits of `check --targets` as a plain value: in flight in all, and to one host.
@Suite struct TargetRequestSchedulerTests {
    /// The job `next()` starts, outside `#expect` (which cannot call a mutating method).
    func nextJob<Job>(_ scheduler: inout TargetRequestScheduler<Job>) -> Job? {
        scheduler.next()?.job
    }

    @Test func perHostLimitHoldsAndOtherHostsTakeTurns() {
        var scheduler = TargetRequestScheduler<Int>(concurrency: 4, perHost: 2)
        for job in 0..<5 { scheduler.add(job, host: "a") }
        scheduler.add(10, host: "b")
        scheduler.add(11, host: "b")
        var started: [String] = []
        while let (job, host) = scheduler.next() { started.append("\(host)\(job)") }
        #expect(started == ["a0", "b10", "a1", "b11"])
        #expect(scheduler.inFlight == 4)
        scheduler.finished(host: "b")
        // b has nothing left and a has two in flight: nothing may start.
        #expect(nextJob(&scheduler) == nil)
        scheduler.finished(host: "a")
        #expect(nextJob(&scheduler) == 2)
        #expect(nextJob(&scheduler) == nil)
    }

    @Test func concurrencyBoundsEveryHost() {
        var scheduler = TargetRequestScheduler<Int>(concurrency: 3, perHost: 10)
        for job in 0..<10 { scheduler.add(job, host: "h\(job)") }
        var count = 0
        while scheduler.next() != nil { count += 1 }
        #expect(count == 3)
        for host in ["h0", "h1", "h2"] { scheduler.finished(host: host) }
        var rest: [Int] = []
        while !scheduler.isIdle {
            guard let (job, host) = scheduler.next() else { break }
            rest.append(job)
            scheduler.finished(host: host)
        }
        #expect(rest == Array(3..<10))
        #expect(scheduler.isIdle)
    }

    @Test func aJobAddedWhileItsHostIsBusyWaitsItsTurn() {
        var scheduler = TargetRequestScheduler<String>(concurrency: 8, perHost: 1)
        scheduler.add("first", host: "a")
        #expect(nextJob(&scheduler) == "first")
        scheduler.add("redirect", host: "a")
        #expect(nextJob(&scheduler) == nil)
        scheduler.finished(host: "a")
        #expect(nextJob(&scheduler) == "redirect")
    }
}
