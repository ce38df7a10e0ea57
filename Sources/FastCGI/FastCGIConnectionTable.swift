/// Every open connection of the FastCGI loop: its slot, its ``FastCGIConnectionState``, and the idle ones in the
/// order they went idle (``IdleConnectionQueue``).
///
/// A value with no I/O; the loop keeps it behind one lock and performs, under that lock, the two system calls that
/// must not race with a descriptor being closed and handed to a new connection (an eviction's `shutdown` and the
/// `close` itself). Slots are numbered `0..<capacity`, and the one freed last is taken first, as from nginx's list
/// of free connections: a slot names the connection in epoll (its token) and its `FCGX_Request` in the loop's array.
struct FastCGIConnectionTable: Sendable {
    private var states: [FastCGIConnectionState]
    private var descriptors: [Int32]
    private var freeSlots: [Int]
    private var idle: IdleConnectionQueue

    /// How many connections the table holds at most.
    let capacity: Int
    /// How many are open (counted against the connection limit until they are closed, evicted ones included).
    private(set) var openCount = 0
    /// How many were accepted and have not had their first request read: a stopping worker waits for those.
    private(set) var awaitingFirstRequestCount = 0

    init(capacity: Int) {
        self.capacity = capacity
        states = [FastCGIConnectionState](repeating: FastCGIConnectionState(), count: capacity)
        descriptors = [Int32](repeating: -1, count: capacity)
        freeSlots = Array((0..<capacity).reversed())
        freeSlots.reserveCapacity(capacity)
        idle = IdleConnectionQueue(capacity: capacity)
    }

    /// How many connections are idle (could be evicted).
    var idleCount: Int { idle.count }

    /// The state of the connection in `slot`.
    func state(of slot: Int) -> FastCGIConnectionState.State { states[slot].state }

    /// The slots of the open connections, in no particular order.
    var openSlots: [Int] { (0..<capacity).filter { descriptors[$0] >= 0 } }

    /// Takes a slot for a connection just accepted on `descriptor`; nil when every slot is taken.
    mutating func open(descriptor: Int32) -> Int? {
        guard let slot = freeSlots.popLast() else { return nil }
        states[slot] = FastCGIConnectionState()
        descriptors[slot] = descriptor
        openCount += 1
        awaitingFirstRequestCount += 1
        return slot
    }

    /// epoll reported the connection in `slot` to a worker (see ``FastCGIConnectionState/readable(peerClosed:)``).
    /// A connection to close is left for ``close(_:)``, which the worker calls once it has freed the request.
    @inline(__always)
    mutating func readable(_ slot: Int, peerClosed: Bool) -> FastCGIConnectionState.ReadableAction {
        let before = states[slot].state
        let action = states[slot].readable(peerClosed: peerClosed)
        switch before {
        case .awaitingFirstRequest: awaitingFirstRequestCount -= 1
        case .idle: idle.remove(slot)
        case .serving, .evicting, .closed: break
        }
        return action
    }

    /// The worker answered a request on `slot` (see ``FastCGIConnectionState/answered(connectionKept:stopping:)``).
    /// A connection to watch is idle, the newest in the queue, from now on.
    @inline(__always)
    mutating func answered(
        _ slot: Int, connectionKept: Bool, stopping: Bool
    ) -> FastCGIConnectionState.AnsweredAction {
        let action = states[slot].answered(connectionKept: connectionKept, stopping: stopping)
        if action == .watch { idle.append(slot) }
        return action
    }

    /// Marks the connection idle the longest as evicted and returns its descriptor, for the caller to shut its
    /// reading side (under the same lock); nil when none is idle.
    mutating func evictOldestIdle() -> Int32? {
        while let slot = idle.removeOldest() {
            if states[slot].evict() == .shutDownReading { return descriptors[slot] }
        }
        return nil
    }

    /// Frees `slot`. Returns false when it was not open (nothing to close); true: the caller closes the descriptor
    /// (under the same lock, so that no eviction shuts it once it is another connection's).
    mutating func close(_ slot: Int) -> Bool {
        let before = states[slot].state
        guard descriptors[slot] >= 0 else { return false }
        _ = states[slot].close()
        if before == .awaitingFirstRequest { awaitingFirstRequestCount -= 1 }
        idle.remove(slot)
        descriptors[slot] = -1
        openCount -= 1
        freeSlots.append(slot)
        return true
    }
}
