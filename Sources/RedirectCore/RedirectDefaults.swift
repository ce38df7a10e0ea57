import JSON

/// Settings from `redirects.d/_defaults.toml` that apply to every redirect.
public struct RedirectDefaults: Equatable, Sendable {
    public var source: String?
    public var eventType: String?
    public var properties: [(key: String, value: JSONValue)]
    /// Where unknown, invalid and disabled ids go instead of a 404.
    public var notFoundURL: String?
    /// Keep only the /24 of IPv4 and the /48 of IPv6 addresses in events.
    public var anonymizeIP: Bool
    /// Leave out IP, user agent and referer when the browser sends `Sec-GPC: 1` or `DNT: 1`.
    public var honorPrivacySignals: Bool
    /// Public prefix of links, e.g. `https://go.example.com/redirect`, used by `redirectctl link`.
    public var baseURL: String?

    public init(
        source: String? = nil, eventType: String? = nil, properties: [(key: String, value: JSONValue)] = [],
        notFoundURL: String? = nil, anonymizeIP: Bool = false, honorPrivacySignals: Bool = true,
        baseURL: String? = nil
    ) {
        self.source = source
        self.eventType = eventType
        self.properties = properties
        self.notFoundURL = notFoundURL
        self.anonymizeIP = anonymizeIP
        self.honorPrivacySignals = honorPrivacySignals
        self.baseURL = baseURL
    }

    public static func == (lhs: RedirectDefaults, rhs: RedirectDefaults) -> Bool {
        lhs.source == rhs.source && lhs.eventType == rhs.eventType
            && JSONValue.object(lhs.properties) == JSONValue.object(rhs.properties)
            && lhs.notFoundURL == rhs.notFoundURL && lhs.anonymizeIP == rhs.anonymizeIP
            && lhs.honorPrivacySignals == rhs.honorPrivacySignals && lhs.baseURL == rhs.baseURL
    }
}
