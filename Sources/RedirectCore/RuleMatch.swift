/// Which target of a redirect a click goes to: a rule (by index into ``Redirect/rules``) or none, and a
/// variant (by index into that rule's variants, or into the file's when no rule matched) or none.
public struct RuleMatch: Hashable, Sendable {
    /// Nil: no rule matched, and the click goes to the file's variants or `url`.
    public var rule: Int?
    /// Nil: the rule's (or file's) `url`, which has no variants.
    public var variant: Int?

    public init(rule: Int? = nil, variant: Int? = nil) {
        self.rule = rule
        self.variant = variant
    }

    /// No rule, no variant: the file's `url`.
    public static let fallback = RuleMatch()
}
