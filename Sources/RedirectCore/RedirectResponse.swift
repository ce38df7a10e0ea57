/// The answer to one request, as a value; the FastCGI loop or CGI mode writes it out.
public struct RedirectResponse: Equatable, Sendable {
    public var status: Int
    public var location: String?
    /// Extra header lines, in order.
    public var headers: [Header]
    public var body: String

    public struct Header: Equatable, Sendable {
        public var name: String
        public var value: String
        public init(_ name: String, _ value: String) {
            self.name = name
            self.value = value
        }
    }

    public init(status: Int, location: String? = nil, headers: [Header] = [], body: String = "") {
        self.status = status
        self.location = location
        self.headers = headers
        self.body = body
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
        // Every click sends this, so it is written byte by byte rather than through interpolated strings,
        // which cost more than the event line.
        out.reserveCapacity(out.count + 160 + (location?.utf8.count ?? 0) + body.utf8.count)
        func raw(_ text: StaticString) {
            out.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
        }
        raw("Status: ")
        DecimalDigits.append(status, to: &out)
        out.append(UInt8(ascii: " "))
        out.append(contentsOf: RedirectResponse.reasonPhrase(status).utf8)
        raw("\r\n")
        if let location {
            raw("Location: ")
            out.append(contentsOf: location.utf8)
            raw("\r\n")
        }
        for header in headers {
            out.append(contentsOf: header.name.utf8)
            raw(": ")
            out.append(contentsOf: header.value.utf8)
            raw("\r\n")
        }
        raw("Content-Type: text/plain; charset=utf-8\r\nContent-Length: ")
        DecimalDigits.append(body.utf8.count, to: &out)
        raw("\r\n\r\n")
        if includeBody { out.append(contentsOf: body.utf8) }
    }


    public static func reasonPhrase(_ status: Int) -> String {
        switch status {
        case 301: return "Moved Permanently"
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
