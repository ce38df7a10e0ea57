import JSON

/// What a click gets from the rule and variant it matched: the target template and what goes into its
/// event. Built only for the winner, so a click pays for one rule's strings, not all of them.
public struct RuleOutcome: Sendable {
    /// The URL template (placeholders not yet filled in), built with the file's `forward_query`.
    public var url: String
    public var status: RedirectStatus
    /// The event type: the rule's, else the file's (nil: the defaults').
    public var eventType: String?
    /// The file's properties with the rule's and then the variant's merged over them (same key: the later
    /// wins); the defaults' come under these as for any click.
    public var properties: [(key: String, value: JSONValue)]
    /// For the event: the rule's name, nil when no rule matched.
    public var rule: String?
    /// For the event: the variant's name, nil when there was no split.
    public var variant: String?
}

extension Redirect {
    /// The target and event fields of `match`, which ``RuleEvaluator/evaluate(_:in:)`` gave for this redirect.
    public func outcome(for match: RuleMatch) -> RuleOutcome {
        if let packed = packedRules { return packed.outcome(for: match, in: self) }
        var outcome = RuleOutcome(
            url: url, status: status, eventType: eventType, properties: properties, rule: nil, variant: nil)
        var variants = storedVariants
        if let index = match.rule, storedRules.indices.contains(index) {
            let rule = storedRules[index]
            outcome.rule = rule.name
            if !rule.url.isEmpty { outcome.url = rule.url }
            if let status = rule.status { outcome.status = status }
            if let eventType = rule.eventType { outcome.eventType = eventType }
            outcome.properties = Self.merge(rule.properties, over: outcome.properties)
            variants = rule.variants
        }
        if let index = match.variant, variants.indices.contains(index) {
            let variant = variants[index]
            outcome.variant = variant.name
            outcome.url = variant.url
            outcome.properties = Self.merge(variant.properties, over: outcome.properties)
        }
        return outcome
    }

    /// `own` over `base`, keeping `base`'s order for the keys it keeps; no copy when `own` is empty.
    static func merge(
        _ own: [(key: String, value: JSONValue)], over base: [(key: String, value: JSONValue)]
    ) -> [(key: String, value: JSONValue)] {
        if own.isEmpty { return base }
        if base.isEmpty { return own }
        var merged: [(key: String, value: JSONValue)] = []
        merged.reserveCapacity(base.count + own.count)
        for member in base where !own.contains(where: { $0.key == member.key }) { merged.append(member) }
        merged += own
        return merged
    }
}
