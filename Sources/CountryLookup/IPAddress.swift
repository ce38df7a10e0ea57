#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A client address as a value: IPv4 or IPv6, parsed from the text nginx passes (`REMOTE_ADDR`).
///
/// All 128 bits are kept, IPv4 as its IPv4-mapped IPv6 form (`::ffff:1.2.3.4`): a dual-stack socket reports an
/// IPv4 client that way, and it is the same client as `1.2.3.4`, so both parse to the same value and look up
/// the same country. Dotted decimal IPv4, what nginx passes for nearly every client, is read here in one pass
/// over the bytes; IPv6 is copied to the stack (at most 45 bytes) for `inet_pton`. No allocation and no name
/// resolution (which is why look-ups never go through `MMDB_lookup_string`, whose `getaddrinfo` may ask a
/// resolver).
public struct IPAddress: Hashable, Sendable, CustomStringConvertible {
    /// The first 64 bits, in the order they are written (the top bits of the address are the top bits here).
    public let high: UInt64
    /// The last 64 bits.
    public let low: UInt64

    /// The longest address text there is: an IPv6 address with an IPv4 tail, `ffff:…:ffff:255.255.255.255`.
    private static let longestText = 45

    /// The address with these 128 bits.
    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// The IPv4 address `value` (`0x01020304` is 1.2.3.4).
    public init(ipv4 value: UInt32) {
        self.init(high: 0, low: 0xffff_0000_0000 | UInt64(value))
    }

    /// The address `text` spells: IPv4 in dotted decimal (four numbers, as `inet_pton` takes them) or IPv6 in
    /// any of its forms; nil for anything else, including a zone (`fe80::1%eth0`), brackets or spaces.
    public init?(_ text: UnsafeBufferPointer<UInt8>) {
        if let ipv4 = Self.ipv4(dottedDecimal: text) {
            self.init(ipv4: ipv4)
            return
        }
        // Text without a colon that is not dotted decimal is nothing `inet_pton` takes either.
        guard text.count <= Self.longestText, text.contains(UInt8(ascii: ":")), let bytes = text.baseAddress,
            // A NUL inside would end the C string early and pass a prefix off as the address.
            memchr(bytes, 0, text.count) == nil
        else { return nil }
        let parsed = withUnsafeTemporaryAllocation(of: CChar.self, capacity: Self.longestText + 1) {
            cString -> IPAddress? in
            guard let start = cString.baseAddress else { return nil }
            memcpy(start, bytes, text.count)
            start[text.count] = 0
            var address = in6_addr()
            guard inet_pton(AF_INET6, start, &address) == 1 else { return nil }
            return withUnsafeBytes(of: &address) { IPAddress(networkOrder: $0) }
        }
        guard let parsed else { return nil }
        self = parsed
    }

    /// The IPv4 address `text` spells in dotted decimal, exactly as `inet_pton(AF_INET, …)` reads it (which the
    /// tests check on many random and malformed texts): four parts of one to three digits, 0 to 255, without
    /// leading zeros (`01` is refused, `0` is not), separated by single dots; nothing else, not even a space.
    /// (`inet_aton`'s octal, hexadecimal and shortened forms are not dotted decimal.)
    @inline(__always)
    static func ipv4(dottedDecimal text: UnsafeBufferPointer<UInt8>) -> UInt32? {
        var address: UInt32 = 0
        var part: UInt32 = 0
        var digits = 0
        var dots = 0
        for byte in text {
            let digit = byte &- UInt8(ascii: "0")
            if digit < 10 {
                // A second digit after a leading 0, or a part over 255.
                guard digits == 0 || part != 0 else { return nil }
                part = part &* 10 &+ UInt32(digit)
                guard part <= 255 else { return nil }
                digits &+= 1
            } else {
                guard byte == UInt8(ascii: "."), digits != 0, dots < 3 else { return nil }
                address = address << 8 | part
                part = 0
                digits = 0
                dots &+= 1
            }
        }
        guard dots == 3, digits != 0 else { return nil }
        return address << 8 | part
    }

    /// The address `text` spells, as the initializer from bytes reads it.
    public init?(_ text: some StringProtocol) {
        var text = String(text)
        guard let parsed = text.withUTF8({ IPAddress($0) }) else { return nil }
        self = parsed
    }

    /// 16 bytes in network order.
    init(networkOrder bytes: UnsafeRawBufferPointer) {
        var high: UInt64 = 0
        var low: UInt64 = 0
        for i in 0..<8 {
            high = high << 8 | UInt64(bytes[i])
            low = low << 8 | UInt64(bytes[8 + i])
        }
        self.init(high: high, low: low)
    }

    /// The IPv4 address, when this is one (or its IPv4-mapped IPv6 form); nil for other IPv6 addresses.
    public var ipv4: UInt32? {
        guard high == 0, low >> 32 == 0xffff else { return nil }
        return UInt32(truncatingIfNeeded: low)
    }

    /// The usual text: dotted decimal for IPv4, the shortest form (RFC 5952) for IPv6.
    public var description: String {
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: Int(INET6_ADDRSTRLEN)) { buffer -> String in
            let written = withSocketAddress { address -> Bool in
                if address.pointee.sa_family == sa_family_t(AF_INET) {
                    return address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { v4 in
                        var bits = v4.pointee.sin_addr
                        return inet_ntop(AF_INET, &bits, buffer.baseAddress, socklen_t(buffer.count)) != nil
                    }
                }
                return address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { v6 in
                    var bits = v6.pointee.sin6_addr
                    return inet_ntop(AF_INET6, &bits, buffer.baseAddress, socklen_t(buffer.count)) != nil
                }
            }
            guard written, let start = buffer.baseAddress else { return "?" }
            return String(cString: start)
        }
    }

    /// Runs `body` with the address as a socket address: `sockaddr_in` for IPv4 (and IPv4-mapped IPv6, which a
    /// MaxMind database files under IPv4), `sockaddr_in6` for the rest.
    func withSocketAddress<R>(_ body: (UnsafePointer<sockaddr>) -> R) -> R {
        if let ipv4 {
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = ipv4.bigEndian
            return withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1, body) }
        }
        var address = sockaddr_in6()
        address.sin6_family = sa_family_t(AF_INET6)
        withUnsafeMutableBytes(of: &address.sin6_addr) { bytes in
            for i in 0..<8 {
                bytes[i] = UInt8(truncatingIfNeeded: high >> (56 - 8 * i))
                bytes[8 + i] = UInt8(truncatingIfNeeded: low >> (56 - 8 * i))
            }
        }
        return withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1, body) }
    }
}
