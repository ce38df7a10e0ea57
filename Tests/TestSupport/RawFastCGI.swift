import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Why ``RawFastCGI`` could not connect or send.
public struct RawFastCGIError: Error, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}

/// A FastCGI client on a unix socket, as nginx is one with `fastcgi_keep_conn on`: one connection, requests one
/// after another on it (request id 1, the keep-connection flag set). Enough to hold connections of a known
/// state against redirectd.
///
/// Shared by the end-to-end tests (beside nginx) and the FastCGI loop's tests (without it).
public final class RawFastCGI {
    public let fd: Int32

    /// Connects to `socketPath`; each read waits at most `timeout` seconds.
    public init(socketPath: String, timeout: Int = 10) throws(RawFastCGIError) {
        fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw RawFastCGIError("socket failed") }
        var tv = timeval(tv_sec: timeout, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        _ = withUnsafeMutableBytes(of: &address.sun_path) { path in
            socketPath.utf8CString.withUnsafeBytes { path.copyMemory(from: $0) }
        }
        // The socket's file appears at bind(2), a moment before listen(2): a connection refused in between is
        // tried again (for up to 5 s), as a refused connection is never accepted and so never counts as one.
        var refusals = 0
        var connected: Int32
        repeat {
            connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
                }
            }
            if connected != 0 && errno == ECONNREFUSED && refusals < 250 {
                refusals += 1
                usleep(20_000)
                continue
            }
            break
        } while true
        guard connected == 0 else {
            close(fd)
            throw RawFastCGIError("connect to \(socketPath) failed: \(String(cString: strerror(errno)))")
        }
    }

    deinit { close(fd) }

    /// Sends a GET for `pathInfo` (e.g. `/welcome/s-1`) as one write, as nginx does.
    public func send(pathInfo: String) throws(RawFastCGIError) {
        var bytes = Self.record(type: 1, content: [0, 1, 1, 0, 0, 0, 0, 0])  // begin: responder, keep the connection
        var params: [UInt8] = []
        let browser = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"
        for (name, value) in [
            ("REQUEST_METHOD", "GET"), ("PATH_INFO", pathInfo), ("REMOTE_ADDR", "127.0.0.1"),
            ("HTTP_USER_AGENT", browser),
        ] {
            params += [UInt8(name.utf8.count), UInt8(value.utf8.count)] + Array(name.utf8) + Array(value.utf8)
        }
        bytes += Self.record(type: 4, content: params) + Self.record(type: 4, content: [])
        bytes += Self.record(type: 5, content: [])
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == bytes.count else { throw RawFastCGIError("write failed: \(String(cString: strerror(errno)))") }
    }

    /// What came back: the response's stdout up to the end-of-request record, or nil when the connection closed
    /// (or a read timed out) first.
    public func receive() -> String? {
        var stdout: [UInt8] = []
        while true {
            guard let header = read(8) else { return nil }
            let length = Int(header[4]) << 8 | Int(header[5])
            guard let content = read(length + Int(header[6])) else { return nil }
            switch header[1] {
            case 6: stdout += content.prefix(length)
            case 3: return String(decoding: stdout, as: UTF8.self)
            default: continue
            }
        }
    }

    /// Whether the other side has closed the connection (a read returns end of file at once).
    public func isClosedByPeer() -> Bool {
        var byte: UInt8 = 0
        return recv(fd, &byte, 1, Int32(MSG_DONTWAIT)) == 0
    }

    private func read(_ count: Int) -> [UInt8]? {
        var bytes = [UInt8](repeating: 0, count: count)
        var got = 0
        while got < count {
            let n = bytes.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + got, count - got) }
            if n <= 0 { return nil }
            got += n
        }
        return bytes
    }

    private static func record(type: UInt8, content: [UInt8]) -> [UInt8] {
        [1, type, 0, 1, UInt8(content.count >> 8), UInt8(content.count & 0xFF), 0, 0] + content
    }
}
