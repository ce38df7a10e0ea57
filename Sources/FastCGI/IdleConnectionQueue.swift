/// The idle connections in the order they went idle, so that making room takes the one idle the longest in O(1).
///
/// nginx keeps its reusable connections the same way (`reusable_connections_queue`, drained from the oldest by
/// `ngx_drain_connections`): a connection joins at the newest end when it goes idle and leaves from wherever it is
/// when a request comes on it. nginx reuses the connection it cached last first, so the oldest is the one it is
/// least likely to be sending on. The queue is intrusive over the slots of ``FastCGIConnectionTable``: the links
/// live in one array allocated up front, so joining and leaving never allocate.
struct IdleConnectionQueue: Sendable {
    private struct Link: Sendable {
        var older = -1
        var newer = -1
        var queued = false
    }

    private var links: [Link]
    /// The slot idle the longest, and the one idle the shortest; -1 when empty.
    private var oldestSlot = -1
    private var newestSlot = -1
    private(set) var count = 0

    /// A queue for slots `0..<capacity`.
    init(capacity: Int) {
        links = [Link](repeating: Link(), count: capacity)
    }

    var isEmpty: Bool { count == 0 }

    /// The slot idle the longest.
    var oldest: Int? { oldestSlot >= 0 ? oldestSlot : nil }

    func contains(_ slot: Int) -> Bool { links[slot].queued }

    /// Adds `slot` as the newest; a slot already queued moves there. Inlined, like ``remove(_:)``: each runs once
    /// a request, under the loop's lock.
    @inline(__always)
    mutating func append(_ slot: Int) {
        if links[slot].queued { remove(slot) }
        links[slot] = Link(older: newestSlot, newer: -1, queued: true)
        if newestSlot >= 0 { links[newestSlot].newer = slot } else { oldestSlot = slot }
        newestSlot = slot
        count += 1
    }

    /// Takes `slot` out wherever it is; nothing when it is not queued.
    @inline(__always)
    mutating func remove(_ slot: Int) {
        let link = links[slot]
        guard link.queued else { return }
        if link.older >= 0 { links[link.older].newer = link.newer } else { oldestSlot = link.newer }
        if link.newer >= 0 { links[link.newer].older = link.older } else { newestSlot = link.older }
        links[slot] = Link()
        count -= 1
    }

    /// Takes out and returns the slot idle the longest.
    mutating func removeOldest() -> Int? {
        guard let slot = oldest else { return nil }
        remove(slot)
        return slot
    }
}
