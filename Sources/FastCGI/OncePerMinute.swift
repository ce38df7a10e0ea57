import Synchronization

/// Lets one line of a kind into the log a minute: a loop at its connection limit, or out of descriptors, would
/// otherwise write one for every connection (nginx warns at most once a second for the same reason).
final class OncePerMinute: Sendable {
    /// When a line was last let through (milliseconds of the coarse monotonic clock; 0: never).
    private let last = Atomic(0)

    /// Whether a line may be written at `now`; if so, the next one may not for a minute.
    func allows(now: Int) -> Bool {
        let previous = last.load(ordering: .relaxed)
        return (previous == 0 || now - previous >= 60_000)
            && last.compareExchange(expected: previous, desired: max(1, now), ordering: .relaxed).exchanged
    }
}
