import BotDetection
import DeviceDetection
import JSON
import Timestamps

/// One click, as written to the spool: a JSON object on one line.
///
/// The fields, their keys and where the sinks put them are listed once in ``ClickEventField``; the tests hold
/// the writer below to that list.
public struct ClickEvent: Equatable, Sendable {
    /// What became of the click.
    public enum Outcome: String, Sendable {
        case redirected
        case notFound = "not-found"
        case expired
        case disabled
        /// An open pixel was fetched (a `kind = "pixel"` file, enabled and inside its window).
        case opened
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
    ///
    /// It keeps the click's ``ClickRequest/fields`` (one allocation, no copy per field), with the fields the
    /// privacy switches leave out marked absent; the properties read and set them as strings.
    public struct RequestInfo: Equatable, Sendable {
        typealias Field = ClickRequest.Parameter
        /// Indexed by ``ClickRequest/Parameter`` raw values; the path and the cookie are never written out.
        var fields: PackedText

        public var method: String {
            get { fields[Field.method.rawValue] ?? "GET" }
            set { fields[Field.method.rawValue] = newValue }
        }
        public var ip: String? {
            get { fields[Field.remoteAddress.rawValue] }
            set { fields[Field.remoteAddress.rawValue] = newValue }
        }
        public var userAgent: String? {
            get { fields[Field.userAgent.rawValue] }
            set { fields[Field.userAgent.rawValue] = newValue }
        }
        public var referer: String? {
            get { fields[Field.referer.rawValue] }
            set { fields[Field.referer.rawValue] = newValue }
        }
        public var acceptLanguage: String? {
            get { fields[Field.acceptLanguage.rawValue] }
            set { fields[Field.acceptLanguage.rawValue] = newValue }
        }
        public var host: String? {
            get { fields[Field.host.rawValue] }
            set { fields[Field.host.rawValue] = newValue }
        }
        public var query: String {
            get { fields[Field.query.rawValue] ?? "" }
            set { fields[Field.query.rawValue] = newValue }
        }

        public init(
            method: String, ip: String?, userAgent: String?, referer: String?, acceptLanguage: String?,
            host: String?, query: String
        ) {
            let request = ClickRequest(
                method: method, pathInfo: "", query: query, remoteAddress: ip, userAgent: userAgent, referer: referer,
                acceptLanguage: acceptLanguage, host: host)
            self.init(request, withoutIdentity: false, anonymizeIP: false)
        }

        /// `request`'s fields as an event records them: without IP, user agent and referer when
        /// `withoutIdentity`, and with the IP shortened (``IPAnonymizer``) when `anonymizeIP`.
        init(_ request: ClickRequest, withoutIdentity: Bool, anonymizeIP: Bool) {
            fields = request.fields
            fields.remove(Field.pathInfo.rawValue)
            fields.remove(Field.cookie.rawValue)
            if withoutIdentity {
                fields.remove(Field.remoteAddress.rawValue)
                fields.remove(Field.userAgent.rawValue)
                fields.remove(Field.referer.rawValue)
            } else if anonymizeIP, let address = fields[Field.remoteAddress.rawValue] {
                fields[Field.remoteAddress.rawValue] = IPAnonymizer.anonymize(address)
            }
        }

        /// Writes the `request` object of the event line at `out`, which has room for every byte of the packed
        /// fields escaped, plus keys and punctuation (under 150 bytes); returns its length.
        func writeJSON(into out: UnsafeMutablePointer<UInt8>) -> Int {
            fields.withUTF8 { packed in
                var n = 0
                func raw(_ text: StaticString) {
                    (out + n).update(from: text.utf8Start, count: text.utf8CodeUnitCount)
                    n += text.utf8CodeUnitCount
                }
                // A field as a JSON string, or `null`; the method and the query are never null.
                func field(_ f: Field, orElse absent: StaticString? = nil) {
                    if let range = fields.range(f.rawValue) {
                        n += JSONWriter.writeString(bytes: UnsafeBufferPointer(rebasing: packed[range]), into: out + n)
                    } else if let absent {
                        n += JSONWriter.writeString(
                            bytes: UnsafeBufferPointer(start: absent.utf8Start, count: absent.utf8CodeUnitCount),
                            into: out + n)
                    } else {
                        raw("null")
                    }
                }
                raw("{\"method\":")
                field(.method, orElse: "GET")
                raw(",\"ip\":")
                field(.remoteAddress)
                raw(",\"user_agent\":")
                field(.userAgent)
                raw(",\"referer\":")
                field(.referer)
                raw(",\"accept_language\":")
                field(.acceptLanguage)
                raw(",\"host\":")
                field(.host)
                raw(",\"query\":")
                field(.query, orElse: "")
                raw("}")
                return n
            }
        }

