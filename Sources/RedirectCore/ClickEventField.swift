import JSON

/// One field of the click event line, and where each sink puts it: the one list a new field is added to.
///
/// `ClickEvent`'s writer stays hand-tuned for the click path; the tests hold it to ``all`` (keys in order, JSON
/// types, nullability), and hold the ClickHouse and Tracardi sinks and `docs/events.md` to it, so a field that is
/// written but not stored, sent or described fails a test. The ClickHouse table (`ClickHouseSchema`) and rows
/// and the Tracardi event's `context.redirect` are built from this list.
public struct ClickEventField: Sendable, Equatable {
    /// The JSON type of a field's value when it is not null.
    public enum Kind: Sendable, Equatable {
        case string
        case integer
        case object
    }

    /// How a ClickHouse column stores a field; `ClickHouseSchema` fits the type to the server version.
    public enum ColumnType: Sendable, Equatable {
        /// `String`: an absent value is stored as the empty string.
        case string
        /// `Nullable(String)`.
        case nullableString
        /// A few distinct values: `LowCardinality(String)` where the server has it, else `String`.
        case few
        /// A few distinct values or null: `LowCardinality(Nullable(String))` where the server has it, else
        /// `Nullable(String)`.
        case fewOrNull
        /// The value's JSON text in a `String`.
        case jsonText
        case uint8
        case uint16
        /// The click time: `DateTime64(3, 'UTC')`, or `DateTime('UTC')` and `time_ms UInt16` on old servers.
        case time
    }

    /// Where a sink puts the field, or why it leaves it out.
    public enum Destination: Sendable, Equatable {
        /// ClickHouse: a column name. Tracardi: dotted paths in the `/track` body, `events[].` meaning in each
        /// event (`events[].context.redirect.id`).
        case mapped([String])
        /// The sink does not store the field, for the reason given.
        case leftOut(because: String)
        /// A JSON object whose members are fields of their own (`request`), each mapped on its own.
        case members
    }

    /// The key in its JSON object.
    public let key: String
    /// The object the key is in (`request`); nil at the top level of the line.
    public let parent: String?
    public let kind: Kind
    /// Whether the writer writes `null` when the value is unknown.
    public let isNullable: Bool
    /// The ClickHouse column(s): `.mapped([name])`.
    public let clickHouse: Destination
    /// The column's type when `clickHouse` maps the field.
    public let columnType: ColumnType?
    public let tracardi: Destination

    init(
        _ key: String, in parent: String? = nil, _ kind: Kind, nullable: Bool, clickHouse: Destination,
        _ columnType: ColumnType? = nil, tracardi: Destination
    ) {
        self.key = key
        self.parent = parent
        self.kind = kind
        self.isNullable = nullable
        self.clickHouse = clickHouse
        self.columnType = columnType
        self.tracardi = tracardi
    }

    /// `key`, or `parent.key` for a member: how the docs and messages name the field.
    public var path: String { parent.map { $0 + "." + key } ?? key }

    /// The ClickHouse column's name; nil when the field has none.
    public var column: String? {
        if case .mapped(let names) = clickHouse { return names.first }
        return nil
    }

    /// The Tracardi paths the field is sent at; empty when it is not sent itself.
    public var tracardiPaths: [String] {
        if case .mapped(let paths) = tracardi { return paths }
        return []
    }

    /// The field's value in a parsed event line; nil when the line (an older one) has no such key.
    public func value(in line: JSONValue) -> JSONValue? {
        guard let parent else { return line[key] }
        return line[parent]?[key]
    }
}

extension ClickEventField {
    private static func redirectContext(_ key: String) -> Destination { .mapped(["events[].context.redirect." + key]) }

