import BotDetection
import JSON
import RedirectCore
import Timestamps

/// What the report counts of one click: the few fields of its event line that a figure depends on.
///
/// Built from the line by one walk with `JSONCursor` that turns only these fields into strings (no `JSONValue`
/// tree per event), so a million lines cost a few seconds and no memory beyond the one line being read.
public struct ClickFacts: Sendable, Equatable {
    /// When the click came in, in milliseconds since the epoch.
    public var time: Int64
    /// `redirected`, `not-found`, `expired`, `disabled`; empty when the line has none.
    public var outcome: String
    /// The redirect id; nil when the path named none.
    public var redirect: String?
    /// The session id; nil when the click carried none.
    public var session: String?
    /// Whether `session_status` is `valid` (on lines older than that field: whether there is a session).
    public var hasValidSession: Bool
    /// The kind of automated client; nil for a person (`bot` null).
    public var bot: BotCategory?
    public var rule: String?
    public var variant: String?
    public var country: String?
    public var device: String?
    /// The host of `request.referer` (``ReferrerHost``); nil when there is none.
    public var referrerHost: String?

    public init(
        time: Int64, outcome: String, redirect: String?, session: String? = nil, hasValidSession: Bool = false,
        bot: BotCategory? = nil,
        rule: String? = nil, variant: String? = nil, country: String? = nil, device: String? = nil,
        referrerHost: String? = nil
    ) {
        self.time = time
        self.outcome = outcome
        self.redirect = redirect
        self.session = session
        self.hasValidSession = hasValidSession
        self.bot = bot
        self.rule = rule
        self.variant = variant
        self.country = country
        self.device = device
        self.referrerHost = referrerHost
    }

    /// The facts of one event line (without its newline); nil when it is no JSON object or has no string `time`
    /// in RFC 3339 UTC, the lines `redirectctl stats` skips too.
    public init?(line: UnsafeBufferPointer<UInt8>) {
        var cursor = JSONCursor(line)
        var time: Int64?
        var outcome = ""
        var redirect: String?
        var session: String?
        var status: Bool?
        var bot: String?
        var category: String?
        var method: String?
        // The user agent is decoded only for a bot line without a category (rare); the referer is cut to its
        // host straight from the bytes: neither costs a string per click.
        var userAgent: JSONCursor.StringToken?
        var refererHost: String?
        var rule: String?
        var variant: String?
        var country: String?
        var device: String?
        cursor.skipWhitespace()
        let complete = cursor.members(depth: 1) { cursor, key in
            if cursor.isPlain(key, "request") {
                guard cursor.peek() == UInt8(ascii: "{") else { return cursor.skipValue(depth: 1) }
                return cursor.members(depth: 2) { cursor, key in
                    guard cursor.peek() == UInt8(ascii: "\"") else { return cursor.skipValue(depth: 2) }
                    if cursor.isPlain(key, "referer") {
                        guard let token = cursor.string() else { return false }
                        refererHost =
                            token.escaped
                            ? ReferrerHost.of(cursor.text(of: token))
                            : ReferrerHost.of(bytes: UnsafeBufferPointer(rebasing: cursor.bytes[token.range]))
                    } else if cursor.isPlain(key, "user_agent") {
                        guard let token = cursor.string() else { return false }
                        userAgent = token
                    } else if cursor.isPlain(key, "method") {
                        guard let token = cursor.string() else { return false }
                        method = cursor.text(of: token)
                    } else {
                        return cursor.skipValue(depth: 2)
                    }
                    return true
                }
            }
            guard cursor.peek() == UInt8(ascii: "\""), let field = Field(key, in: cursor) else {
                return cursor.skipValue(depth: 1)
            }
            guard let token = cursor.string() else { return false }
            if field == .time {
                time = Self.milliseconds(cursor, token)
                return true
            }
            if field == .sessionStatus {
                status = cursor.isPlain(token, "valid")
                return true
            }
            let text = cursor.text(of: token)
            switch field {
            case .outcome: outcome = text
            case .redirect: redirect = text
            case .session: session = text
            case .bot: bot = text
            case .botCategory: category = text
            case .rule: rule = text
            case .variant: variant = text
            case .country: country = text
            case .device: device = text
            case .time, .sessionStatus: break
            }
            return true
        }
        guard complete, cursor.isAtEnd(), let time else { return nil }
        var botCategory: BotCategory?
        if let bot {
            botCategory =
                category.flatMap(BotCategory.init(rawValue:))
                ?? BotCategory.of(
                    bot: bot, category: category, method: method, userAgent: userAgent.map { cursor.text(of: $0) })
        }
        self.init(
            time: time, outcome: outcome, redirect: redirect, session: session,
            hasValidSession: status ?? (session != nil), bot: botCategory, rule: rule, variant: variant,
            country: country, device: device, referrerHost: refererHost)
    }

    /// The top-level keys read as strings.
    enum Field {
        case time, outcome, redirect, session, sessionStatus, bot, botCategory, rule, variant, country, device

        init?(_ key: JSONCursor.StringToken, in cursor: JSONCursor) {
            switch key.range.count {
            case 3 where cursor.isPlain(key, "bot"): self = .bot
            case 4 where cursor.isPlain(key, "time"): self = .time
            case 4 where cursor.isPlain(key, "rule"): self = .rule
            case 6 where cursor.isPlain(key, "device"): self = .device
            case 7 where cursor.isPlain(key, "outcome"): self = .outcome
            case 7 where cursor.isPlain(key, "session"): self = .session
            case 7 where cursor.isPlain(key, "variant"): self = .variant
            case 7 where cursor.isPlain(key, "country"): self = .country
            case 8 where cursor.isPlain(key, "redirect"): self = .redirect
            case 12 where cursor.isPlain(key, "bot_category"): self = .botCategory
            case 14 where cursor.isPlain(key, "session_status"): self = .sessionStatus
            default: return nil
            }
        }
    }

    /// `2026-11-29T02:08:14.431Z` (milliseconds optional) read straight from the line's bytes.
    static func milliseconds(_ cursor: JSONCursor, _ token: JSONCursor.StringToken) -> Int64? {
        guard !token.escaped else { return Timestamp(iso8601: cursor.text(of: token))?.millisecondsSinceEpoch }
        let bytes = UnsafeBufferPointer(rebasing: cursor.bytes[token.range])
        return Self.milliseconds(bytes)
    }

    /// RFC 3339 UTC text as the responder writes it, in milliseconds since the epoch; nil for another shape.
    public static func milliseconds(_ bytes: UnsafeBufferPointer<UInt8>) -> Int64? {
        Timestamp(iso8601: bytes)?.millisecondsSinceEpoch
    }
}
