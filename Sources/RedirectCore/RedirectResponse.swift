import JSON

/// The answer to one request, as a value; the FastCGI loop or CGI mode writes it out.
public struct RedirectResponse: Equatable, Sendable {
    public var status: Int
    public var location: String?
    /// Extra header lines, in order.
    public var headers: [Header]
    public var body: String
    /// What the body is: `body` as text, or the open pixel's image.
    public var content: Content

    /// The kinds of body an answer has.
    public enum Content: Equatable, Sendable {
        /// `body`, sent as `text/plain; charset=utf-8`.
        case text
        /// ``TransparentGIF/bytes``, sent as `image/gif`; `body` is not sent.
        case transparentGIF
    }

    public struct Header: Equatable, Sendable {
        public var name: String
        public var value: String
        public init(_ name: String, _ value: String) {
            self.name = name
            self.value = value
        }
    }

    public init(
        status: Int, location: String? = nil, headers: [Header] = [], body: String = "", content: Content = .text
    ) {
        self.status = status
        self.location = location
        self.headers = headers
        self.body = body
        self.content = content
    }

    /// The length of the body as sent (on a HEAD request too, in `Content-Length`).
    public var contentLength: Int {
        switch content {
        case .text: body.utf8.count
        case .transparentGIF: TransparentGIF.bytes.count
        }
    }

    /// The response in CGI form: a `Status:` line, headers, a blank line and the body.
    ///
    /// `includeBody` is false for HEAD requests.
    public func cgiBytes(includeBody: Bool) -> [UInt8] {
        var out: [UInt8] = []
        writeCGI(to: &out, includeBody: includeBody)
        return out
    }

    /// ``cgiBytes(includeBody:)`` appended to `out` (a buffer a worker reuses from request to request).
    public func writeCGI(to out: inout [UInt8], includeBody: Bool) {
        // Every click sends this, so it is written into scratch space (on the stack when small) with pointer
        // writes and appended once, rather than through interpolated strings or an append per piece.
        let reason = RedirectResponse.reasonPhrase(status)
        var capacity = 96 + 2 * DecimalDigits.maxLength + reason.utf8.count + (location?.utf8.count ?? 0) + 16
        for header in headers { capacity += header.name.utf8.count + header.value.utf8.count + 4 }
        if includeBody { capacity += contentLength }
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: capacity) { buffer in
            guard let base = buffer.baseAddress else { return }
            var n = 0
            func raw(_ text: StaticString) {
                (base + n).update(from: text.utf8Start, count: text.utf8CodeUnitCount)
                n += text.utf8CodeUnitCount
            }
            func text(_ s: String) {
                // The closure gets the destination, not `n`: a mutable local captured by a closure is checked
                // for exclusive access at run time.
                let at = base + n
                n += JSONWriter.withUTF8(of: s) { bytes in
                    if let start = bytes.baseAddress { at.update(from: start, count: bytes.count) }
                    return bytes.count
                }
            }
            raw("Status: ")
            n += DecimalDigits.write(status, into: base + n)
            raw(" ")
            text(reason)
            raw("\r\n")
            if let location {
                raw("Location: ")
                text(location)
                raw("\r\n")
            }
            for header in headers {
                text(header.name)
                raw(": ")
                text(header.value)
                raw("\r\n")
            }
            switch content {
            case .text:
                raw("Content-Type: text/plain; charset=utf-8\r\nContent-Length: ")
                n += DecimalDigits.write(body.utf8.count, into: base + n)
                raw("\r\n\r\n")
                if includeBody { text(body) }
            case .transparentGIF:
                raw("Content-Type: image/gif\r\nContent-Length: ")
                n += DecimalDigits.write(TransparentGIF.bytes.count, into: base + n)
                raw("\r\n\r\n")
                if includeBody {
                    let at = base + n
                    n += TransparentGIF.bytes.withUnsafeBufferPointer { gif in
                        at.update(from: gif.baseAddress!, count: gif.count)
                        return gif.count
                    }
                }
            }
            precondition(n <= capacity, "response overran its buffer")
            out.append(contentsOf: UnsafeBufferPointer(start: base, count: n))
        }
    }

    public static func reasonPhrase(_ status: Int) -> String {
        switch status {
        case 301: return "Moved Permanently"
        case 200: return "OK"
        case 302: return "Found"
        case 303: return "See Other"
        case 307: return "Temporary Redirect"
        case 308: return "Permanent Redirect"
        case 404: return "Not Found"
        case 405: return "Method Not Allowed"
        case 410: return "Gone"
        default: return "Status"
        }
    }
}