        public static func == (lhs: RequestInfo, rhs: RequestInfo) -> Bool {
            lhs.method == rhs.method && lhs.ip == rhs.ip && lhs.userAgent == rhs.userAgent
                && lhs.referer == rhs.referer && lhs.acceptLanguage == rhs.acceptLanguage && lhs.host == rhs.host
                && lhs.query == rhs.query
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
    /// The name of the redirect rule that chose the target; nil when none did.
    public var rule: String?
    /// The name of the A/B variant the click was sent to; nil when the redirect has no split.
    public var variant: String?
    /// The visitor's country as an ISO 3166-1 alpha-2 code (`DE`); nil when unknown.
    public var country: String?
    /// The operating system the user agent names; nil when unknown.
    public var device: DeviceOS?
    /// Mobile, tablet or desktop; nil when unknown.
    public var form: FormFactor?
    /// How the click reached the link when the link says so (`?_via=qr`); nil for a plain click or an unknown
    /// value.
    public var via: ClickVia?
    public var request: RequestInfo
    /// Why the click looks automated (a ``BotMatch/label``); nil when it looks like a person.
    public var bot: String?
    /// The kind of automated client `bot` names (`bot_category`); nil when `bot` is.
    public var botCategory: BotCategory?

    public init(
        id: String, time: Timestamp, outcome: Outcome, redirect: String?, session: String?,
        sessionStatus: SessionStatus, source: String?, type: String,
        properties: [(key: String, value: JSONValue)], target: String?, status: Int,
        request: RequestInfo, bot: String?, botCategory: BotCategory? = nil,
        sessionSource: SessionSource? = nil, rule: String? = nil, variant: String? = nil, country: String? = nil,
        device: DeviceOS? = nil, form: FormFactor? = nil, via: ClickVia? = nil
    ) {
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
        self.rule = rule
        self.variant = variant
        self.country = country
        self.device = device
        self.form = form
        self.via = via
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
        // Keys and punctuation (the request's too) take 318 bytes, the time 24 and two numbers at most 40: under 400;
        // then each string at its longest.
        let fixed = 440 + propertiesJSON.count
        let event =
            JSONWriter.maxStringLength(id) + JSONWriter.maxStringLength(outcome.rawValue)
            + JSONWriter.maxStringLength(redirect) + JSONWriter.maxStringLength(session)
            + JSONWriter.maxStringLength(sessionStatus.rawValue) + JSONWriter.maxStringLength(sessionSource?.rawValue)
            + JSONWriter.maxStringLength(source)
            + JSONWriter.maxStringLength(type) + JSONWriter.maxStringLength(target) + JSONWriter.maxStringLength(bot)
            + JSONWriter.maxStringLength(botCategory?.rawValue) + JSONWriter.maxStringLength(rule)
            + JSONWriter.maxStringLength(variant) + JSONWriter.maxStringLength(country)
            + JSONWriter.maxStringLength(device?.rawValue) + JSONWriter.maxStringLength(form?.rawValue)
            + JSONWriter.maxStringLength(via?.rawValue)
        // The request's fields, at their longest: each byte escaped, quotes or `null` (the packed text holds
        // at most the nine fields; an absent method or query is written from a constant).
        let requestFields = request.fields.byteCount * 6 + PackedText.capacity * 6 + 8
        let capacity = fixed + event + requestFields
        if buffer.count < capacity { buffer.append(contentsOf: repeatElement(0, count: capacity - buffer.count)) }
        return buffer.withUnsafeMutableBufferPointer { buffer in
            let base = buffer.baseAddress!
            var n = 0
            // Keys and punctuation go in as whole static chunks (`,"id":`). The three writers are kept inline: with
            // the line's 21 fields the optimizer outlined them, and an outlined closure that changes the captured
            // `n` pays a retain, a release and a dynamic exclusivity check per call (bench/profile).
            @inline(__always) func raw(_ text: StaticString) {
                (base + n).update(from: text.utf8Start, count: text.utf8CodeUnitCount)
                n += text.utf8CodeUnitCount
            }
            @inline(__always) func string(_ s: String?) { n += JSONWriter.writeString(s, into: base + n) }
            @inline(__always) func number(_ value: Int) { n += DecimalDigits.write(value, into: base + n) }
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
            raw(",\"rule\":")
            string(rule)
            raw(",\"variant\":")
            string(variant)
            raw(",\"country\":")
            string(country)
            raw(",\"device\":")
            string(device?.rawValue)
            raw(",\"form\":")
            string(form?.rawValue)
            raw(",\"via\":")
            string(via?.rawValue)
            raw(",\"request\":")
            n += request.writeJSON(into: base + n)
            raw(",\"bot\":")
            string(bot)
            raw(",\"bot_category\":")
            string(botCategory?.rawValue)
            raw("}\n")
            precondition(n <= capacity, "click event line overran its buffer")
            return n
        }
    }
}
