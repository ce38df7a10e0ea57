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
        out.reserveCapacity(160 + (location?.utf8.count ?? 0) + body.utf8.count)
        func line(_ s: String) {
            out.append(contentsOf: s.utf8)
            out.append(contentsOf: [0x0D, 0x0A])
        }
        line("Status: \(status) \(RedirectResponse.reasonPhrase(status))")
        if let location { line("Location: \(location)") }
        for header in headers { line("\(header.name): \(header.value)") }
        line("Content-Type: text/plain; charset=utf-8")
        line("Content-Length: \(body.utf8.count)")
        out.append(contentsOf: [0x0D, 0x0A])
        if includeBody { out.append(contentsOf: body.utf8) }
        return out
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
