/// Chooses the target of a click among a redirect's rules and variants. Pure, and allocation-free: every
/// comparison is of small values or of strings already made.
///
/// Rules are tried in file order; the first whose conditions all hold wins, and its variants (if any) split
/// its clicks. A click no rule takes goes to the file's variants, if any, else to the file's `url`.
public enum RuleEvaluator {
    /// The rule and variant `context` gets in `redirect`.
    public static func evaluate(_ redirect: Redirect, in context: RuleContext) -> RuleMatch {
        if let packed = redirect.packedRules { return packed.match(context) }
        // Through a pointer: each rule is tested where it lies (indexing the array would copy its conditions,
        // retaining and releasing their lists, for every rule of every click).
        let rule = redirect.storedRules.withUnsafeBufferPointer { rules -> Int? in
            guard let base = rules.baseAddress else { return nil }
            for index in 0..<rules.count where holds(base + index, in: context) { return index }
            return nil
        }
        if let rule {
            return RuleMatch(rule: rule, variant: variant(of: redirect.storedRules[rule].variants, draw: context.draw))
        }
        return RuleMatch(rule: nil, variant: variant(of: redirect.storedVariants, draw: context.draw))
    }

    /// Whether the conditions of the rule at `rule` hold, read in place.
    @inline(__always)
    static func holds(_ rule: UnsafePointer<RedirectRule>, in context: RuleContext) -> Bool {
        rule.pointee.conditions.hold(in: context)
    }

    /// The index of the variant `draw` picks, or nil when there are none.
    static func variant(of variants: [RedirectVariant], draw: SplitDraw) -> Int? {
        if variants.isEmpty { return nil }
        return variants.withUnsafeBufferPointer { draw.pick(weights: $0.lazy.map { $0.weight }) }
    }

    /// ``evaluate(_:in:)`` with its reasons: for each rule tried before the winner, every condition that did
    /// not hold; for `redirectctl explain`.
    public static func explain(_ redirect: Redirect, in context: RuleContext) -> RuleExplanation {
        var tried: [RuleExplanation.Attempt] = []
        for (index, rule) in redirect.rules.enumerated() {
            let failures = rule.conditions.failures(in: context)
            tried.append(RuleExplanation.Attempt(rule: index, name: rule.name, failures: failures))
            if failures.isEmpty { break }
        }
        return RuleExplanation(tried: tried, match: evaluate(redirect, in: context))
    }
}

extension RuleConditions {
    /// Whether every condition holds of the click. Cheapest first: flags and integers, then the query.
    /// Inlined: called on a rule in its array, a call would copy the conditions (and retain their lists).
    @inline(__always)
    public func hold(in context: RuleContext) -> Bool {
        if let bot, bot != context.isBot { return false }
        if let from, context.now < from { return false }
        if let until, context.now >= until { return false }
        if deviceMask != 0 {
            guard let device = context.device, deviceMask & device.bit != 0 else { return false }
        }
        if formMask != 0 {
            guard let form = context.form, formMask & form.bit != 0 else { return false }
        }
        if !hasLists { return true }
        if !languages.isEmpty {
            guard let language = context.language, languages.contains(language) else { return false }
        }
        if !countries.isEmpty {
            guard let country = context.country, countries.contains(country) else { return false }
        }
        for wanted in query where Self.queryValue(wanted.name, in: context.query) != wanted.value {
            return false
        }
        return true
    }

    /// The value of the first parameter named `name`, without copying either string.
    static func queryValue(_ name: String, in query: QueryString) -> String? {
        for pair in query.pairs where pair.name == name { return pair.value }
        return nil
    }

    /// Every condition that does not hold of the click, in the order a file lists them.
    public func failures(in context: RuleContext) -> [RuleConditionFailure] {
        var failures: [RuleConditionFailure] = []
        func list<T: CustomStringConvertible>(_ items: [T]) -> String {
            items.map { "\"\($0)\"" }.joined(separator: ", ")
        }
        if !devices.isEmpty, context.device.map(devices.contains) != true {
            let found = context.device.map { "\"\($0.rawValue)\"" } ?? "none recognised"
            failures.append(
                .init(.device, "device is \(found), not one of \(list(devices.map(\.rawValue)))"))
        }
        if !forms.isEmpty, context.form.map(forms.contains) != true {
            let found = context.form.map { "\"\($0.rawValue)\"" } ?? "none recognised"
            failures.append(.init(.form, "form is \(found), not one of \(list(forms.map(\.rawValue)))"))
        }
        if !languages.isEmpty, context.language.map(languages.contains) != true {
            let found = context.language.map { "\"\($0)\"" } ?? "none (no Accept-Language, or `*` first)"
            failures.append(.init(.language, "first-choice language is \(found), not one of \(list(languages))"))
        }
        if !countries.isEmpty, context.country.map(countries.contains) != true {
            let found = context.country.map { "\"\($0)\"" } ?? "unknown"
            failures.append(.init(.country, "country is \(found), not one of \(list(countries))"))
        }
        for wanted in query {
            let found = Self.queryValue(wanted.name, in: context.query)
            if found == wanted.value { continue }
            let what = found.map { "is \"\($0)\"" } ?? "is absent"
            failures.append(.init(.query, "query parameter \(wanted.name) \(what), not \"\(wanted.value)\""))
        }
        if let bot, bot != context.isBot {
            failures.append(.init(.bot, bot ? "the click is not flagged as a bot" : "the click is flagged as a bot"))
        }
        if let from, context.now < from {
            failures.append(.init(.from, "the click at \(context.now.iso8601) is before from (\(from.iso8601))"))
        }
        if let until, context.now >= until {
            failures.append(
                .init(.until, "the click at \(context.now.iso8601) is not before until (\(until.iso8601))"))
        }
        return failures
    }
}

/// One condition of a rule that a click did not meet, and why, in words.
public struct RuleConditionFailure: Equatable, Sendable, CustomStringConvertible {
    /// The conditions, as a file names their keys.
    public enum Condition: String, Sendable {
        case device, form, language, country, query, bot, from, until
    }

    public var condition: Condition
    public var reason: String

    public init(_ condition: Condition, _ reason: String) {
        self.condition = condition
        self.reason = reason
    }

    public var description: String { "\(condition.rawValue): \(reason)" }
}

/// Why a click got the target it got: each rule tried, with the conditions that failed, and the match.
public struct RuleExplanation: Sendable {
    /// One rule tried; no failures means it matched.
    public struct Attempt: Equatable, Sendable {
        public var rule: Int
        public var name: String
        public var failures: [RuleConditionFailure]
    }

    /// The rules in file order up to and including the one that matched (all of them when none did).
    public var tried: [Attempt]
    public var match: RuleMatch

    /// One line per rule tried and one for the result, as `redirectctl explain` would print them.
    public func lines(for redirect: Redirect) -> [String] {
        var lines: [String] = []
        for attempt in tried {
            if attempt.failures.isEmpty {
                lines.append("rule \"\(attempt.name)\": matches")
            } else {
                let reasons = attempt.failures.map(\.description).joined(separator: "; ")
                lines.append("rule \"\(attempt.name)\": no (\(reasons))")
            }
        }
        let outcome = redirect.outcome(for: match)
        var result = match.rule == nil ? "no rule matched: " : "target: "
        if let variant = outcome.variant { result += "variant \"\(variant)\", " }
        result += "\(outcome.url) (\(outcome.status.rawValue))"
        lines.append(result)
        return lines
    }
}
