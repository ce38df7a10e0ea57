import JSON

/// One arm of a split: clicks that reach a list of variants go to one of them, in proportion to the weights,
/// the same visitor to the same variant (see ``SplitDraw``).
public struct RedirectVariant: Equatable, Sendable {
    /// Unique within its list; recorded in the click's event.
    public var name: String
    /// A positive share: a variant of weight 2 gets twice the clicks of one of weight 1.
    public var weight: Int64
    /// The target, under the same rules as the file's `url`.
    public var url: String
    /// Merged over the rule's and the file's properties for clicks that get this variant.
    public var properties: [(key: String, value: JSONValue)]

    public init(name: String, weight: Int64, url: String, properties: [(key: String, value: JSONValue)] = []) {
        self.name = name
        self.weight = weight
        self.url = url
        self.properties = properties
    }

    public static func == (a: RedirectVariant, b: RedirectVariant) -> Bool {
        a.name == b.name && a.weight == b.weight && a.url == b.url
            && JSONValue.object(a.properties) == JSONValue.object(b.properties)
    }
}
