import ClickSpool
import JSON
import RedirectCore

/// Tracardi's `/track` API: one call per visitor (source, session, user agent, IP and language) of a batch.
///
/// Tracardi computes a session's browser, language and IP from the call, not from each event, so every call
/// carries one visitor's values where Tracardi reads them: the user agent and language in the payload's
/// top-level `context` (`browser.local.browser`) and in the body's `request.headers` (where its bot check
/// parses the user agent), and the IP in the HTTP header its `USE_X_FORWARDED_IP` setting names (empty when the
/// click was recorded without an IP, so Tracardi stores no address rather than the importer's). Grouping by
/// visitor also means that one agent Tracardi takes for a bot can refuse only its own events.
///
/// Calls with a session ask Tracardi to save it (`saveSession: true`): the first call for an unknown session
/// creates one profile and stores the session with it, and every later call for that session finds it. The
/// sender sends a batch's calls one after another, which keeps it at one profile per session. Events without a
/// session go to `/track?profile_less=true`.
public struct TracardiSink: ClickSink {
    /// The API base URL, without a trailing slash.
    public let baseURL: String
    /// Event source id for events that carry none.
    public let defaultSource: String?
    /// The HTTP header that carries the visitor's IP (Tracardi's `USE_X_FORWARDED_IP` names the same header).
    public let forwardedIPHeader: String

    public init(baseURL: String, defaultSource: String? = nil, forwardedIPHeader: String = "X-Forwarded-For") {
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        self.baseURL = base
        self.defaultSource = defaultSource
        self.forwardedIPHeader = forwardedIPHeader
    }

    public var name: String { "tracardi" }
    /// Tracardi (FastAPI behind uvicorn) does not decode compressed request bodies.
    public var acceptsGzip: Bool { false }

    /// What one `/track` call has in common: Tracardi takes these from the call, not from its events.
    struct Visitor: Hashable {
        var source: String
        var session: String?
        var userAgent: String?
        var ip: String?
        var language: String?
    }

    public func plan(_ records: [SpoolRecord]) -> SinkPlan {
        var plan = SinkPlan()
        var order: [Visitor] = []
        var groups: [Visitor: [(id: String, event: JSONValue)]] = [:]
        for record in records {
            guard let line = JSONValue(parsing: record.line.dropLast()) else {
                plan.rejections.append(
                    SinkRejection(id: record.id, reason: "the line does not parse as JSON", status: nil))
                continue
            }
            guard let source = line["source"]?.stringValue ?? defaultSource, !source.isEmpty else {
                plan.rejections.append(
                    SinkRejection(
                        id: record.id,
                        reason:
                            "no event source: set `source` in the redirect file or _defaults.toml, or pass --tracardi-source",
                        status: nil))
                continue
            }
            let request = line["request"]
            let key = Visitor(
                source: source, session: line["session"]?.stringValue,
                userAgent: request?["user_agent"]?.stringValue, ip: request?["ip"]?.stringValue,
                language: request?["accept_language"]?.stringValue)
            if groups[key] == nil { order.append(key) }
            groups[key, default: []].append((record.id, Self.event(from: line, id: record.id)))
        }
        for visitor in order {
            guard let members = groups[visitor] else { continue }
            var body: [UInt8] = []
            Self.payload(for: visitor, events: members.map(\.event)).write(to: &body)
            let url = baseURL + (visitor.session == nil ? "/track?profile_less=true" : "/track")
            plan.requests.append(
                SinkRequest(
                    url: url, body: body, contentType: "application/json", eventIDs: members.map(\.id),
                    headers: [HTTPHeaderField(name: forwardedIPHeader, value: visitor.ip ?? "")], source: visitor.source
                ))
        }
        return plan
    }

    /// The `/track` body for one visitor's events.
    static func payload(for visitor: Visitor, events: [JSONValue]) -> JSONValue {
        var payload: [(key: String, value: JSONValue)] = [("source", .object([("id", .string(visitor.source))]))]
        if let session = visitor.session {
            payload.append(("session", .object([("id", .string(session))])))
        }
        // Where Tracardi reads a new session's browser and language (its JavaScript tracker's shape).
        var browser: [(key: String, value: JSONValue)] = []
        if let userAgent = visitor.userAgent { browser.append(("userAgent", .string(userAgent))) }
        if let language = visitor.language.flatMap(Self.primaryLanguage) {
            browser.append(("language", .string(language)))
        }
        payload.append(
            ("context", .object([("browser", .object([("local", .object([("browser", .object(browser))]))]))])))
        payload.append(("events", .array(events)))
        var headers: [(key: String, value: JSONValue)] = []
        if let userAgent = visitor.userAgent { headers.append(("user-agent", .string(userAgent))) }
        if let language = visitor.language { headers.append(("accept-language", .string(language))) }
        if let ip = visitor.ip { headers.append(("x-forwarded-for", .string(ip))) }
        payload.append(("request", .object([("headers", .object(headers))])))
        // A profile-less call has no session to save; a call with one saves it, so that the next call for the
        // same session finds its profile instead of making another.
        payload.append(("options", .object([("saveSession", .bool(visitor.session != nil))])))
        return .object(payload)
    }

