#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Shortens client addresses to a network prefix: IPv4 to its /24, IPv6 to its /48.
public enum IPAnonymizer {
    /// The address with host bits zeroed, or nil if `address` is not an IP address.
    public static func anonymize(_ address: String) -> String? {
        var v4 = in_addr()
        if inet_pton(AF_INET, address, &v4) == 1 {
            // s_addr is in network byte order: the last octet is the highest byte in memory order.
            withUnsafeMutableBytes(of: &v4) { $0[3] = 0 }
            return format(family: AF_INET, &v4, length: Int(INET_ADDRSTRLEN))
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, address, &v6) == 1 {
            withUnsafeMutableBytes(of: &v6) { bytes in
                for i in 6..<16 { bytes[i] = 0 }
            }
            return format(family: AF_INET6, &v6, length: Int(INET6_ADDRSTRLEN))
        }
        return nil
    }

    private static func format<T>(family: Int32, _ address: inout T, length: Int) -> String? {
        var buffer = [CChar](repeating: 0, count: length)
        let ok = withUnsafeBytes(of: &address) { raw in
            inet_ntop(family, raw.baseAddress, &buffer, socklen_t(length)) != nil
        }
        guard ok else { return nil }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
