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

    /// Builds a request from its CGI parameters (`REQUEST_METHOD`, `PATH_INFO`, `HTTP_USER_AGENT`, …) in one
    /// pass: `eachParameter` calls its argument with every parameter's name and value bytes. A name given
    /// twice counts the first time, as `FCGX_GetParam` and `getenv` have it.
    public init(
        eachParameter: ((_ name: UnsafeBufferPointer<UInt8>, _ value: UnsafeBufferPointer<UInt8>) -> Void) -> Void
    ) {
        var method: String?, pathInfo: String?, query: String?, remoteAddress: String?, userAgent: String?
        var referer: String?, acceptLanguage: String?, host: String?, gpc: String?, dnt: String?, cookie: String?
        eachParameter { name, value in
            func keepFirst(_ slot: inout String?) { if slot == nil { slot = Self.text(value) } }
            switch Parameter(name) {
            case .method?: keepFirst(&method)
            case .pathInfo?: keepFirst(&pathInfo)
            case .query?: keepFirst(&query)
            case .remoteAddress?: keepFirst(&remoteAddress)
            case .userAgent?: keepFirst(&userAgent)
            case .referer?: keepFirst(&referer)
            case .acceptLanguage?: keepFirst(&acceptLanguage)
            case .host?: keepFirst(&host)
            case .globalPrivacyControl?: keepFirst(&gpc)
            case .doNotTrack?: keepFirst(&dnt)
            case .cookie?: keepFirst(&cookie)
            case nil: break
            }
        }
        self.init(
            method: method ?? "GET", pathInfo: pathInfo ?? "", query: query ?? "", remoteAddress: remoteAddress,
            userAgent: userAgent, referer: referer, acceptLanguage: acceptLanguage, host: host,
            globalPrivacyControl: gpc.map(Self.isOne) ?? false, doNotTrack: dnt.map(Self.isOne) ?? false,
            cookie: cookie)
    }

    /// Builds a request from a lookup of CGI parameters by name (tests, and hosts that have no list).
    public init(parameter: (String) -> String?) {
        self.init { body in
            for wanted in Parameter.allCases {
                guard var value = parameter(wanted.name) else { continue }
                var name = wanted.name
                name.withUTF8 { n in value.withUTF8 { v in body(n, v) } }
            }
        }
    }

    /// The CGI parameters a click is built from.
    enum Parameter: Int, CaseIterable {
        case method, pathInfo, query, remoteAddress, userAgent, referer, acceptLanguage, host
        case globalPrivacyControl, doNotTrack, cookie

        var name: String {
            switch self {
            case .method: "REQUEST_METHOD"
            case .pathInfo: "PATH_INFO"
            case .query: "QUERY_STRING"
            case .remoteAddress: "REMOTE_ADDR"
            case .userAgent: "HTTP_USER_AGENT"
            case .referer: "HTTP_REFERER"
            case .acceptLanguage: "HTTP_ACCEPT_LANGUAGE"
            case .host: "HTTP_HOST"
            case .globalPrivacyControl: "HTTP_SEC_GPC"
            case .doNotTrack: "HTTP_DNT"
            case .cookie: "HTTP_COOKIE"
            }
        }

        /// The parameter named `name`, or nil for one a click does not use. By length first: a request has
        /// about thirty parameters, and most differ in length from every wanted name.
        init?(_ name: UnsafeBufferPointer<UInt8>) {
            func equals(_ wanted: StaticString) -> Bool {
                // Lengths are equal here; compare from the end, where names of one length differ soonest
                // (`HTTP_…`).
                let w = wanted.utf8Start
                var k = name.count - 1
                while k >= 0 && name[k] == w[k] { k -= 1 }
                return k < 0
            }
            let found: Parameter?
            switch name.count {
            case 8: found = equals("HTTP_DNT") ? .doNotTrack : nil
            case 9: found = equals("PATH_INFO") ? .pathInfo : equals("HTTP_HOST") ? .host : nil
            case 11: found = equals("REMOTE_ADDR") ? .remoteAddress : equals("HTTP_COOKIE") ? .cookie : nil
            case 12:
                found =
                    equals("QUERY_STRING") ? .query : equals("HTTP_REFERER") ? .referer
                    : equals("HTTP_SEC_GPC") ? .globalPrivacyControl : nil
            case 14: found = equals("REQUEST_METHOD") ? .method : nil
            case 15: found = equals("HTTP_USER_AGENT") ? .userAgent : nil
            case 20: found = equals("HTTP_ACCEPT_LANGUAGE") ? .acceptLanguage : nil
            default: found = nil
            }
            guard let found else { return nil }
            self = found
        }
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
