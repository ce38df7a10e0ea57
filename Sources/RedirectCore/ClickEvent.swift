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

    /// Where the session came from: the link's path, or Tracardi's `tracardi-session-id` cookie when the path
    /// had none.
    public enum SessionSource: String, Sendable {
        case path
        case cookie
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
    /// Where `session` came from; nil when there is none.
    public var sessionSource: SessionSource?
    public var source: String?
    public var type: String
    public var properties: [(key: String, value: JSONValue)]
    /// Where the visitor was sent; nil when answered without a redirect.
    public var target: String?
    public var status: Int
    public var request: RequestInfo
    /// Why the click looks automated (a ``BotMatch/label``); nil when it looks like a person.
    public var bot: String?
    /// The kind of automated client `bot` names (`bot_category`); nil when `bot` is.
    public var botCategory: BotCategory?

    public init(id: String, time: Timestamp, outcome: Outcome, redirect: String?, session: String?,
                sessionStatus: SessionStatus, source: String?, type: String,
                properties: [(key: String, value: JSONValue)], target: String?, status: Int,
                request: RequestInfo, bot: String?, botCategory: BotCategory? = nil,
                sessionSource: SessionSource? = nil) {
        self.id = id
        self.time = time
        self.outcome = outcome
        self.redirect = redirect
        self.session = session
        self.sessionStatus = sessionStatus
        self.sessionSource = sessionSource
        self.source = source
        self.type = type
        self.properties = properties
        self.target = target
        self.status = status
        self.request = request
        self.bot = bot
        self.botCategory = botCategory
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
        var line: [UInt8] = []
        let count = writeJSONLine(into: &line)
        line.removeSubrange(count...)
        return line
    }

    /// Writes ``jsonLine()`` at the start of `buffer`, which it lengthens when it may be too short, and returns
    /// the line's length. A caller that keeps the buffer from line to line (a FastCGI worker) writes each line
    /// without an allocation.
    public func writeJSONLine(into buffer: inout [UInt8]) -> Int {
        // Properties (often none) go through the general writer; the rest is written in place into the buffer,
        // first made long enough for the worst case, with no growth, copies or per-byte checks on the way.
        var propertiesJSON: [UInt8] = []
        if !properties.isEmpty { JSONWriter.writeObject(properties, to: &propertiesJSON) }
        // Keys, punctuation, the time and two numbers take under 300 bytes; then each string at its longest.
        let fixed = 440 + propertiesJSON.count
        let event = JSONWriter.maxStringLength(id) + JSONWriter.maxStringLength(outcome.rawValue)
            + JSONWriter.maxStringLength(redirect) + JSONWriter.maxStringLength(session)
            + JSONWriter.maxStringLength(sessionStatus.rawValue) + JSONWriter.maxStringLength(sessionSource?.rawValue)
            + JSONWriter.maxStringLength(source)
            + JSONWriter.maxStringLength(type) + JSONWriter.maxStringLength(target) + JSONWriter.maxStringLength(bot)
            + JSONWriter.maxStringLength(botCategory?.rawValue)
        let requestFields = JSONWriter.maxStringLength(request.method) + JSONWriter.maxStringLength(request.ip)
            + JSONWriter.maxStringLength(request.userAgent) + JSONWriter.maxStringLength(request.referer)
            + JSONWriter.maxStringLength(request.acceptLanguage) + JSONWriter.maxStringLength(request.host)
            + JSONWriter.maxStringLength(request.query)
        let capacity = fixed + event + requestFields
        if buffer.count < capacity { buffer.append(contentsOf: repeatElement(0, count: capacity - buffer.count)) }
        return buffer.withUnsafeMutableBufferPointer { buffer in
            let base = buffer.baseAddress!
            var n = 0
            // Keys and punctuation go in as whole static chunks (`,"id":`).
            func raw(_ text: StaticString) {
                (base + n).update(from: text.utf8Start, count: text.utf8CodeUnitCount)
                n += text.utf8CodeUnitCount
            }
            func string(_ s: String?) { n += JSONWriter.writeString(s, into: base + n) }
            func number(_ value: Int) { n += DecimalDigits.write(value, into: base + n) }
            raw("{\"v\":")
            number(ClickEvent.formatVersion)
            raw(",\"id\":")
            string(id)
            // `time.iso8601` as a JSON string (only digits and `-:.TZ`: nothing to escape).
            raw(",\"time\":\"")
            n += time.writeISO8601(into: base + n)
            raw("\",\"outcome\":")
            string(outcome.rawValue)
            raw(",\"redirect\":")
            string(redirect)
            raw(",\"session\":")
            string(session)
            raw(",\"session_status\":")
            string(sessionStatus.rawValue)
            raw(",\"session_source\":")
            string(sessionSource?.rawValue)
            raw(",\"source\":")
            string(source)
            raw(",\"type\":")
            string(type)
            raw(",\"properties\":")
            if propertiesJSON.isEmpty {
                raw("{}")
            } else {
                propertiesJSON.withUnsafeBufferPointer { json in
                    if let start = json.baseAddress { (base + n).update(from: start, count: json.count) }
                }
                n += propertiesJSON.count
            }
            raw(",\"target\":")
            string(target)
            raw(",\"status\":")
            number(status)
            raw(",\"request\":{\"method\":")
            string(request.method)
            raw(",\"ip\":")
            string(request.ip)
            raw(",\"user_agent\":")
            string(request.userAgent)
            raw(",\"referer\":")
            string(request.referer)
            raw(",\"accept_language\":")
            string(request.acceptLanguage)
            raw(",\"host\":")
            string(request.host)
            raw(",\"query\":")
            string(request.query)
            raw("},\"bot\":")
            string(bot)
            raw(",\"bot_category\":")
            string(botCategory?.rawValue)
            raw("}\n")
            precondition(n <= capacity, "click event line overran its buffer")
            return n
        }
    }
}
