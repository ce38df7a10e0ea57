#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The number a click's variant is chosen by: a visitor's draw is the same on every click of a link, so
/// the visitor keeps getting the same variant without a cookie.
///
/// The draw is a stable hash (``StableHash``, the same in every process and on every machine; Swift's
/// `Hasher` is seeded per process) of the link's id and the session id when the click has a session, else of
/// the link's id, the client address in its anonymised form (IPv4 /24, IPv6 /48: what the event may keep)
/// and the user agent. Under an honoured privacy signal without a session nothing identifying is used: the
/// caller passes a random number, and the variant is drawn afresh per click.
public struct SplitDraw: Hashable, Sendable {
    /// Spread evenly over all 64-bit values.
    public var value: UInt64

    public init(value: UInt64) {
        self.value = value
    }

    /// A random number for one click's draw, from its id (a UUIDv7, whose last 74 bits are random): the click
    /// id is made fresh for every click, so this needs no random source of its own.
    public static func random(from clickID: String) -> UInt64 {
        var hash = StableHash()
        hash.field(clickID)
        return hash.value
    }

    /// A draw for one click only, from the caller's random number.
    public static func random(_ value: UInt64) -> SplitDraw { SplitDraw(value: value) }

    /// The sticky draw of a visitor known by a session id.
    public static func session(linkID: String, session: String) -> SplitDraw {
        var hash = StableHash()
        hash.field(linkID)
        hash.field("session")
        hash.field(session)
        return SplitDraw(value: hash.value)
    }

    /// The sticky draw of a visitor without a session: the anonymised form of `address` (used as written
    /// when it is no IP address) and `userAgent`, as bytes.
    public static func visitor(
        linkID: String, address: UnsafeBufferPointer<UInt8>?, userAgent: UnsafeBufferPointer<UInt8>?
    ) -> SplitDraw {
        var hash = StableHash()
        hash.field(linkID)
        hash.field("visitor")
        anonymizedAddress(address ?? UnsafeBufferPointer(start: nil, count: 0)) { hash.field($0) }
        hash.field(userAgent ?? UnsafeBufferPointer(start: nil, count: 0))
        return SplitDraw(value: hash.value)
    }

    /// ``visitor(linkID:address:userAgent:)`` from strings (tests, tools).
    public static func visitor(linkID: String, address: String?, userAgent: String?) -> SplitDraw {
        var address = address ?? ""
        var userAgent = userAgent ?? ""
        return address.withUTF8 { a in userAgent.withUTF8 { u in visitor(linkID: linkID, address: a, userAgent: u) } }
    }

    /// The draw of a click, as ``ClickDecider`` has it: from the session when there is one, else random
    /// under an honoured privacy signal, else from the request's address and user agent (read in place).
    public static func forClick(
        _ request: ClickRequest, linkID: String, session: String?, honorsPrivacySignal: Bool, random: UInt64
    ) -> SplitDraw {
        if let session { return .session(linkID: linkID, session: session) }
        if honorsPrivacySignal { return .random(random) }
        return request.fields.withBytes(of: ClickRequest.Parameter.remoteAddress.rawValue) { address in
            request.fields.withBytes(of: ClickRequest.Parameter.userAgent.rawValue) { userAgent in
                visitor(linkID: linkID, address: address, userAgent: userAgent)
            }
        }
    }

    /// The index of the entry `weights` gives this draw: entry `k` for a share of draws in proportion to
    /// `weights[k]`. The weights are positive and add up to at most `Int64.max` (the parser checks both).
    public func pick(weights: some Collection<Int64>) -> Int {
        var total: UInt64 = 0
        for weight in weights { total &+= UInt64(max(0, weight)) }
        guard total > 0 else { return 0 }
        var target = target(total: total)
        var index = 0
        for weight in weights {
            let w = UInt64(max(0, weight))
            if target < w { return index }
            target -= w
            index += 1
        }
        return index - 1
    }

    /// Where in `0..<total` this draw falls: the high half of value × total, spread as evenly as `value` is.
    func target(total: UInt64) -> UInt64 { value.multipliedFullWidth(by: total).high }

    /// Calls `body` with the bytes of `address`'s network (IPv4 /24: the family and 3 bytes, IPv6 /48: the
    /// family and 6 bytes), or with `address` itself when it is no IP address. No allocation: the text is
    /// copied to the stack for `inet_pton`.
    static func anonymizedAddress(_ address: UnsafeBufferPointer<UInt8>, _ body: (UnsafeBufferPointer<UInt8>) -> Void) {
        guard address.count > 0, address.count < 64 else { return body(address) }
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: 64) { text in
            for k in 0..<address.count { text[k] = CChar(bitPattern: address[k]) }
            text[address.count] = 0
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 17) { network in
                guard let start = network.baseAddress else { return body(address) }
                if inet_pton(AF_INET, text.baseAddress, start + 1) == 1 {
                    network[0] = 4
                    body(UnsafeBufferPointer(rebasing: network[0..<4]))
                } else if inet_pton(AF_INET6, text.baseAddress, start + 1) == 1 {
                    network[0] = 6
                    body(UnsafeBufferPointer(rebasing: network[0..<7]))
                } else {
                    body(address)
                }
            }
        }
    }
}

/// A 64-bit hash that is the same in every process: FNV-1a over the bytes, each field behind its length (so
/// `ab`,`c` and `a`,`bc` differ), finished with MurmurHash3's 64-bit mix so that every bit of the result
/// depends on every input bit (FNV-1a's high bits alone mix poorly).
struct StableHash {
    private var state: UInt64 = 0xCBF2_9CE4_8422_2325

    private mutating func byte(_ byte: UInt8) {
        state = (state ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
    }

    mutating func field(_ bytes: UnsafeBufferPointer<UInt8>) {
        var length = UInt64(bytes.count)
        for _ in 0..<8 {
            byte(UInt8(truncatingIfNeeded: length))
            length >>= 8
        }
        for b in bytes { byte(b) }
    }

    /// A string's bytes in place (a native string's are contiguous; others are copied once).
    mutating func field(_ text: String) {
        if let done: Void = text.utf8.withContiguousStorageIfAvailable({ field($0) }) { return done }
        Array(text.utf8).withUnsafeBufferPointer { field($0) }
    }

    var value: UInt64 {
        var h = state
        h ^= h >> 33
        h &*= 0xFF51_AFD7_ED55_8CCD
        h ^= h >> 33
        h &*= 0xC4CE_B9FE_1A85_EC53
        h ^= h >> 33
        return h
    }
}
