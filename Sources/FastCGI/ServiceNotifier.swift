#if canImport(Glibc)
    import Glibc
#endif

/// Messages to the service manager, as `sd_notify(3)` sends them: one datagram to the unix socket named in
/// `NOTIFY_SOCKET` (a leading `@` names an abstract socket). Without `NOTIFY_SOCKET` nothing is sent.
public enum ServiceNotifier {
    /// Sends `state` (lines such as `READY=1` or `MAINPID=1234`). Returns false when there is no manager to
    /// tell, or the message could not be sent.
    @discardableResult
    public static func notify(_ state: String) -> Bool {
        guard let value = getenv("NOTIFY_SOCKET").map({ String(cString: $0) }), !value.isEmpty else { return false }
        var bytes = Array(value.utf8)
        guard bytes.first == UInt8(ascii: "/") || bytes.first == UInt8(ascii: "@") else { return false }
        let abstract = bytes[0] == UInt8(ascii: "@")
        if abstract { bytes[0] = 0 }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        // A path is counted with its terminating zero; an abstract name is exactly its bytes.
        let nameLength = bytes.count + (abstract ? 0 : 1)
        guard nameLength <= MemoryLayout.size(ofValue: address.sun_path) else { return false }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, byte) in bytes.enumerated() { raw[i] = byte }
        }
        let length = socklen_t((MemoryLayout<sockaddr_un>.offset(of: \.sun_path) ?? 2) + nameLength)
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        let message = Array(state.utf8)
        let sent = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { target in
                message.withUnsafeBytes { sendto(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL), target, length) }
            }
        }
        return sent == message.count
    }
}
