import CountryCodes

/// What the responder needs from a request, as CGI/FastCGI parameters name it.
///
/// The text fields are kept together in one ``PackedText`` (a click builds one request and copies it into
/// its event); the properties below read them out as strings, for everything but the hot path.
public struct ClickRequest: Sendable {
    /// The request's text fields; ``Parameter``'s raw values index them.
    public internal(set) var fields: PackedText
    /// `Sec-GPC: 1` was sent.
    public var globalPrivacyControl: Bool
    /// `DNT: 1` was sent.
    public var doNotTrack: Bool
    /// The visitor's country as the operator's nginx names it (`REDIRECT_COUNTRY`, from a CDN header it trusts
    /// or its GeoIP2 module); nil when not sent or not two letters. It wins over redirectd's own look-up.
    public var country: CountryCode?

    public var method: String { fields[Parameter.method.rawValue] ?? "GET" }
    public var pathInfo: String { fields[Parameter.pathInfo.rawValue] ?? "" }
    public var query: String { fields[Parameter.query.rawValue] ?? "" }
    public var remoteAddress: String? { fields[Parameter.remoteAddress.rawValue] }
    public var userAgent: String? { fields[Parameter.userAgent.rawValue] }
    public var referer: String? { fields[Parameter.referer.rawValue] }
    public var acceptLanguage: String? { fields[Parameter.acceptLanguage.rawValue] }
    public var host: String? { fields[Parameter.host.rawValue] }
    /// The `Cookie` header, read only for Tracardi's `tracardi-session-id` when the path has no session.
    public var cookie: String? { fields[Parameter.cookie.rawValue] }

    public init(
        method: String, pathInfo: String, query: String = "", remoteAddress: String? = nil,
        userAgent: String? = nil, referer: String? = nil, acceptLanguage: String? = nil, host: String? = nil,
        globalPrivacyControl: Bool = false, doNotTrack: Bool = false, cookie: String? = nil,
        country: CountryCode? = nil
    ) {
        var values = [String?](repeating: nil, count: PackedText.capacity)
        values[Parameter.method.rawValue] = method
        values[Parameter.pathInfo.rawValue] = pathInfo
        values[Parameter.query.rawValue] = query
        values[Parameter.remoteAddress.rawValue] = remoteAddress
        values[Parameter.userAgent.rawValue] = userAgent
        values[Parameter.referer.rawValue] = referer
        values[Parameter.acceptLanguage.rawValue] = acceptLanguage
        values[Parameter.host.rawValue] = host
        values[Parameter.cookie.rawValue] = cookie
        fields = PackedText(values)
        self.globalPrivacyControl = globalPrivacyControl
        self.doNotTrack = doNotTrack
        self.country = country
    }

    /// Builds a request from its CGI parameters (`REQUEST_METHOD`, `PATH_INFO`, `HTTP_USER_AGENT`, …) in one
    /// pass: `eachParameter` calls its argument with every parameter's name and value bytes. The values must
    /// stay where they are until this initializer returns, which copies the wanted ones into one buffer at
    /// the end (libfcgi's parameters and `environ` stay for the whole request); a name is only read during
    /// its call. A name given twice counts the first time, as `FCGX_GetParam` and `getenv` have it.
    ///
    /// Package access only, for that contract on the values' lifetime: tests and other hosts use
    /// ``init(parameters:)`` or ``init(parameter:)``, which keep them alive.
    package init(
        eachParameter: ((_ name: UnsafeBufferPointer<UInt8>, _ value: UnsafeBufferPointer<UInt8>) -> Void) -> Void
    ) {
        // Addresses and lengths of the text fields' values, by field (lanes 0 to 8).
        var starts = SIMD16<UInt>()
        var counts = SIMD16<Int>()
        var gpc = false
        var dnt = false
        var country: CountryCode? = nil
        var seen = 0
        eachParameter { name, value in
            guard let parameter = Parameter(name) else { return }
            let bit = 1 << parameter.rawValue
            if seen & bit != 0 { return }
            seen |= bit
            switch parameter {
            case .globalPrivacyControl: gpc = Self.isOne(value)
            case .doNotTrack: dnt = Self.isOne(value)
            case .country: country = value.count == 2 ? CountryCode(value[0], value[1]) : nil
            default:
                starts[parameter.rawValue] = UInt(bitPattern: value.baseAddress)
                counts[parameter.rawValue] = value.count
            }
        }
        // The defaults of the string initializer: `GET`, and an empty path and query.
        let get: StaticString = "GET"
        if seen & (1 << Parameter.method.rawValue) == 0 {
            starts[Parameter.method.rawValue] = UInt(bitPattern: get.utf8Start)
            counts[Parameter.method.rawValue] = get.utf8CodeUnitCount
        }
        let textFields = 1 << PackedText.capacity - 1
        let present = UInt16(
            truncatingIfNeeded: (seen & textFields) | 1 << Parameter.method.rawValue
                | 1 << Parameter.pathInfo.rawValue | 1 << Parameter.query.rawValue)
        fields = PackedText(starts: starts, counts: counts, present: present)
        globalPrivacyControl = gpc
        doNotTrack = dnt
        self.country = country
    }

    /// Whether the method is `name` (compared byte for byte, without making a string).
    func isMethod(_ name: StaticString) -> Bool {
        fields.withBytes(of: Parameter.method.rawValue) { bytes in
            guard let bytes else { return false }
            return bytes.elementsEqual(UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
        }
    }

    /// Whether this is a `HEAD` request.
    public var isHead: Bool { isMethod("HEAD") }

    /// Builds a request from a lookup of CGI parameters by name (tests, and hosts that have no list).
    public init(parameter: (String) -> String?) {
        self.init(
            parameters: Parameter.allCases.compactMap { wanted in
                parameter(wanted.name).map { (wanted.name, Array($0.utf8)) }
            })
    }

    /// Builds a request from CGI parameters given as names and value bytes, in order (tests, fuzzing).
    public init(parameters: [(name: String, value: [UInt8])]) {
        // Every value in one array that lives through the whole build, as ``init(eachParameter:)`` needs.
        var joined: [UInt8] = []
        var ranges: [Range<Int>] = []
        for parameter in parameters {
            ranges.append(joined.count..<joined.count + parameter.value.count)
            joined += parameter.value
        }
        self = joined.withUnsafeBufferPointer { all in
            ClickRequest(eachParameter: { body in
                for (parameter, range) in zip(parameters, ranges) {
                    var name = parameter.name
                    name.withUTF8 { body($0, UnsafeBufferPointer(rebasing: all[range])) }
                }
            })
        }
    }

    /// The CGI parameters a click is built from. The first nine are text fields, and their raw values index
    /// ``fields``; the two privacy signals are kept as flags, the country as its two letters.
    public enum Parameter: Int, CaseIterable, Sendable {
        case method, pathInfo, query, remoteAddress, userAgent, referer, acceptLanguage, host, cookie
        case globalPrivacyControl, doNotTrack, country

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
            case .country: "REDIRECT_COUNTRY"
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
                    equals("QUERY_STRING")
                    ? .query
                    : equals("HTTP_REFERER")
                        ? .referer
                        : equals("HTTP_SEC_GPC") ? .globalPrivacyControl : nil
            case 14: found = equals("REQUEST_METHOD") ? .method : nil
            case 15: found = equals("HTTP_USER_AGENT") ? .userAgent : nil
            case 16: found = equals("REDIRECT_COUNTRY") ? .country : nil
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
    static func isOne(_ value: UnsafeBufferPointer<UInt8>) -> Bool {
        value.filter { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\t") }.elementsEqual("1".utf8)
    }
}
