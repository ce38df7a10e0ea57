/// A redirect's rules and variants as the redirect cache packs them (``PackedBytes/rules(_:variants:)``),
/// evaluated where they lie: a click reads each rule's conditions in place and decodes only the winner's
/// target and properties, so a cache hit on a file with rules makes no more allocations than one without.
///
/// `owner` keeps the bytes alive: the cache entry they are part of, which never changes after it is made.
public struct PackedRules: @unchecked Sendable {
    let owner: AnyObject
    let bytes: UnsafeBufferPointer<UInt8>

    /// Rules packed in `bytes`, which `owner` holds and never changes.
    package init(owner: AnyObject, bytes: UnsafeBufferPointer<UInt8>) {
        self.owner = owner
        self.bytes = bytes
    }

    /// The rule and variant `context` gets: ``RuleEvaluator/evaluate(_:in:)`` over the packed form.
    func match(_ context: RuleContext) -> RuleMatch {
        withExtendedLifetime(owner) {
            var reader = PackedReader(bytes: bytes, offset: 0)
            let n = reader.count()
            for index in 0..<n {
                let length = reader.count()
                let end = reader.offset + length
                var rule = reader
                if rule.conditionsHold(in: context) {
                    return RuleMatch(rule: index, variant: rule.pickVariant(context.draw))
                }
                reader.offset = end
            }
            return RuleMatch(rule: nil, variant: reader.pickVariant(context.draw))
        }
    }

    /// The rules and the file's variants as values (for `redirectctl`, tests and equality; not for clicks).
    func unpack() -> (rules: [RedirectRule], variants: [RedirectVariant]) {
        withExtendedLifetime(owner) {
            var reader = PackedReader(bytes: bytes, offset: 0)
            let n = reader.count()
            var rules: [RedirectRule] = []
            rules.reserveCapacity(n)
            for _ in 0..<n {
                _ = reader.count()
                let conditions = reader.conditions()
                let variants = reader.variants()
                let name = reader.string()
                let url = reader.string()
                let status = RedirectStatus(rawValue: reader.count())
                let eventType = reader.optionalString()
                rules.append(
                    RedirectRule(
                        name: name, conditions: conditions, url: url, status: status, eventType: eventType,
                        properties: reader.members(), variants: variants))
            }
            return (rules, reader.variants())
        }
    }

    /// What `match` gives in `redirect` (whose own fields are the base): only the winner is decoded.
    func outcome(for match: RuleMatch, in redirect: Redirect) -> RuleOutcome {
        withExtendedLifetime(owner) {
            var outcome = RuleOutcome(
                url: redirect.url, status: redirect.status, eventType: redirect.eventType,
                properties: redirect.properties, rule: nil, variant: nil)
            var reader = PackedReader(bytes: bytes, offset: 0)
            let n = reader.count()
            var variantsStart: Int
            if let index = match.rule, index < n {
                for _ in 0..<index { reader.skipRecord() }
                _ = reader.count()
                reader.skipConditions()
                variantsStart = reader.offset
                for _ in 0..<reader.count() { reader.skipRecord() }
                outcome.rule = reader.string()
                let url = reader.string()
                if !url.isEmpty { outcome.url = url }
                if let status = RedirectStatus(rawValue: reader.count()) { outcome.status = status }
                if let eventType = reader.optionalString() { outcome.eventType = eventType }
                outcome.properties = Redirect.merge(reader.members(), over: outcome.properties)
            } else {
                for _ in 0..<n { reader.skipRecord() }
                variantsStart = reader.offset
            }
            reader.offset = variantsStart
            let count = reader.count()
            if let index = match.variant, index < count {
                for _ in 0..<index { reader.skipRecord() }
                _ = reader.count()
                _ = reader.fixed()
                outcome.variant = reader.string()
                outcome.url = reader.string()
                outcome.properties = Redirect.merge(reader.members(), over: outcome.properties)
            }
            return outcome
        }
    }
}
