import ClickSpool
import RedirectCore

/// Tracardi's `/track` API: one call per (source, session) group of a batch.
///
/// Tracardi replaces `request.headers` with those of the caller (this importer), so each event carries the
/// visitor's request in its `context`: `context.request` holds the recorded method, IP, user agent, referer,
/// language, host and query, and the user agent is repeated as `context.browser.local.browser.userAgent`,
/// where Tracardi's own JavaScript tracker puts it. Events without a session go to
/// `/track?profile_less=true`.
public struct TracardiSink: ClickSink {
    /// The API base URL, without a trailing slash.
    public let baseURL: String
    /// Event source id for events that carry none.
    public let defaultSource: String?

    public init(baseURL: String, defaultSource: String? = nil) {
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        self.baseURL = base
        self.defaultSource = defaultSource
    }

    public var name: String { "tracardi" }
    /// Tracardi (FastAPI behind uvicorn) does not decode compressed request bodies.
    public var acceptsGzip: Bool { false }

    struct GroupKey: Hashable {
        var source: String
        var session: String?
    }

    public func plan(_ records: [SpoolRecord]) -> SinkPlan {
        var plan = SinkPlan()
        var order: [GroupKey] = []
        var groups: [GroupKey: [(id: String, event: JSONValue, line: JSONValue)]] = [:]
        for record in records {
            guard let line = JSONValueParser.parse(record.line.dropLast()) else {
                plan.rejections.append(SinkRejection(id: record.id, reason: "the line does not parse as JSON", status: nil))
                continue
            }
            guard let source = line["source"]?.stringValue ?? defaultSource, !source.isEmpty else {
                plan.rejections.append(SinkRejection(
                    id: record.id,
                    reason: "no event source: set `source` in the redirect file or _defaults.toml, or pass --tracardi-source",
                    status: nil))
                continue
            }
            let key = GroupKey(source: source, session: line["session"]?.stringValue)
            if groups[key] == nil { order.append(key) }
            groups[key, default: []].append((record.id, Self.event(from: line, id: record.id), line))
        }
        for key in order {
            guard let members = groups[key], let first = members.first else { continue }
            var payload: [(key: String, value: JSONValue)] = [("source", .object([("id", .string(key.source))]))]
            if let session = key.session {
                payload.append(("session", .object([("id", .string(session))])))
            }
            payload.append(("events", .array(members.map(\.event))))
            payload.append(("request", .object([("headers", Self.headers(of: first.line))])))
            payload.append(("options", .object([("saveSession", .bool(false))])))
            var body: [UInt8] = []
            JSONValue.object(payload).write(to: &body)
            let url = baseURL + (key.session == nil ? "/track?profile_less=true" : "/track")
            plan.requests.append(SinkRequest(url: url, body: body, contentType: "application/json", eventIDs: members.map(\.id)))
        }
        return plan
    }

    /// One Tracardi event from one spool line.
    static func event(from line: JSONValue, id: String) -> JSONValue {
        let request = line["request"] ?? .object([])
        var context: [(key: String, value: JSONValue)] = [
            ("redirect", .object([
                ("id", line["redirect"] ?? .null),
                ("target", line["target"] ?? .null),
                ("status", line["status"] ?? .null),
                ("outcome", line["outcome"] ?? .null),
                ("session_status", line["session_status"] ?? .null),
            ])),
            ("request", request),
        ]
        if let userAgent = request["user_agent"], userAgent.stringValue != nil {
            context.append(("browser", .object([("local", .object([("browser", .object([("userAgent", userAgent)]))]))])))
        }
        context.append(("bot", line["bot"] ?? .null))
        return .object([
            ("id", .string(id)),
            ("type", line["type"] ?? .string("redirect")),
            ("properties", line["properties"] ?? .object([])),
            ("time", .object([("create", line["time"] ?? .null)])),
            ("context", .object(context)),
        ])
    }

    /// The visitor's headers as recorded (Tracardi overwrites them with ours, but a proxy in between may not).
    static func headers(of line: JSONValue) -> JSONValue {
        guard let request = line["request"] else { return .object([]) }
        var headers: [(key: String, value: JSONValue)] = []
        for (key, header) in [("user_agent", "user-agent"), ("ip", "x-forwarded-for"), ("referer", "referer"),
                              ("accept_language", "accept-language")]
        {
            if let value = request[key]?.stringValue { headers.append((header, .string(value))) }
        }
        return .object(headers)
    }

    public func interpret(_ response: SinkResponse, to request: SinkRequest) throws(SinkError) -> [SinkRejection] {
        if (200..<300).contains(response.status) {
            // Tracardi answers 2xx and lists what went wrong in `errors`: those events did not count.
            guard let answer = JSONValueParser.parse(response.body), case .array(let errors)? = answer["errors"],
                !errors.isEmpty
            else { return [] }
            let named = SinkAnswer.namedEvents(in: Array(JSONValue.array(errors).jsonText.utf8), ids: request.eventIDs,
                                               status: response.status)
            if !named.isEmpty { return named }
            let reason = SinkAnswer.shorten(errors.map { $0.stringValue ?? $0.jsonText }.joined(separator: "; "))
            return request.eventIDs.map { SinkRejection(id: $0, reason: reason, status: response.status) }
        }
        let named = SinkAnswer.namedEvents(in: response.body, ids: request.eventIDs, status: response.status,
                                           indexPrefix: ["body", "events"])
        guard !named.isEmpty else {
            throw .refused(url: request.url, status: response.status, detail: SinkAnswer.excerpt(response.body))
        }
        return named
    }
}
