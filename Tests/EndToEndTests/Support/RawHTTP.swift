import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A response as a user sees it with `curl -i`.
struct HTTPResponse {
    var status: Int
    var headers: [(String, String)]
    var body: String
    /// The body's bytes as sent (an image is no text).
    var bodyBytes: [UInt8] = []

    func header(_ name: String) -> String? {
        headers.first { $0.0.lowercased() == name.lowercased() }?.1
    }
}

/// A deliberately raw HTTP/1.1 client: the tests need to send bytes no polite client would.
enum RawHTTP {
    /// Sends `request` (the whole request, bytes as given) to 127.0.0.1:`port` and reads until close.
    static func send(port: Int, raw request: [UInt8], timeout: Double = 10) throws -> HTTPResponse {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestFailure("socket failed") }
        defer { close(fd) }
        var tv = timeval(tv_sec: Int(timeout), tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard rc == 0 else { throw TestFailure("connect to port \(port) failed: \(String(cString: strerror(errno)))") }
        var sent = 0
        while sent < request.count {
            let n = request.withUnsafeBytes { write(fd, $0.baseAddress! + sent, request.count - sent) }
            guard n > 0 else { throw TestFailure("write failed") }
            sent += n
        }
        var data = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = read(fd, &buffer, buffer.count)
            if n <= 0 { break }
            data.append(contentsOf: buffer[0..<n])
        }
        return try parse(data)
    }

    /// GET/HEAD/POST `path` with extra header lines; `Connection: close`.
    static func request(port: Int, method: String = "GET", path: String, headers: [String] = []) throws -> HTTPResponse
    {
        var text = "\(method) \(path) HTTP/1.1\r\nHost: go.example.com\r\n"
        for h in headers { text += h + "\r\n" }
        if method == "POST" { text += "Content-Length: 0\r\n" }
        text += "Connection: close\r\n\r\n"
        return try send(port: port, raw: Array(text.utf8))
    }

    static func parse(_ data: [UInt8]) throws -> HTTPResponse {
        guard let end = findHeaderEnd(data) else {
            throw TestFailure("no complete response: \(String(decoding: data, as: UTF8.self))")
        }
        let head = String(decoding: data[0..<end], as: UTF8.self)
        var lines = head.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst()
        let parts = statusLine.split(separator: " ")
        guard parts.count >= 2, let status = Int(parts[1]) else { throw TestFailure("bad status line \(statusLine)") }
        let headers = lines.compactMap { line -> (String, String)? in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        return HTTPResponse(
            status: status, headers: headers, body: String(decoding: data[(end + 4)...], as: UTF8.self),
            bodyBytes: Array(data[(end + 4)...]))
    }

    private static func findHeaderEnd(_ d: [UInt8]) -> Int? {
        guard d.count >= 4 else { return nil }
        for i in 0...(d.count - 4) where d[i] == 13 && d[i + 1] == 10 && d[i + 2] == 13 && d[i + 3] == 10 { return i }
        return nil
    }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}
