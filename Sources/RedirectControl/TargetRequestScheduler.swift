/// Which waiting requests may start, under two limits: requests in flight in all, and requests to one host.
///
/// A plain value: the checker adds requests and reports them finished; `next()` says which to start. Hosts take
/// turns, so one host with a thousand targets cannot keep the others waiting while its own limit holds it back.
public struct TargetRequestScheduler<Job: Sendable>: Sendable {
    /// At most this many requests in flight at once.
    public let concurrency: Int
    /// At most this many of them to one host.
    public let perHost: Int
    /// Requests in flight now.
    public private(set) var inFlight = 0
    /// Waiting jobs per host, first in first out (`head` is the next one's index).
    private var waiting: [String: (jobs: [Job], head: Int)] = [:]
    /// In-flight requests per host.
    private var running: [String: Int] = [:]
    /// Hosts with waiting jobs, in the order they take turns.
    private var turns: [String] = []
    private var turn = 0

    public init(concurrency: Int, perHost: Int) {
        self.concurrency = max(1, concurrency)
        self.perHost = max(1, perHost)
    }

    /// Whether nothing waits and nothing is in flight.
    public var isIdle: Bool { inFlight == 0 && turns.isEmpty }

    /// Queues `job`, a request to `host`.
    public mutating func add(_ job: Job, host: String) {
        if waiting[host] == nil {
            waiting[host] = ([job], 0)
            turns.append(host)
        } else {
            waiting[host]?.jobs.append(job)
        }
    }

    /// The next job to start now, counted as in flight, or nil when the limits (or an empty queue) allow none.
    public mutating func next() -> (job: Job, host: String)? {
        guard inFlight < concurrency, !turns.isEmpty else { return nil }
        for step in 0..<turns.count {
            let position = (turn + step) % turns.count
            let host = turns[position]
            guard running[host, default: 0] < perHost, let queue = waiting[host] else { continue }
            let job = queue.jobs[queue.head]
            if queue.head + 1 == queue.jobs.count {
                waiting[host] = nil
                turns.remove(at: position)
                turn = turns.isEmpty ? 0 : position % turns.count
            } else {
                waiting[host]?.head += 1
                turn = (position + 1) % turns.count
            }
            running[host, default: 0] += 1
            inFlight += 1
            return (job, host)
        }
        return nil
    }

    /// A request to `host` that `next()` started has ended.
    public mutating func finished(host: String) {
        inFlight -= 1
        let left = running[host, default: 1] - 1
        running[host] = left > 0 ? left : nil
    }
}
