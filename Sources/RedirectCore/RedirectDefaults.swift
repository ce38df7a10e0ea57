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
    /// `[utm]`: added to every target of every file, under each file's own `[utm]`.
    public var utm: UTMParameters {
        get { utmSettings?.utm ?? UTMParameters() }
        set { utmSettings = UTMSettings.make(utm: newValue, allowed: utmAllowed) }
    }
    /// `[utm.allowed]`: the values `redirectctl check` lets a `[utm]` table give.
    public var utmAllowed: UTMAllowedValues {
        get { utmSettings?.allowed ?? UTMAllowedValues() }
        set { utmSettings = UTMSettings.make(utm: utm, allowed: newValue) }
    }
    /// Both behind one reference, nil without `[utm]`: a click passes the defaults on several times, and five
    /// strings and a list more would cost a retain and a release each time (about 400 instructions a click in
    /// `bench/profile`), for settings only the parsing of a file reads.
    private var utmSettings: UTMSettings?

    /// `[utm]` and `[utm.allowed]`, never changed once made.
    private final class UTMSettings: Sendable {
        let utm: UTMParameters
        let allowed: UTMAllowedValues

        private init(utm: UTMParameters, allowed: UTMAllowedValues) {
            self.utm = utm
            self.allowed = allowed
        }

        /// Nil when neither is set.
        static func make(utm: UTMParameters, allowed: UTMAllowedValues) -> UTMSettings? {
            utm.isEmpty && allowed.isEmpty ? nil : UTMSettings(utm: utm, allowed: allowed)
        }
    }

    public init(
        source: String? = nil, eventType: String? = nil, properties: [(key: String, value: JSONValue)] = [],
        notFoundURL: String? = nil, anonymizeIP: Bool = false, honorPrivacySignals: Bool = true,
        baseURL: String? = nil, utm: UTMParameters = UTMParameters(), utmAllowed: UTMAllowedValues = UTMAllowedValues()
    ) {
        self.source = source
        self.eventType = eventType
        self.properties = properties
        self.notFoundURL = notFoundURL
        self.anonymizeIP = anonymizeIP
        self.honorPrivacySignals = honorPrivacySignals
        self.baseURL = baseURL
        self.utmSettings = UTMSettings.make(utm: utm, allowed: utmAllowed)
    }

    public static func == (lhs: RedirectDefaults, rhs: RedirectDefaults) -> Bool {
        lhs.source == rhs.source && lhs.eventType == rhs.eventType
            && JSONValue.object(lhs.properties) == JSONValue.object(rhs.properties)
            && lhs.notFoundURL == rhs.notFoundURL && lhs.anonymizeIP == rhs.anonymizeIP
            && lhs.honorPrivacySignals == rhs.honorPrivacySignals && lhs.baseURL == rhs.baseURL
            && lhs.utm == rhs.utm && lhs.utmAllowed == rhs.utmAllowed
    }
}
