/// What the responder needs from a request, as CGI/FastCGI parameters name it.
public struct ClickRequest: Sendable {
    public var method: String
    public var pathInfo: String
    public var query: String
    public var remoteAddress: String?
    public var userAgent: String?
    public var referer: String?
    public var acceptLanguage: String?
    public var host: String?
    /// The `Cookie` header, read only for Tracardi's `tracardi-session-id` when the path has no session.
    public var cookie: String?
    /// `Sec-GPC: 1` was sent.
    public var globalPrivacyControl: Bool
    /// `DNT: 1` was sent.
    public var doNotTrack: Bool

    public init(
        method: String, pathInfo: String, query: String = "", remoteAddress: String? = nil,
        userAgent: String? = nil, referer: String? = nil, acceptLanguage: String? = nil, host: String? = nil,
        globalPrivacyControl: Bool = false, doNotTrack: Bool = false, cookie: String? = nil
    ) {
        self.method = method
        self.pathInfo = pathInfo
        self.query = query
        self.remoteAddress = remoteAddress
        self.userAgent = userAgent
        self.referer = referer
        self.acceptLanguage = acceptLanguage
        self.host = host
        self.cookie = cookie
        self.globalPrivacyControl = globalPrivacyControl
        self.doNotTrack = doNotTrack
    }

    /// Builds a request from CGI parameter names (`REQUEST_METHOD`, `PATH_INFO`, `HTTP_USER_AGENT`, …).
    ///
    /// `parameter` returns a parameter's value; the FastCGI loop and CGI mode each supply their own.
    public init(parameter: (String) -> String?) {
        self.init(
            method: parameter("REQUEST_METHOD") ?? "GET",
            pathInfo: parameter("PATH_INFO") ?? "",
            query: parameter("QUERY_STRING") ?? "",
            remoteAddress: parameter("REMOTE_ADDR"),
            userAgent: parameter("HTTP_USER_AGENT"),
            referer: parameter("HTTP_REFERER"),
            acceptLanguage: parameter("HTTP_ACCEPT_LANGUAGE"),
            host: parameter("HTTP_HOST"),
            globalPrivacyControl: parameter("HTTP_SEC_GPC").map(Self.isOne) ?? false,
            doNotTrack: parameter("HTTP_DNT").map(Self.isOne) ?? false,
            cookie: parameter("HTTP_COOKIE"))
    }

    /// The value of cookie `name` in a `Cookie` header (`a=1; name=value`), without surrounding quotes.
    public static func cookie(named name: String, in header: String) -> Substring? {
        for pair in header.split(separator: ";") {
            guard let equals = pair.firstIndex(of: "=") else { continue }
            var key = pair[..<equals]
            while key.first == " " || key.first == "\t" { key.removeFirst() }
            while key.last == " " || key.last == "\t" { key.removeLast() }
            guard key == name else { continue }
            var value = pair[pair.index(after: equals)...]
            while value.first == " " || value.first == "\t" { value.removeFirst() }
            while value.last == " " || value.last == "\t" { value.removeLast() }
            if value.count >= 2, value.first == "\"", value.last == "\"" { value = value.dropFirst().dropLast() }
            return value
        }
        return nil
    }

    /// `Sec-GPC` and `DNT` are on when their value is `1`, give or take surrounding blanks.
    static func isOne(_ value: String) -> Bool {
        value.utf8.filter { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\t") }.elementsEqual("1".utf8)
    }

    /// Decodes a parameter's raw bytes; invalid UTF-8 becomes U+FFFD, so nothing downstream sees it.
    public static func text(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        String(decoding: bytes, as: UTF8.self)
    }
}
