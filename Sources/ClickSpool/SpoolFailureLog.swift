import Synchronization
import SystemIO

/// Reports spool write failures at most once a minute with a count, and once when writing works again.
///
/// A full disk must not turn every click into a line in nginx's error log.
public final class SpoolFailureLog: Sendable {
    private struct State {
        var failuresSinceReport = 0
        var failing = false
        var lastReport: Int64 = .min
    }

    private let state = Locked(State())
    /// Set while writes fail, so that a successful write costs one atomic load and no lock.
    private let failing = Atomic(false)
    private let interval: Int64
    private let log: @Sendable (String) -> Void

    public init(intervalMilliseconds: Int64 = 60_000, log: @escaping @Sendable (String) -> Void) {
        self.interval = intervalMilliseconds
        self.log = log
    }

    public func failed(_ error: SpoolError, nowMilliseconds now: Int64) {
        let message: String? = state.withLock { s in
            s.failuresSinceReport += 1
            s.failing = true
            failing.store(true, ordering: .relaxed)
            guard s.lastReport == .min || now - s.lastReport >= interval else { return nil }
            let count = s.failuresSinceReport
            s.failuresSinceReport = 0
            s.lastReport = now
            return
                "redirectd: click log: \(error); \(count) event(s) not recorded since the last report (visitors were still redirected)"
        }
        if let message { log(message) }
    }

    public func succeeded() {
        guard failing.load(ordering: .relaxed) else { return }
        let message: String? = state.withLock { s in
            guard s.failing else { return nil }
            s.failing = false
            failing.store(false, ordering: .relaxed)
            let count = s.failuresSinceReport
            s.failuresSinceReport = 0
            s.lastReport = .min
            return "redirectd: click log writable again"
                + (count > 0 ? " (\(count) more event(s) were not recorded)" : "")
        }
        if let message { log(message) }
    }
}
