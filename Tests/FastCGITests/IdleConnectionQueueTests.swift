import TestSupport
import Testing

@testable import FastCGI

/// ``IdleConnectionQueue``: the oldest first, leaving from anywhere, and the same answers as a plain array.
@Suite struct IdleConnectionQueueTests {
    @Test func theOldestLeavesFirst() {
        var queue = IdleConnectionQueue(capacity: 8)
        for slot in [5, 2, 7] { queue.append(slot) }
        #expect(queue.count == 3)
        #expect(queue.oldest == 5)
        #expect(queue.removeOldest() == 5)
        #expect(queue.removeOldest() == 2)
        #expect(queue.removeOldest() == 7)
        #expect(queue.removeOldest() == nil)
        #expect(queue.isEmpty)
    }

    @Test(arguments: [0, 1, 2]) func oneLeavesFromAnywhere(_ position: Int) {
        var queue = IdleConnectionQueue(capacity: 4)
        for slot in [3, 1, 0] { queue.append(slot) }
        let leaving = [3, 1, 0][position]
        queue.remove(leaving)
        #expect(!queue.contains(leaving))
        var rest: [Int] = []
        while let slot = queue.removeOldest() { rest.append(slot) }
        #expect(rest == [3, 1, 0].filter { $0 != leaving })
    }

    /// A connection that went idle again (a request came on it in between) is the newest again.
    @Test func appendingAgainMakesItTheNewest() {
        var queue = IdleConnectionQueue(capacity: 4)
        for slot in [0, 1, 2] { queue.append(slot) }
        queue.append(0)
        #expect(queue.count == 3)
        #expect(queue.removeOldest() == 1)
        #expect(queue.removeOldest() == 2)
        #expect(queue.removeOldest() == 0)
    }

    @Test func removingOneNotQueuedChangesNothing() {
        var queue = IdleConnectionQueue(capacity: 4)
        queue.append(2)
        queue.remove(1)
        queue.remove(2)
        queue.remove(2)
        #expect(queue.isEmpty)
        #expect(queue.oldest == nil)
        queue.append(3)
        #expect(queue.oldest == 3)
    }

    /// Random appends and removals, checked after each against an array kept in the same order.
    @Test(arguments: [1, 2, 3, 4] as [UInt64]) func behavesLikeAnArray(_ seed: UInt64) {
        var random = SplitMix64(seed: seed)
        let capacity = 16
        var queue = IdleConnectionQueue(capacity: capacity)
        var model: [Int] = []
        for _ in 0..<2_000 {
            let slot = Int.random(in: 0..<capacity, using: &random)
            switch Int.random(in: 0..<3, using: &random) {
            case 0:
                queue.append(slot)
                model.removeAll { $0 == slot }
                model.append(slot)
            case 1:
                queue.remove(slot)
                model.removeAll { $0 == slot }
            default:
                #expect(queue.removeOldest() == (model.isEmpty ? nil : model.removeFirst()))
            }
            #expect(queue.count == model.count)
            #expect(queue.oldest == model.first)
            #expect(queue.contains(slot) == model.contains(slot))
        }
    }
}
