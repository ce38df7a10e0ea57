import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The cached redirect files by id: at most `limit` entries, evicted by CLOCK (second chance).
///
/// Each entry sits in a slot; an open-addressing table (linear probing, at most half full) maps an id's hash to
/// its entry, and the entry itself holds the id's bytes, so no id is kept as a string. A bucket holds the entry's
/// address, its slot and 32 more bits of the id's hash, so a look-up reads the bucket and its own entry and no
/// other (with 100,000 links, each read is a cache miss: a bucket's 16 bytes share a line with three others,
/// and a table of 2 MiB or more is asked to be backed by huge pages, so that it costs no TLB miss either). A hit
/// sets the slot's reference bit; when the cache is full, the clock hand sweeps the slots, clearing bits, and
/// evicts the first entry not used since the hand last passed it. Hot links stay, whatever order ids come in;
/// a look-up costs the same with 100 files as with 100,000.
///
/// Not thread-safe by itself: the store reads it under a shared lock (hits may run at once: the reference bits
/// are atomics) and changes it under an exclusive one. That lock is also what keeps accesses to the stored
/// properties exclusive, so they skip Swift's run-time exclusivity checks (a hit would pay three).
final class RedirectCache {
    /// A bucket: the entry (owned by `slots`; nil: an empty bucket), its slot and the high half of its hash.
    private struct Bucket {
        var entry: Unmanaged<CachedRedirect>?
        var slot: UInt32
        var tag: UInt32

        static var empty: Bucket { Bucket(entry: nil, slot: 0, tag: 0) }
    }

    let limit: Int
    /// `bucketCount` is a power of two at least twice the slots in use.
    @exclusivity(unchecked) private var buckets: UnsafeMutablePointer<Bucket>
    @exclusivity(unchecked) private var bucketCount: Int
    @exclusivity(unchecked) private var slots: [CachedRedirect?] = []
    @exclusivity(unchecked) private var referenced: UnsafeMutablePointer<Atomic<UInt8>>
    @exclusivity(unchecked) private var referencedCapacity: Int
    @exclusivity(unchecked) private var freeSlots: [Int] = []
    @exclusivity(unchecked) private var hand = 0
    @exclusivity(unchecked) private(set) var count = 0

    init(limit: Int) {
        self.limit = max(limit, 1)
        bucketCount = 64
        buckets = Self.allocateBuckets(bucketCount)
        referencedCapacity = 32
        referenced = .allocate(capacity: referencedCapacity)
        for i in 0..<referencedCapacity { (referenced + i).initialize(to: Atomic(0)) }
    }

    deinit {
        free(buckets)
        referenced.deinitialize(count: referencedCapacity)
        referenced.deallocate()
    }

    /// The entry for `id`, marked as used.
    func find(_ id: UnsafeBufferPointer<UInt8>) -> CachedRedirect? {
        guard let bucket = locate(id) else { return nil }
        let slot = Int(buckets[bucket].slot)
        // Written only when it changes: a hot entry's bit stays set, so its cache line is not written by every
        // thread on every click.
        if referenced[slot].load(ordering: .relaxed) == 0 { referenced[slot].store(1, ordering: .relaxed) }
        return buckets[bucket].entry?.takeUnretainedValue()
    }

    /// Whether `id` has an entry (without marking it as used).
    func contains(_ id: UnsafeBufferPointer<UInt8>) -> Bool { locate(id) != nil }

    /// The entry for `id`, without marking it as used.
    func peek(_ id: UnsafeBufferPointer<UInt8>) -> CachedRedirect? {
        locate(id).flatMap { buckets[$0].entry?.takeUnretainedValue() }
    }

    /// Stores `entry` for its id: in place of the id's entry, in a free slot, or in place of the entry the
    /// clock hand evicts.
    func insert(_ entry: CachedRedirect) {
        if let bucket = entry.withID({ locate($0) }) {
            let slot = Int(buckets[bucket].slot)
            slots[slot] = entry
            buckets[bucket].entry = Unmanaged.passUnretained(entry)
            referenced[slot].store(1, ordering: .relaxed)
            return
        }
        let slot: Int
        if let free = freeSlots.popLast() {
            slot = free
        } else if slots.count < limit {
            slot = slots.count
            slots.append(nil)
            growReferenced(to: slots.count)
        } else {
            slot = victim()
            if let old = slots[slot] {
                _ = old.withID { removeFromTable($0) }
                count -= 1
            }
        }
        slots[slot] = entry
        // A new entry starts unreferenced: an id asked once (a scan, a crawler) is the next to go, unless it
        // is asked again before the hand comes round.
        referenced[slot].store(0, ordering: .relaxed)
        count += 1
        // A rehash adds every entry in `slots`, this one too; a bucket added twice would outlive its entry.
        if count * 2 > bucketCount { rehash(bucketCount * 2) } else { addToTable(entry, slot: slot) }
    }

