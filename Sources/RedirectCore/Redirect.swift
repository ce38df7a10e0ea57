import JSON
import Timestamps

/// One redirect, as read from `redirects.d/<id>.toml`.
public struct Redirect: Equatable, Sendable {
    /// The file name without `.toml`; also the first path segment of the link.
    public var id: String
    /// The target, an absolute http(s) URL; may hold placeholders such as `{session}`.
    public var url: String
    public var status: RedirectStatus
    /// Event type of the click; nil means the defaults' type, else `redirect`.
    public var eventType: String?
    /// Tracardi event-source id; nil means the defaults' source.
    public var source: String?
    public var name: String?
    public var description: String?
    public var tags: [String]
    /// Event properties, merged over the defaults' properties.
    public var properties: [(key: String, value: JSONValue)]
    /// Whether and how the incoming query string is merged into the target's.
    public var forwardQuery: ForwardQuery
    /// Start of the time window in which the link redirects to `url`.
    public var validFrom: Timestamp?
    /// End of the time window (exclusive).
    public var validUntil: Timestamp?
    /// Where to send clicks outside the window; nil answers 410 Gone.
    public var expiredURL: String?
    /// A disabled redirect answers 404.
    public var enabled: Bool

    public init(
        id: String, url: String, status: RedirectStatus = .found, eventType: String? = nil, source: String? = nil,
        name: String? = nil, description: String? = nil, tags: [String] = [],
        properties: [(key: String, value: JSONValue)] = [], forwardQuery: ForwardQuery = .off,
        validFrom: Timestamp? = nil, validUntil: Timestamp? = nil, expiredURL: String? = nil, enabled: Bool = true
    ) {
        self.id = id
        self.url = url
        self.status = status
        self.eventType = eventType
        self.source = source
        self.name = name
        self.description = description
        self.tags = tags
        self.properties = properties
        self.forwardQuery = forwardQuery
        self.validFrom = validFrom
        self.validUntil = validUntil
        self.expiredURL = expiredURL
        self.enabled = enabled
    }

    public static func == (lhs: Redirect, rhs: Redirect) -> Bool {
        lhs.id == rhs.id && lhs.url == rhs.url && lhs.status == rhs.status && lhs.eventType == rhs.eventType
            && lhs.source == rhs.source && lhs.name == rhs.name && lhs.description == rhs.description
            && lhs.tags == rhs.tags && JSONValue.object(lhs.properties) == JSONValue.object(rhs.properties)
            && lhs.forwardQuery == rhs.forwardQuery && lhs.validFrom == rhs.validFrom
            && lhs.validUntil == rhs.validUntil && lhs.expiredURL == rhs.expiredURL && lhs.enabled == rhs.enabled
    }
}
