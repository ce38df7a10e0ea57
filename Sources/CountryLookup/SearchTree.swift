import CMaxMindDB

/// The search tree of one open MaxMind DB, walked here rather than by `MMDB_lookup_sockaddr`, to the same
/// record.
///
/// libmaxminddb reads each node through a function pointer chosen by the record size and bounds-checks every
/// step; here the record size picks one of three loops, each reading a node with plain loads. A step needs no
/// bounds check: the walk goes on only while the value is a node number (below the node count), and `init`
/// checks that the tree holds that many nodes in front of the data section, as `MMDB_open` did. Where this
/// reading of the format does not apply (a record size other than 24, 28 or 32 bits, a layout it does not
/// expect) there is no `SearchTree`, and look-ups go through libmaxminddb.
///
/// The walk follows `find_address_in_search_tree`: bit by bit from the top, while the value is a node number
/// and bits are left; the node count means no record, a value past the data section is a corrupt tree (no
/// record either, as libmaxminddb's error is), anything between points into the data section. An IPv4 address
/// is looked up as libmaxminddb looks up a `sockaddr_in`: in an IPv6 database under `::/96` (the tree's
/// IPv4-compatible part, where MaxMind files IPv4), so the walk starts at the node that 96 zero bits lead to,
/// found once in `init`.
struct SearchTree {
    /// What a walk ends at.
    enum Outcome: Equatable {
        /// The address is in no network of the database (or the tree is corrupt there, or an IPv6 address was
        /// asked of an IPv4 database).
        case noRecord
        /// The record's offset in the data section, as `MMDB_entry_s.offset` holds it.
        case record(UInt32)
    }

    private let nodes: UnsafePointer<UInt8>
    private let nodeCount: UInt32
    private let recordSize: Int
    private let dataSectionSize: UInt32
    private let isIPv6: Bool
    /// Where IPv4 addresses start: the value 96 zero bits lead to in an IPv6 database (a node at depth 96, or the
    /// record that ended the zero path sooner), the root in an IPv4 one.
    private var ipv4Start: UInt32

    /// The tree of the database `mmdb` opened; nil when look-ups should go through libmaxminddb.
    init?(_ mmdb: UnsafePointer<MMDB_s>) {
        let database = mmdb.pointee
        let recordSize = Int(database.metadata.record_size)
        let nodeCount = database.metadata.node_count
        guard [24, 28, 32].contains(recordSize), let nodes = database.file_content,
            let dataSection = database.data_section,
            Int(database.full_record_byte_size) == recordSize / 4,
            // The nodes, then the 16 bytes that separate them from the data section (which the 4-byte loads of
            // 24-bit records may reach into, never past).
            dataSection - nodes == Int(nodeCount) * (recordSize / 4) + 16,
            database.metadata.ip_version == 4 || database.metadata.ip_version == 6
        else { return nil }
        self.nodes = nodes
        self.nodeCount = nodeCount
        self.recordSize = recordSize
        dataSectionSize = database.data_section_size
        isIPv6 = database.metadata.ip_version == 6
        ipv4Start = 0
        if isIPv6 {
            let value = walk(from: 0, bits: 0, count: 64)
            ipv4Start = value < nodeCount ? walk(from: value, bits: 0, count: 32) : value
        }
    }

    /// The record `address` is in. An IPv4 address, or its IPv4-mapped IPv6 form, is looked up as IPv4 (as
    /// ``IPAddress`` passes it to libmaxminddb, as a `sockaddr_in`).
    func outcome(for address: IPAddress) -> Outcome {
        if let ipv4 = address.ipv4 {
            return outcome(of: walk(from: ipv4Start, bits: UInt64(ipv4) << 32, count: 32))
        }
        guard isIPv6 else { return .noRecord }
        let value = walk(from: 0, bits: address.high, count: 64)
        return outcome(of: value < nodeCount ? walk(from: value, bits: address.low, count: 64) : value)
    }

    /// What the value a walk ended at means, decided as `find_address_in_search_tree` decides it.
    @inline(__always)
    private func outcome(of value: UInt32) -> Outcome {
        guard UInt64(value) < UInt64(nodeCount) + UInt64(dataSectionSize), value != nodeCount else { return .noRecord }
        // What `data_section_offset_for_record` computes, wrapping as it does in C for a value that is a node
        // number still (a tree deeper than the addresses: corrupt), which then finds no country.
        return .record(value &- nodeCount &- 16)
    }

    /// The value the first `count` bits of `bits` (from the top) lead to from the value `start`: a record, or a
    /// node number when the bits ran out first.
    @inline(__always)
    private func walk(from start: UInt32, bits: UInt64, count: Int) -> UInt32 {
        var value = start
        var bits = bits
        var remaining = count
        switch recordSize {
        case 24:
            // Six bytes a node, the left record then the right, three bytes each, big-endian.
            while remaining > 0, value < nodeCount {
                let offset: Int = Int(value) &* 6 &+ Int(bits >> 63) &* 3
                let record = UnsafeRawPointer(nodes + offset)
                value = UInt32(bigEndian: record.loadUnaligned(as: UInt32.self)) >> 8
                bits <<= 1
                remaining &-= 1
            }
        case 28:
            // Seven bytes: the left record's low 24 bits, a byte whose high half tops the left record and low half
            // the right one, the right record's low 24 bits.
            while remaining > 0, value < nodeCount {
                let offset: Int = Int(value) &* 7
                let node = UnsafeRawPointer(nodes + offset)
                // The four bytes from the left record's first, and from the middle one: each ends with its
                // record's low 24 bits.
                let left = UInt32(bigEndian: node.loadUnaligned(as: UInt32.self))
                let right = UInt32(bigEndian: node.loadUnaligned(fromByteOffset: 3, as: UInt32.self))
                value = bits >> 63 == 0 ? (left & 0xf0) << 20 | left >> 8 : right & 0x0fff_ffff
                bits <<= 1
                remaining &-= 1
            }
        default:
            // Eight bytes: two big-endian 32-bit records.
            while remaining > 0, value < nodeCount {
                let offset: Int = Int(value) &* 8 &+ Int(bits >> 63) &* 4
                let record = UnsafeRawPointer(nodes + offset)
                value = UInt32(bigEndian: record.loadUnaligned(as: UInt32.self))
                bits <<= 1
                remaining &-= 1
            }
        }
        return value
    }
}
