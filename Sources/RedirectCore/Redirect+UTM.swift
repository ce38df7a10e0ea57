import JSON

/// A file's UTM parameters, applied when the file is read: the targets and properties a click reads already
/// hold them, so a click pays nothing for them (and `forward_query` merges the visitor's query into targets
/// that carry them, as into any parameter of the URL).
extension Redirect {
    /// Adds `utm` to the query of every target (`url`, `expired_url`, each rule's and variant's), where the
    /// target does not name the parameter itself, and copies the parameters of `recorded` into the properties
    /// as `utm_*`, under any explicit property of the same name (the file's, or a rule's or variant's, which
    /// are merged over these on each click).
    mutating func addUTM(_ utm: UTMParameters, recording recorded: [UTMParameters.Key]) {
        if utm.isEmpty { return }
        if !url.isEmpty { url = utm.added(to: url) }
        if let expired = expiredURL { expiredURL = utm.added(to: expired) }
        if !storedRules.isEmpty {
            rules = storedRules.map { rule in
                var rule = rule
                if !rule.url.isEmpty { rule.url = utm.added(to: rule.url) }
                rule.variants = rule.variants.map { Self.addingUTM(utm, to: $0) }
                return rule
            }
        }
        if !storedVariants.isEmpty { variants = storedVariants.map { Self.addingUTM(utm, to: $0) } }
        var copied: [(key: String, value: JSONValue)] = []
        for key in recorded {
            if let value = utm[key] { copied.append((key.parameter, .string(value))) }
        }
        properties = Self.merge(properties, over: copied)
    }

    /// Every target of the file with its label (`url`, `rule "ios": url`), for checks after ``addUTM(_:recording:)``.
    var targetsWithLabels: [(label: String, url: String)] {
        var targets: [(label: String, url: String)] = url.isEmpty ? [] : [("url", url)]
        if let expired = expiredURL { targets.append(("expired_url", expired)) }
        for rule in storedRules {
            if !rule.url.isEmpty { targets.append(("rule \"\(rule.name)\": url", rule.url)) }
            for variant in rule.variants {
                targets.append(("rule \"\(rule.name)\": variant \"\(variant.name)\": url", variant.url))
            }
        }
        for variant in storedVariants { targets.append(("variant \"\(variant.name)\": url", variant.url)) }
        return targets
    }

    /// `variant` with `utm` added to its target.
    private static func addingUTM(_ utm: UTMParameters, to variant: RedirectVariant) -> RedirectVariant {
        var variant = variant
        if !variant.url.isEmpty { variant.url = utm.added(to: variant.url) }
        return variant
    }
}
