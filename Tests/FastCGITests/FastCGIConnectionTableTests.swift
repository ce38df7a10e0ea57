import Testing

@testable import FastCGI

/// ``FastCGIConnectionTable``: slots, counts, and eviction of the connection idle the longest, as plain values.
@Suite struct FastCGIConnectionTableTests {
    /// Opens a connection on `descriptor` and has one request answered on it: idle and watched.
    static func openIdle(_ table: inout FastCGIConnectionTable, descriptor: Int32) -> Int? {
        guard let slot = table.open(descriptor: descriptor) else { return nil }
        #expect(table.readable(slot, peerClosed: false) == .serve)
        #expect(table.answered(slot, connectionKept: true, stopping: false) == .watch)
        return slot
    }

    @Test func slotsRunOutAtTheCapacity() {
        var table = FastCGIConnectionTable(capacity: 3)
        let slots = (0..<3).compactMap { table.open(descriptor: Int32(10 + $0)) }
        #expect(Set(slots) == [0, 1, 2])
        #expect(table.open(descriptor: 13) == nil)
        #expect(table.openCount == 3)
        let closed = table.close(slots[1])
        #expect(closed)
        #expect(table.open(descriptor: 14) == slots[1])
        #expect(table.openCount == 3)
    }

    /// A stopping worker waits for connections whose first request has not come; the count drops when it comes,
    /// or when the connection closes first.
    @Test func connectionsAwaitingTheirFirstRequestAreCounted() {
        var table = FastCGIConnectionTable(capacity: 4)
        let first = table.open(descriptor: 10)
        let second = table.open(descriptor: 11)
        #expect(table.awaitingFirstRequestCount == 2)
        if let first { #expect(table.readable(first, peerClosed: false) == .serve) }
        #expect(table.awaitingFirstRequestCount == 1)
        let closed = second.map { table.close($0) }
        #expect(closed == true)
        #expect(table.awaitingFirstRequestCount == 0)
        #expect(table.openCount == 1)
    }

    @Test func evictionTakesTheConnectionIdleTheLongest() {
        var table = FastCGIConnectionTable(capacity: 8)
        let slots = (0..<4).compactMap { Self.openIdle(&table, descriptor: Int32(20 + $0)) }
        #expect(table.idleCount == 4)
        // A request on the oldest makes it the newest once answered.
        #expect(table.readable(slots[0], peerClosed: false) == .serve)
        #expect(table.idleCount == 3)
        #expect(table.answered(slots[0], connectionKept: true, stopping: false) == .watch)
        #expect(table.evictOldestIdle() == 21)
        #expect(table.state(of: slots[1]) == .evicting)
        #expect(table.evictOldestIdle() == 22)
        #expect(table.evictOldestIdle() == 23)
        #expect(table.evictOldestIdle() == 20)
        #expect(table.evictOldestIdle() == nil)
        // Evicted connections stay open (counted) until the worker the shutdown wakes closes them.
        #expect(table.openCount == 4)
        #expect(table.readable(slots[1], peerClosed: true) == .close)
        let closed = table.close(slots[1])
        #expect(closed)
        #expect(table.openCount == 3)
    }

    /// Only idle connections are evicted: not one being served, nor one whose first request has not come.
    @Test func busyAndNewConnectionsAreNotEvicted() {
        var table = FastCGIConnectionTable(capacity: 4)
        let new = table.open(descriptor: 30)
        let busy = table.open(descriptor: 31)
        if let busy { #expect(table.readable(busy, peerClosed: false) == .serve) }
        #expect(table.evictOldestIdle() == nil)
        if let new { #expect(table.state(of: new) == .awaitingFirstRequest) }
    }

    @Test func aClosedIdleConnectionLeavesTheQueue() {
        var table = FastCGIConnectionTable(capacity: 4)
        let slots = (0..<2).compactMap { Self.openIdle(&table, descriptor: Int32(40 + $0)) }
        let closed = table.close(slots[0])
        let closedAgain = table.close(slots[0])
        #expect(closed && !closedAgain)
        #expect(table.idleCount == 1)
        #expect(table.evictOldestIdle() == 41)
        #expect(table.openSlots == [slots[1]])
    }

    /// A connection nginx does not keep, or one answered while stopping, is closed rather than left idle.
    @Test(arguments: [(false, false), (true, true), (false, true)])
    func answeredConnectionsCloseUnlessKept(_ kept: Bool, _ stopping: Bool) {
        var table = FastCGIConnectionTable(capacity: 2)
        guard let slot = table.open(descriptor: 50) else { return }
        #expect(table.readable(slot, peerClosed: false) == .serve)
        #expect(table.answered(slot, connectionKept: kept, stopping: stopping) == .close)
        #expect(table.idleCount == 0)
        let closed = table.close(slot)
        #expect(closed)
        #expect(table.openCount == 0)
    }
}
