import JSON

/// One `[[rules]]` entry of a redirect file: a target for the clicks that meet its conditions.
///
/// Rules are tried in file order and the first whose conditions all hold wins; a click no rule takes goes to
/// the file's variants, else to its `url`.
public struct RedirectRule: Equatable, Sendable {
    /// Unique in the file; recorded in the click's event.
    public var name: String
    public var conditions: RuleConditions
    /// The target; may be empty when ``variants`` decide it.
    public var url: String
    /// The answer's status; nil: the file's.
    public var status: RedirectStatus?
    /// The event type of the clicks this rule takes; nil: the file's.
    public var eventType: String?
    /// Merged over the file's properties for the clicks this rule takes.
    public var properties: [(key: String, value: JSONValue)]
    /// A split among the clicks this rule takes; empty: every one goes to ``url``.
    public var variants: [RedirectVariant]

    public init(
        name: String, conditions: RuleConditions = RuleConditions(), url: String, status: RedirectStatus? = nil,
        eventType: String? = nil, properties: [(key: String, value: JSONValue)] = [],
        variants: [RedirectVariant] = []
    ) {
        self.name = name
        self.conditions = conditions
        self.url = url
        self.status = status
        self.eventType = eventType
        self.properties = properties
        self.variants = variants
    }

    public static func == (a: RedirectRule, b: RedirectRule) -> Bool {
        a.name == b.name && a.conditions == b.conditions && a.url == b.url && a.status == b.status
            && a.eventType == b.eventType && JSONValue.object(a.properties) == JSONValue.object(b.properties)
            && a.variants == b.variants
    }
}
