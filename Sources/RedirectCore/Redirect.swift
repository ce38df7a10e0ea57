import JSON
import Timestamps

/// One redirect, as read from `redirects.d/<id>.toml`.
public struct Redirect: Equatable, Sendable {
    /// The file name without `.toml`; also the first path segment of the link.
    public var id: String
    /// A link (the default) or an open pixel; a pixel's `url` is empty and never read.
    public var kind: RedirectKind
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
    /// Targets by device, language, country, query, time or bot flag, tried in order before `url`.
    ///
    /// A redirect from the cache keeps its rules packed (``packedRules``): reading this property unpacks
    /// them; ``RuleEvaluator`` and ``outcome(for:)`` do not need to.
    public var rules: [RedirectRule] {
        get { packedRules?.unpack().rules ?? storedRules }
        set {
            unpackRules()
            storedRules = newValue
        }
    }
    /// A split of the clicks no rule takes; empty: they go to `url`.
    public var variants: [RedirectVariant] {
        get { packedRules?.unpack().variants ?? storedVariants }
        set {
            unpackRules()
            storedVariants = newValue
        }
    }
    /// The rules when held as values (empty while ``packedRules`` holds them).
    private(set) var storedRules: [RedirectRule]
    private(set) var storedVariants: [RedirectVariant]
    /// The rules and variants as the cache packed them; nil for a redirect made of values.
    package private(set) var packedRules: PackedRules?

    /// Whether clicks are routed by rules or split by variants (read on every click: no unpacking).
    public var hasRulesOrVariants: Bool {
        packedRules != nil || !storedRules.isEmpty || !storedVariants.isEmpty
    }

    /// Uses `packed` for the rules and variants, in place of any held as values.
    package mutating func setPackedRules(_ packed: PackedRules) {
        storedRules = []
        storedVariants = []
        packedRules = packed
    }

    /// Holds the rules and variants as values from now on: for a redirect that serves many clicks (a worker's
    /// recent ones), where testing values beats decoding the packed form on every click.
    package mutating func unpackRules() {
        guard let packed = packedRules else { return }
        (storedRules, storedVariants) = packed.unpack()
        packedRules = nil
    }

    public init(
        id: String, url: String, status: RedirectStatus = .found, eventType: String? = nil, source: String? = nil,
        name: String? = nil, description: String? = nil, tags: [String] = [],
        properties: [(key: String, value: JSONValue)] = [], forwardQuery: ForwardQuery = .off,
        validFrom: Timestamp? = nil, validUntil: Timestamp? = nil, expiredURL: String? = nil, enabled: Bool = true,
        rules: [RedirectRule] = [], variants: [RedirectVariant] = [], kind: RedirectKind = .redirect
    ) {
        self.id = id
        self.kind = kind
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
        self.storedRules = rules
        self.storedVariants = variants
        self.packedRules = nil
    }

    public static func == (lhs: Redirect, rhs: Redirect) -> Bool {
        lhs.id == rhs.id && lhs.kind == rhs.kind && lhs.url == rhs.url && lhs.status == rhs.status
            && lhs.eventType == rhs.eventType
            && lhs.source == rhs.source && lhs.name == rhs.name && lhs.description == rhs.description
            && lhs.tags == rhs.tags && JSONValue.object(lhs.properties) == JSONValue.object(rhs.properties)
            && lhs.forwardQuery == rhs.forwardQuery && lhs.validFrom == rhs.validFrom
            && lhs.validUntil == rhs.validUntil && lhs.expiredURL == rhs.expiredURL && lhs.enabled == rhs.enabled
            && lhs.rules == rhs.rules && lhs.variants == rhs.variants
    }
}
