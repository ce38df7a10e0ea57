/// One click, as written to the spool: a JSON object on one line.
public struct ClickEvent: Equatable, Sendable {
    /// What became of the click.
    public enum Outcome: String, Sendable {
        case redirected
        case notFound = "not-found"
        case expired
        case disabled
    }

    /// Whether the link carried a session, and whether it was well-formed.
    public enum SessionStatus: String, Sendable {
        case valid
        case absent
        case malformed
    }

    /// The request as recorded, after the privacy switches have been applied.
    public struct RequestInfo: Equatable, Sendable {
        public var method: String
        public var ip: String?
        public var userAgent: String?
        public var referer: String?
        public var acceptLanguage: String?
        public var host: String?
        public var query: String

        public init(method: String, ip: String?, userAgent: String?, referer: String?, acceptLanguage: String?,
                    host: String?, query: String) {
            self.method = method
            self.ip = ip
            self.userAgent = userAgent
            self.referer = referer
            self.acceptLanguage = acceptLanguage
            self.host = host
            self.query = query
        }
    }

    /// Version of the line format.
    public static let formatVersion = 1

    public var id: String
    public var time: Timestamp
    public var outcome: Outcome
    /// The redirect id; nil when the path named none.
    public var redirect: String?
    public var session: String?
    public var sessionStatus: SessionStatus
    public var source: String?
    public var type: String
    public var properties: [(key: String, value: JSONValue)]
    /// Where the visitor was sent; nil when answered without a redirect.
    public var target: String?
    public var status: Int
    public var request: RequestInfo
    /// Why the click looks automated; nil when it looks like a person.
    public var bot: String?

    public init(id: String, time: Timestamp, outcome: Outcome, redirect: String?, session: String?,
                sessionStatus: SessionStatus, source: String?, type: String,
                properties: [(key: String, value: JSONValue)], target: String?, status: Int,
                request: RequestInfo, bot: String?) {
        self.id = id
        self.time = time
        self.outcome = outcome
        self.redirect = redirect
        self.session = session
        self.sessionStatus = sessionStatus
        self.source = source
        self.type = type
        self.properties = properties
        self.target = target
        self.status = status
        self.request = request
        self.bot = bot
    }

    public static func == (lhs: ClickEvent, rhs: ClickEvent) -> Bool {
        lhs.jsonLine() == rhs.jsonLine()
    }
}

extension ClickEvent {
    /// The event as one line of JSON, ending in `\n`, ready for a single `write(2)`.
    ///
    /// Every field is always present (null when unknown), so every line has the same shape.
    public func jsonLine() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(640)
        func key(_ k: StaticString, first: Bool = false) {
            if !first { out.append(UInt8(ascii: ",")) }
            out.append(UInt8(ascii: "\""))
            out.append(contentsOf: UnsafeBufferPointer(start: k.utf8Start, count: k.utf8CodeUnitCount))
            out.append(contentsOf: [UInt8(ascii: "\""), UInt8(ascii: ":")])
        }
        out.append(UInt8(ascii: "{"))
        key("v", first: true)
        out.append(contentsOf: String(ClickEvent.formatVersion).utf8)
        key("id")
        JSONWriter.writeString(id, to: &out)
        key("time")
        JSONWriter.writeString(time.iso8601, to: &out)
        key("outcome")
        JSONWriter.writeString(outcome.rawValue, to: &out)
        key("redirect")
        JSONWriter.writeOptionalString(redirect, to: &out)
        key("session")
        JSONWriter.writeOptionalString(session, to: &out)
        key("session_status")
        JSONWriter.writeString(sessionStatus.rawValue, to: &out)
        key("source")
        JSONWriter.writeOptionalString(source, to: &out)
        key("type")
        JSONWriter.writeString(type, to: &out)
        key("properties")
        JSONWriter.writeObject(properties, to: &out)
        key("target")
        JSONWriter.writeOptionalString(target, to: &out)
        key("status")
        out.append(contentsOf: String(status).utf8)
        key("request")
        out.append(UInt8(ascii: "{"))
        key("method", first: true)
        JSONWriter.writeString(request.method, to: &out)
        key("ip")
        JSONWriter.writeOptionalString(request.ip, to: &out)
        key("user_agent")
        JSONWriter.writeOptionalString(request.userAgent, to: &out)
        key("referer")
        JSONWriter.writeOptionalString(request.referer, to: &out)
        key("accept_language")
        JSONWriter.writeOptionalString(request.acceptLanguage, to: &out)
        key("host")
        JSONWriter.writeOptionalString(request.host, to: &out)
        key("query")
        JSONWriter.writeString(request.query, to: &out)
        out.append(UInt8(ascii: "}"))
        key("bot")
        JSONWriter.writeOptionalString(bot, to: &out)
        out.append(contentsOf: [UInt8(ascii: "}"), UInt8(ascii: "\n")])
        return out
    }
}
