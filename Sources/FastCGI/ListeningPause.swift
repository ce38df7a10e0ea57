import Synchronization

/// Whether the FastCGI loop has left its listening socket unwatched, and since when.
///
/// At the connection limit with nothing idle, or when the process is out of descriptors, accepting would fail or
/// evict nothing, so the socket is left out of epoll and new connections wait in its queue (nginx would answer a
/// refused one with a 502). A closing connection ends the pause, or, failing that, the first worker to look once
/// ``milliseconds`` have passed, since descriptors may be free again.
final class ListeningPause: Sendable {
    /// How long the listening socket stays unwatched when nothing else ends the pause.
    static let milliseconds = 100

    private let paused = Atomic(false)
    /// When the pause began (milliseconds of the coarse monotonic clock).
    private let since = Atomic(0)

    var isPaused: Bool { paused.load(ordering: .relaxed) }

    /// Begins a pause at `now`.
    func begin(now: Int) {
        since.store(now, ordering: .relaxed)
        paused.store(true, ordering: .relaxed)
    }

    /// Whether a pause has lasted ``milliseconds`` at `now`.
    func isOver(now: Int) -> Bool { now - since.load(ordering: .relaxed) >= Self.milliseconds }

    /// Ends the pause; true for the one caller that ended it, which then watches the socket again.
    func end() -> Bool { paused.compareExchange(expected: true, desired: false, ordering: .relaxed).exchanged }
}