    /// Buckets in use: one per entry, always (for tests).
    var occupiedBucketsForTesting: Int {
        (0..<bucketCount).reduce(0) { $0 + (buckets[$1].entry != nil ? 1 : 0) }
    }

    /// Drops the entry for `id`, if any (its file is gone).
    func remove(_ id: UnsafeBufferPointer<UInt8>) {
        guard let slot = removeFromTable(id) else { return }
        slots[slot] = nil
        freeSlots.append(slot)
        count -= 1
    }

    /// The slot the hand evicts: the first, from the hand on, whose bit is clear (clearing bits on the way).
    private func victim() -> Int {
        while true {
            let slot = hand
            hand = hand + 1 == slots.count ? 0 : hand + 1
            if slots[slot] == nil { return slot }
            if referenced[slot].load(ordering: .relaxed) == 0 { return slot }
            referenced[slot].store(0, ordering: .relaxed)
        }
    }

    private static func hash(_ id: UnsafeBufferPointer<UInt8>) -> UInt64 {
        // FNV-1a, then a multiply and shift so that the low bits (the bucket) depend on every byte.
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in id { h = (h ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        h ^= h >> 32
        h &*= 0xd6e8_feb8_6659_fd93
        return h ^ (h >> 32)
    }

    /// The bucket of `id`.
    private func locate(_ id: UnsafeBufferPointer<UInt8>) -> Int? {
        let mask = bucketCount - 1
        let hash = Self.hash(id)
        let tag = UInt32(truncatingIfNeeded: hash >> 32)
        var bucket = Int(truncatingIfNeeded: hash) & mask
        while let entry = buckets[bucket].entry {
            if buckets[bucket].tag == tag && entry._withUnsafeGuaranteedRef({ $0.hasID(id) }) { return bucket }
            bucket = (bucket + 1) & mask
        }
        return nil
    }

    private func addToTable(_ entry: CachedRedirect, slot: Int) {
        let mask = bucketCount - 1
        let hash = entry.withID { Self.hash($0) }
        var bucket = Int(truncatingIfNeeded: hash) & mask
        while buckets[bucket].entry != nil { bucket = (bucket + 1) & mask }
        buckets[bucket] = Bucket(
            entry: Unmanaged.passUnretained(entry), slot: UInt32(slot), tag: UInt32(truncatingIfNeeded: hash >> 32))
    }

    /// Takes `id` out of the table (backward-shift deletion, so no tombstones build up); returns its slot.
    @discardableResult
    private func removeFromTable(_ id: UnsafeBufferPointer<UInt8>) -> Int? {
        guard let found = locate(id) else { return nil }
        let slot = Int(buckets[found].slot)
        let mask = bucketCount - 1
        var hole = found
        var next = (hole + 1) & mask
        while let occupant = buckets[next].entry {
            let home = occupant._withUnsafeGuaranteedRef { $0.withID { Int(truncatingIfNeeded: Self.hash($0)) } } & mask
            // The occupant may move back into the hole if its home bucket is not between the hole and itself.
            let distanceFromHome = (next - home) & mask
            let distanceFromHole = (next - hole) & mask
            if distanceFromHome >= distanceFromHole {
                buckets[hole] = buckets[next]
                hole = next
            }
            next = (next + 1) & mask
        }
        buckets[hole] = .empty
        return slot
    }

    private func rehash(_ newCount: Int) {
        free(buckets)
        bucketCount = newCount
        buckets = Self.allocateBuckets(bucketCount)
        for (slot, entry) in slots.enumerated() {
            if let entry { addToTable(entry, slot: slot) }
        }
    }

    /// `count` empty buckets; from 2 MiB on, aligned to and advised as huge pages (the kernel's choice: with
    /// transparent huge pages off, they are ordinary pages).
    private static func allocateBuckets(_ count: Int) -> UnsafeMutablePointer<Bucket> {
        let bytes = count * MemoryLayout<Bucket>.stride
        let hugePage = 2 << 20
        var raw: UnsafeMutableRawPointer?
        guard posix_memalign(&raw, bytes >= hugePage ? hugePage : 64, bytes) == 0, let raw else {
            fatalError("redirect cache: out of memory for \(count) buckets")
        }
        #if os(Linux)
            if bytes >= hugePage { _ = madvise(raw, bytes, MADV_HUGEPAGE) }
        #endif
        let buckets = raw.bindMemory(to: Bucket.self, capacity: count)
        buckets.initialize(repeating: .empty, count: count)
        return buckets
    }

    private func growReferenced(to needed: Int) {
        guard needed > referencedCapacity else { return }
        let newCapacity = max(referencedCapacity * 2, needed)
        let grown = UnsafeMutablePointer<Atomic<UInt8>>.allocate(capacity: newCapacity)
        for i in 0..<newCapacity {
            (grown + i).initialize(to: Atomic(i < referencedCapacity ? referenced[i].load(ordering: .relaxed) : 0))
        }
        referenced.deinitialize(count: referencedCapacity)
        referenced.deallocate()
        referenced = grown
        referencedCapacity = newCapacity
    }
}