    public static let version = ClickEventField(
        "v", .integer, nullable: false, clickHouse: .mapped(["v"]), .uint8,
        tracardi: .leftOut(because: "a Tracardi event has no line format; the importer reads every version"))
    public static let id = ClickEventField(
        "id", .string, nullable: false, clickHouse: .mapped(["id"]), .string,
        tracardi: .mapped(["events[].id", "events[].context.redirect.click_id"]))
    public static let time = ClickEventField(
        "time", .string, nullable: false, clickHouse: .mapped(["time"]), .time,
        tracardi: .mapped(["events[].time.create", "events[].time.insert"]))
    public static let outcome = ClickEventField(
        "outcome", .string, nullable: false, clickHouse: .mapped(["outcome"]), .few,
        tracardi: redirectContext("outcome"))
    /// The redirect id; a `String` column because it leads the table's sorting key, which takes no Nullable.
    public static let redirect = ClickEventField(
        "redirect", .string, nullable: true, clickHouse: .mapped(["redirect"]), .string,
        tracardi: redirectContext("id"))
    public static let session = ClickEventField(
        "session", .string, nullable: true, clickHouse: .mapped(["session"]), .nullableString,
        tracardi: .mapped(["session.id"]))
    public static let sessionStatus = ClickEventField(
        "session_status", .string, nullable: false, clickHouse: .mapped(["session_status"]), .few,
        tracardi: redirectContext("session_status"))
    public static let sessionSource = ClickEventField(
        "session_source", .string, nullable: true,
        clickHouse: .leftOut(because: "only Tracardi's cookie sessions use it"),
        tracardi: redirectContext("session_source"))
    public static let source = ClickEventField(
        "source", .string, nullable: true, clickHouse: .mapped(["source"]), .fewOrNull,
        tracardi: .mapped(["source.id"]))
    public static let type = ClickEventField(
        "type", .string, nullable: false, clickHouse: .mapped(["type"]), .few, tracardi: .mapped(["events[].type"]))
    public static let properties = ClickEventField(
        "properties", .object, nullable: false, clickHouse: .mapped(["properties"]), .jsonText,
        tracardi: .mapped(["events[].properties"]))
    public static let target = ClickEventField(
        "target", .string, nullable: true, clickHouse: .mapped(["target"]), .nullableString,
        tracardi: redirectContext("target"))
    public static let status = ClickEventField(
        "status", .integer, nullable: false, clickHouse: .mapped(["status"]), .uint16,
        tracardi: redirectContext("status"))
    /// The redirect rule that chose the target; null when none did.
    public static let rule = ClickEventField(
        "rule", .string, nullable: true, clickHouse: .mapped(["rule"]), .fewOrNull, tracardi: redirectContext("rule"))
    /// The A/B variant the click was sent to; null when the redirect has no split.
    public static let variant = ClickEventField(
        "variant", .string, nullable: true, clickHouse: .mapped(["variant"]), .fewOrNull,
        tracardi: redirectContext("variant"))
    /// ISO 3166-1 alpha-2 code of the visitor's country; null when unknown.
    public static let country = ClickEventField(
        "country", .string, nullable: true, clickHouse: .mapped(["country"]), .fewOrNull,
        tracardi: redirectContext("country"))
    /// The operating system (`DeviceOS`); null when unknown.
    public static let device = ClickEventField(
        "device", .string, nullable: true, clickHouse: .mapped(["device"]), .fewOrNull,
        tracardi: redirectContext("device"))
    /// `mobile`, `tablet` or `desktop` (`FormFactor`); null when unknown.
    public static let form = ClickEventField(
        "form", .string, nullable: true, clickHouse: .mapped(["form"]), .fewOrNull, tracardi: redirectContext("form"))
    /// `qr` when the link carried `_via=qr` (``ClickVia``); null for a plain click or an unknown value.
    public static let via = ClickEventField(
        "via", .string, nullable: true, clickHouse: .mapped(["via"]), .fewOrNull, tracardi: redirectContext("via"))
    public static let request = ClickEventField(
        "request", .object, nullable: false, clickHouse: .members, tracardi: .mapped(["events[].context.request"]))
    public static let requestMethod = ClickEventField(
        "method", in: "request", .string, nullable: false, clickHouse: .mapped(["request_method"]), .fewOrNull,
        tracardi: .mapped(["events[].context.request.method"]))
    public static let requestIP = ClickEventField(
        "ip", in: "request", .string, nullable: true, clickHouse: .mapped(["request_ip"]), .nullableString,
        tracardi: .mapped(["events[].context.request.ip", "request.headers.x-forwarded-for"]))
    public static let requestUserAgent = ClickEventField(
        "user_agent", in: "request", .string, nullable: true, clickHouse: .mapped(["request_user_agent"]),
        .nullableString,
        tracardi: .mapped([
            "events[].context.request.user_agent", "events[].context.browser.local.browser.userAgent",
            "context.browser.local.browser.userAgent", "request.headers.user-agent",
        ]))
    public static let requestReferer = ClickEventField(
        "referer", in: "request", .string, nullable: true, clickHouse: .mapped(["request_referer"]), .nullableString,
        tracardi: .mapped(["events[].context.request.referer"]))
    public static let requestAcceptLanguage = ClickEventField(
        "accept_language", in: "request", .string, nullable: true,
        clickHouse: .mapped(["request_accept_language"]), .nullableString,
        tracardi: .mapped(["events[].context.request.accept_language", "request.headers.accept-language"]))
    public static let requestHost = ClickEventField(
        "host", in: "request", .string, nullable: true, clickHouse: .mapped(["request_host"]), .fewOrNull,
        tracardi: .mapped(["events[].context.request.host"]))
    /// The query string as received; never null (empty when there is none).
    public static let requestQuery = ClickEventField(
        "query", in: "request", .string, nullable: false, clickHouse: .mapped(["request_query"]), .nullableString,
        tracardi: .mapped(["events[].context.request.query"]))
    public static let bot = ClickEventField(
        "bot", .string, nullable: true, clickHouse: .mapped(["bot"]), .fewOrNull,
        tracardi: .mapped(["events[].context.bot"]))
    public static let botCategory = ClickEventField(
        "bot_category", .string, nullable: true, clickHouse: .mapped(["bot_category"]), .fewOrNull,
        tracardi: .mapped(["events[].context.bot_category"]))

    /// Every field, in the order the line has them; a member follows its object.
    public static let all: [ClickEventField] = [
        version, id, time, outcome, redirect, session, sessionStatus, sessionSource, source, type, properties, target,
        status, rule, variant, country, device, form, via,
        request, requestMethod, requestIP, requestUserAgent, requestReferer, requestAcceptLanguage, requestHost,
        requestQuery,
        bot, botCategory,
    ]
}
