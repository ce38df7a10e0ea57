import CountryCodes
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The country each data record of one open database answers, remembered so that the record's map is searched
/// for `country` → `iso_code` (string compares on every key, in `MMDB_aget_value`) once per record instead of
/// once per click.
///
/// A database has few distinct records (one per combination of country and registered country: a few thousand
/// at most in GeoLite2-Country), and a look-up names the one it lands on by its offset in the data section, so
/// the offset is the key. The table is direct-mapped: each of its 4,096 slots is one 64-bit word holding the
/// offset and the answer together, read and written with relaxed atomics. Threads that race for a slot may
/// overwrite each other's answer, which only costs a search later; a reader can never see the offset of one
/// record with the answer of another, since both are in the one word it loads. 32 KiB per open database, made
/// with it and freed with it: a new version of the file starts with an empty table.
struct RecordCountries: ~Copyable {
    /// A power of two, so that the top bits of a multiplicative hash pick the slot.
    private static let slotBits = 12
    private static let slotCount = 1 << slotBits

    /// A slot's word: `filled` when it holds an answer, the country's two letters in bits 32…47 (0: the record
    /// has no country), the record's offset in bits 0…31. An empty slot is 0.
    private static let filled: UInt64 = 1 << 63

    private let slots: UnsafeMutablePointer<Atomic<UInt64>>

    init() {
        // Zeroed by calloc, and a zeroed word is an atomic word holding 0: memory fresh from the system needs no
        // writing, so a process that looks up once (the CGI responder) hardly pays for a table it never uses
        // (4,096 initializations cost about a million instructions).
        guard let memory = calloc(Self.slotCount, MemoryLayout<Atomic<UInt64>>.stride) else {
            fatalError("out of memory for the country database's record table")
        }
        slots = memory.bindMemory(to: Atomic<UInt64>.self, capacity: Self.slotCount)
    }

    deinit {
        // Atomic words need no deinitialization.
        free(slots)
    }

    /// The country of the record at `offset`: the one remembered, else what `find` answers, remembered.
    @inline(__always)
    func country(ofRecord offset: UInt32, find: () -> CountryCode?) -> CountryCode? {
        // Fibonacci hashing: records lie at irregular distances from each other, and the multiplication spreads
        // every bit of the offset into the top bits.
        let slot = slots + Int(truncatingIfNeeded: (offset &* 0x9e37_79b9) >> (32 - Self.slotBits))
        let word = slot.pointee.load(ordering: .relaxed)
        if word & (Self.filled | 0xffff_ffff) == Self.filled | UInt64(offset) {
            let letters = UInt16(truncatingIfNeeded: word >> 32)
            guard letters != 0 else { return nil }
            return CountryCode(UInt8(truncatingIfNeeded: letters >> 8), UInt8(truncatingIfNeeded: letters))
        }
        let country = find()
        slot.pointee.store(
            Self.filled | UInt64(country?.rawValue ?? 0) << 32 | UInt64(offset), ordering: .relaxed)
        return country
    }
}