    /// `de-DE` of `de-DE,de;q=0.9,en;q=0.8`: the language a browser reports as its own.
    static func primaryLanguage(_ acceptLanguage: String) -> String? {
        let first = acceptLanguage.split(separator: ",").first.map { $0.split(separator: ";").first ?? $0 } ?? ""
        let tag = first.trimmingSpaces
        return tag.isEmpty || tag == "*" ? nil : tag
    }

    /// One Tracardi event from one spool line.
    static func event(from line: JSONValue, id: String) -> JSONValue {
        let request = line["request"] ?? .object([])
        var context: [(key: String, value: JSONValue)] = [
            ("redirect", .object(redirectContext(from: line, id: id))),
            ("request", request),
        ]
        if let userAgent = request["user_agent"], userAgent.stringValue != nil {
            context.append(
                ("browser", .object([("local", .object([("browser", .object([("userAgent", userAgent)]))]))])))
        }
        context.append(("bot", line["bot"] ?? .null))
        if let category = line["bot_category"] { context.append(("bot_category", category)) }
        // `insert` is what Tracardi's views and histograms sort by; without it the import time would stand there.
        let time = line["time"] ?? .null
        return .object([
            ("id", .string(id)),
            ("type", line["type"] ?? .string("redirect")),
            ("properties", line["properties"] ?? .object([])),
            ("time", .object([("create", time), ("insert", time)])),
            ("context", .object(context)),
        ])
    }

    /// `events[].context.redirect`: every field `ClickEventField` sends there, in line order; a field the line
    /// lacks (written before it existed) is null.
    ///
    /// Tracardi takes an event's `context` as a free-form object (`EventPayload.context`, a dict in tracardi-api's
    /// tracker payload), so the members are ours to name.
    static func redirectContext(from line: JSONValue, id: String) -> [(key: String, value: JSONValue)] {
        let prefix = "events[].context.redirect."
        var members: [(key: String, value: JSONValue)] = []
        for field in ClickEventField.all {
            for path in field.tracardiPaths where path.hasPrefix(prefix) {
                let value = field == .id ? .string(id) : field.value(in: line) ?? .null
                members.append((String(path.dropFirst(prefix.count)), value))
            }
        }
        return members
    }

    public func interpret(_ response: SinkResponse, to request: SinkRequest) throws(SinkError) -> [SinkRejection] {
        switch response.status {
        case 200..<300:
            // 226 lists workflow errors that happened after the events were saved: they count as delivered.
            return []
        case 401:
            let detail = Self.detail(of: response.body)
            let lowered = detail.lowercased()
            if lowered.contains("traffic from bot") {
                let reason = "Tracardi refused the call as bot traffic (its DISALLOW_BOT_TRAFFIC setting): \(detail)"
                return request.eventIDs.map { SinkRejection(id: $0, reason: reason, status: 401, cause: .bot) }
            }
            if Self.refusesSource(lowered), let source = request.source {
                // Tracardi's text can quote the whole payload: keep its start, so the advice after it stays.
                let said = detail.count > 160 ? String(detail.prefix(160)) + "…" : detail
                let reason =
                    "Tracardi refused event source `\(source)`: \(said); /track needs an enabled event "
                    + "source of type REST with this id (set `source` in the redirect file or _defaults.toml), then "
                    + "run redirectctl import --retry-rejected"
                return request.eventIDs.map {
                    SinkRejection(id: $0, reason: reason, status: 401, cause: .source(source))
                }
            }
            throw .misconfigured(url: request.url, status: 401, detail: SinkAnswer.excerpt(response.body))
        case 406:
            // Event validation failed (a validation schema of Tracardi's); the answer does not say which event.
            let reason = "Tracardi's event validation refused the call: " + Self.detail(of: response.body)
            return request.eventIDs.map { SinkRejection(id: $0, reason: SinkAnswer.shorten(reason), status: 406) }
        case 400, 422:
            let named = SinkAnswer.namedEvents(
                in: response.body, ids: request.eventIDs, status: response.status,
                indexPrefix: ["body", "events"])
            guard !named.isEmpty else {
                throw .refused(url: request.url, status: response.status, detail: SinkAnswer.excerpt(response.body))
            }
            return named
        default:
            throw .misconfigured(url: request.url, status: response.status, detail: SinkAnswer.excerpt(response.body))
        }
    }

    /// Tracardi's 401 texts for a source it will not take: unknown (`Invalid event source`), disabled, not of
    /// type REST (`allows only bridges of types`, older `not within allowed bridge types`), internal (`@…`).
    static func refusesSource(_ lowered: String) -> Bool {
        [
            "invalid event source", "event source disabled", "bridges of types", "allowed bridge types",
            "internal event sources",
        ].contains { lowered.contains($0) }
    }

    /// FastAPI's `{"detail": "…"}` as text, or the answer's excerpt.
    static func detail(of body: [UInt8]) -> String {
        if let detail = JSONValue(parsing: body)?["detail"]?.stringValue { return SinkAnswer.shorten(detail) }
        return SinkAnswer.excerpt(body)
    }
}
