/// `[utm.allowed]` of `_defaults.toml`: for each UTM parameter a team restricts, the values it allows.
///
/// A policy for review, not for serving: `redirectctl check` reports a `[utm]` value outside its list, and the
/// responder ignores the lists, so a link that is already live keeps redirecting while CI stops the change.
public struct UTMAllowedValues: Equatable, Sendable {
    private var lists: [[String]?] = Array(repeating: nil, count: UTMParameters.Key.allCases.count)

    public init(_ lists: [UTMParameters.Key: [String]] = [:]) {
        for (key, values) in lists { self[key] = values }
    }

    /// The values allowed for `key`; nil: any value.
    public subscript(key: UTMParameters.Key) -> [String]? {
        get { lists[key.rawValue] }
        set { lists[key.rawValue] = newValue }
    }

    /// Whether nothing is restricted.
    public var isEmpty: Bool { lists.allSatisfy { $0 == nil } }

    /// Whether `value` may be given for `key`: compared as written, placeholders included.
    public func allows(_ value: String, for key: UTMParameters.Key) -> Bool {
        self[key]?.contains(value) ?? true
    }
}
