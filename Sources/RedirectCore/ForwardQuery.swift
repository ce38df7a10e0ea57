/// Whether and how a click's query string is merged into the target's (`forward_query` in a redirect file).
public enum ForwardQuery: Sendable, Equatable, ExpressibleByBooleanLiteral {
    /// The target is the file's URL alone (`false`, the default).
    case off
    /// The visitor's parameters are added; on a name the file's URL already has, the file's value stays
    /// (`true`): nobody can rewrite a campaign's `utm_*` values by editing the link.
    case merge
    /// The visitor's parameters are added and replace the file's on the same name (`"override"`).
    case override

    public init(booleanLiteral value: Bool) {
        self = value ? .merge : .off
    }
}
