import CountryCodes
import DeviceDetection
import JSON
import TOML
import Timestamps

/// Reading `[[rules]]` and `[[variants]]`: every value checked where it is written, so that a file the
/// responder accepts is one whose every rule can be evaluated and whose every target can be built.
extension RedirectTableReader {
    /// Most rules a file may hold: each is tried on every click, in order.
    static let maxRules = 1000
    /// Most variants one list may hold.
    static let maxVariants = 1000
    /// Up to this many rules, each is also compared with every rule before it for one that takes all its
    /// clicks (a broader rule); beyond, only rules without conditions and exact repeats are found.
    static let maxRulesComparedPairwise = 200

    /// The keys a rule may hold.
    static let ruleKeys = [
        "name", "device", "form", "language", "country", "query", "bot", "from", "until", "url", "status",
        "event_type", "properties", "variants",
    ]
    /// The keys a variant may hold.
    static let variantKeys = ["name", "weight", "url", "properties"]

    /// The file's `[[rules]]`, with a finding for each problem; the rules that have errors are left out (the
    /// file as a whole is then refused).
    mutating func rules() -> [RedirectRule] {
        guard let entry = entry(.rules) else { return [] }
        guard let tables = tablesOfArray(entry, label: "rules", header: "[[rules]]", limit: Self.maxRules) else {
            return []
        }
        var rules: [RedirectRule] = []
        var positions: [TOMLPosition] = []
        var names: [String: TOMLPosition] = [:]
        for (number, element) in tables.enumerated() {
            let before = problems.count
            let rule = rule(element.table, at: element.position, number: number + 1, names: &names)
            if let rule, !problems[before...].contains(where: { $0.severity == .error }) {
                rules.append(rule)
                positions.append(element.position)
            }
        }
        checkReachability(rules, at: positions)
        return rules
    }

    /// The file's own `[[variants]]`.
    mutating func fileVariants() -> [RedirectVariant] {
        guard let entry = entry(.variants) else { return [] }
        return variants(entry, owner: "")
    }

    /// The tables of an array of tables, or nil (with a finding) when `entry` is something else or too long.
    private mutating func tablesOfArray(
        _ entry: TOMLTable.Entry, label: String, header: String, limit: Int
    ) -> [(table: TOMLTable, position: TOMLPosition)]? {
        guard case .array(let array) = entry.value, array.count > 0 else {
            report(
                entry.keyPosition,
                "\(label) must be an array of tables (\(header)), found \(entry.value.kindDescription)")
            return nil
        }
        if array.count > limit {
            report(
                entry.keyPosition,
                "\(label) has \(array.count) entries; at most \(limit) are allowed (each is tried on every click)")
            return nil
        }
        var tables: [(table: TOMLTable, position: TOMLPosition)] = []
        tables.reserveCapacity(array.count)
        for element in array.elements {
            guard case .table(let table) = element.value else {
                report(
                    element.position,
                    "\(label) must be an array of tables (\(header)), found \(element.value.kindDescription) in it")
                return nil
            }
            tables.append((table, element.position))
        }
        return tables
    }

    /// One rule; nil when it cannot be read at all. `names` collects the names of the rules before it.
    private mutating func rule(
        _ table: TOMLTable, at position: TOMLPosition, number: Int, names: inout [String: TOMLPosition]
    ) -> RedirectRule? {
        let name = requiredName(table, at: position, label: "rule \(number)", names: &names, kind: "rule")
        let label = name.map { "rule \"\($0)\": " } ?? "rule \(number): "
        warnUnknownKeys(table, allowed: Self.ruleKeys, label: label)
        var conditions = RuleConditions()
        conditions.devices = caseNames(table, "device", label: label, as: DeviceOS.self)
        conditions.forms = caseNames(table, "form", label: label, as: FormFactor.self)
        conditions.languages = languages(table, label: label)
        conditions.countries = countries(table, label: label)
        conditions.query = query(table, label: label)
        conditions.bot = boolean(table, "bot", label: label)
        conditions.from = timestamp(table, "from", label: label)
        conditions.until = timestamp(table, "until", label: label)
        if let from = conditions.from, let until = conditions.until, from >= until, let entry = table.entry("until") {
            report(
                entry.keyPosition,
                "\(label)until must be later than from (the window is from inclusive, until exclusive)")
        }
        let ruleVariants = table.entry("variants").map { variants($0, owner: label) } ?? []
        let url = string(table, "url", label: label)
        if let url, let entry = table.entry("url") {
            checkTarget(url, label: "\(label)url", at: entry.keyPosition)
        } else if url == nil && table.entry("url") == nil && table.entry("variants") == nil {
            report(position, "\(label)missing required key \"url\" (or [[rules.variants]] to split its clicks)")
        }
        var status: RedirectStatus? = nil
        if let entry = table.entry("status") {
            if case .integer(let code) = entry.value {
                status = RedirectStatus(rawValue: Int(truncatingIfNeeded: code))
                if status == nil {
                    report(entry.keyPosition, "\(label)status must be one of 301, 302, 303, 307, 308, found \(code)")
                }
            } else {
                report(entry.keyPosition, "\(label)status must be an integer, found \(entry.value.kindDescription)")
            }
        }
        let eventType = string(table, "event_type", label: label)
        if eventType?.isEmpty == true, let entry = table.entry("event_type") {
            report(entry.keyPosition, "\(label)event_type must not be empty")
        }
        let properties = properties(table, label: label)
        return RedirectRule(
            name: name ?? "", conditions: conditions, url: url ?? "", status: status,
            eventType: eventType.flatMap { $0.isEmpty ? nil : $0 }, properties: properties, variants: ruleVariants)
    }

    /// A list of variants (the file's, or a rule's when `owner` names it), each checked.
    private mutating func variants(_ entry: TOMLTable.Entry, owner: String) -> [RedirectVariant] {
        let header = owner.isEmpty ? "[[variants]]" : "[[rules.variants]]"
        guard let tables = tablesOfArray(entry, label: "\(owner)variants", header: header, limit: Self.maxVariants)
        else { return [] }
        var variants: [RedirectVariant] = []
        var names: [String: TOMLPosition] = [:]
        var total: Int64 = 0
        var overflowReported = false
        for (number, element) in tables.enumerated() {
            let table = element.table
            let numbered = "\(owner)variant \(number + 1)"
            let name = requiredName(table, at: element.position, label: numbered, names: &names, kind: "variant")
            let label = name.map { "\(owner)variant \"\($0)\": " } ?? "\(numbered): "
            warnUnknownKeys(table, allowed: Self.variantKeys, label: label)
            var weight: Int64 = 0
            if let weightEntry = table.entry("weight") {
                if case .integer(let value) = weightEntry.value, value > 0 {
                    weight = value
                    let (sum, overflow) = total.addingReportingOverflow(value)
                    if overflow && !overflowReported {
                        report(
                            weightEntry.keyPosition,
                            "\(label)weight \(value) makes the weights of \(owner)variants add up to more than "
                                + "\(Int64.max): use smaller weights in the same proportions")
                        overflowReported = true
                    }
                    total = overflow ? Int64.max : sum
                } else {
                    let found =
                        if case .integer(let value) = weightEntry.value { "\(value)" } else {
                            weightEntry.value.kindDescription
                        }
                    report(weightEntry.keyPosition, "\(label)weight must be a positive integer, found \(found)")
                }
            } else {
                report(element.position, "\(label)missing required key \"weight\"")
            }
            let url = string(table, "url", label: label)
            if let url, let urlEntry = table.entry("url") {
                checkTarget(url, label: "\(label)url", at: urlEntry.keyPosition)
            } else if table.entry("url") == nil {
                report(element.position, "\(label)missing required key \"url\"")
            }
            variants.append(
                RedirectVariant(
                    name: name ?? "", weight: weight, url: url ?? "", properties: properties(table, label: label)))
        }
        return variants
    }

    /// `name`, required, non-empty and unique among `names` (which it joins).
    private mutating func requiredName(
        _ table: TOMLTable, at position: TOMLPosition, label: String, names: inout [String: TOMLPosition],
        kind: String
    ) -> String? {
        guard let entry = table.entry("name") else {
            report(position, "\(label): missing required key \"name\" (recorded in the event of each click it takes)")
            return nil
        }
        guard case .string(let name) = entry.value else {
            report(entry.keyPosition, "\(label): name must be a string, found \(entry.value.kindDescription)")
            return nil
        }
        if name.isEmpty {
            report(entry.keyPosition, "\(label): name must not be empty")
            return nil
        }
        if let earlier = names[name] {
            report(entry.keyPosition, "\(kind) name \"\(name)\" is already used at line \(earlier.line)")
            return name
        }
        names[name] = entry.keyPosition
        return name
    }

    private mutating func warnUnknownKeys(_ table: TOMLTable, allowed: [String], label: String) {
        for entry in table.entries where !allowed.contains(entry.key) {
            var message = "\(label)unknown key \"\(entry.key)\""
            if let near = Spelling.nearest(to: entry.key, among: allowed) { message += " (did you mean \"\(near)\"?)" }
            report(entry.keyPosition, message, severity: .warning)
        }
    }

    private mutating func string(_ table: TOMLTable, _ key: String, label: String) -> String? {
        guard let entry = table.entry(key) else { return nil }
        guard case .string(let s) = entry.value else {
            report(entry.keyPosition, "\(label)\(key) must be a string, found \(entry.value.kindDescription)")
            return nil
        }
        return s
    }

    private mutating func boolean(_ table: TOMLTable, _ key: String, label: String) -> Bool? {
        guard let entry = table.entry(key) else { return nil }
        guard case .boolean(let b) = entry.value else {
            report(
                entry.keyPosition,
                "\(label)\(key) must be a boolean (true or false), found \(entry.value.kindDescription)")
            return nil
        }
        return b
    }

    private mutating func timestamp(_ table: TOMLTable, _ key: String, label: String) -> Timestamp? {
        guard let entry = table.entry(key) else { return nil }
        guard let timestamp = Self.timestamp(entry.value) else {
            report(
                entry.keyPosition,
                "\(label)\(key) must be a date-time such as 2026-12-01T00:00:00Z, found \(entry.value.kindDescription)")
            return nil
        }
        return timestamp
    }

    private mutating func properties(_ table: TOMLTable, label: String) -> [(key: String, value: JSONValue)] {
        guard let entry = table.entry("properties") else { return [] }
        guard case .table(let properties) = entry.value else {
            report(
                entry.keyPosition,
                "\(label)properties must be a table ({ key = \"value\" }), found \(entry.value.kindDescription)")
            return []
        }
        checkPlaceholders(in: properties, label: label)
        return properties.entries.map { ($0.key, Self.json(from: $0.value)) }
    }

    /// The strings of a condition's list (`device = ["ios"]`), each with its position; nil (reported) when
    /// the value is not a non-empty array of strings.
    private mutating func stringList(
        _ table: TOMLTable, _ key: String, label: String, example: String
    ) -> [(text: String, position: TOMLPosition)]? {
        guard let entry = table.entry(key) else { return nil }
        guard case .array(let array) = entry.value else {
            report(
                entry.keyPosition,
                "\(label)\(key) must be an array of strings such as \(example), found \(entry.value.kindDescription)")
            return nil
        }
        if array.count == 0 {
            report(entry.keyPosition, "\(label)\(key) must not be empty (leave the key out to match every click)")
            return nil
        }
        var items: [(text: String, position: TOMLPosition)] = []
        for element in array.elements {
            guard case .string(let s) = element.value else {
                report(
                    element.position,
                    "\(label)\(key) must be an array of strings, found \(element.value.kindDescription) in it")
                return nil
            }
            items.append((s, element.position))
        }
        return items
    }

    /// `device` or `form`: names of an enumeration's cases, each checked.
    private mutating func caseNames<Name: RawRepresentable & CaseIterable>(
        _ table: TOMLTable, _ key: String, label: String, as: Name.Type
    ) -> [Name] where Name.RawValue == String {
        let known = Name.allCases.map(\.rawValue)
        guard let items = stringList(table, key, label: label, example: "[\"\(known[0])\"]") else { return [] }
        var names: [Name] = []
        for item in items {
            if let name = Name(rawValue: item.text) {
                if !names.contains(where: { $0.rawValue == name.rawValue }) { names.append(name) }
                continue
            }
            var message = "\(label)\(key) \"\(item.text.prefix(40))\" is not one of \(known.joined(separator: ", "))"
            if let near = Spelling.nearest(to: item.text, among: known) { message += " (did you mean \"\(near)\"?)" }
            report(item.position, message)
        }
        return names
    }

    private mutating func languages(_ table: TOMLTable, label: String) -> [PrimaryLanguage] {
        guard let items = stringList(table, "language", label: label, example: "[\"de\"]") else { return [] }
        var languages: [PrimaryLanguage] = []
        for item in items {
            if let language = PrimaryLanguage(item.text), language.isNameable {
                if !languages.contains(language) { languages.append(language) }
                continue
            }
            var message =
                "\(label)language \"\(item.text.prefix(40))\" is not a primary language subtag: write 2-3 letters "
                + "such as \"de\" or \"pt\""
            let head = item.text.prefix { $0 != "-" && $0 != "_" }
            if head.utf8.count < item.text.utf8.count, let primary = PrimaryLanguage(head), primary.isNameable {
                message += " (rules match the primary subtag of the visitor's first choice: \"\(primary)\")"
            }
            report(item.position, message)
        }
        return languages
    }

    private mutating func countries(_ table: TOMLTable, label: String) -> [CountryCode] {
        guard let items = stringList(table, "country", label: label, example: "[\"DE\", \"AT\"]") else { return [] }
        var countries: [CountryCode] = []
        for item in items {
            if let country = CountryCode(item.text), country.isNameableInRules {
                if !countries.contains(country) { countries.append(country) }
                continue
            }
            var message = "\(label)country \"\(item.text.prefix(40))\" is not an assigned ISO 3166-1 alpha-2 code"
            switch item.text.uppercased() {
            case "UK": message += " (the United Kingdom is \"GB\")"
            case "EL": message += " (Greece is \"GR\")"
            default: message += " such as \"DE\""
            }
            report(item.position, message)
        }
        return countries
    }

    /// `query = { utm_content = "b" }`: names and the values they must have, as strings.
    private mutating func query(_ table: TOMLTable, label: String) -> [(name: String, value: String)] {
        guard let entry = table.entry("query") else { return [] }
        guard case .table(let parameters) = entry.value else {
            report(
                entry.keyPosition,
                "\(label)query must be a table such as { utm_content = \"b\" }, found \(entry.value.kindDescription)")
            return []
        }
        if parameters.isEmpty {
            report(entry.keyPosition, "\(label)query must not be empty (leave the key out to match every click)")
            return []
        }
        var query: [(name: String, value: String)] = []
        for parameter in parameters.entries {
            guard case .string(let value) = parameter.value else {
                report(
                    parameter.keyPosition,
                    "\(label)query.\(parameter.key) must be a string (the parameter's percent-decoded value), found "
                        + parameter.value.kindDescription)
                continue
            }
            if parameter.key.isEmpty {
                report(parameter.keyPosition, "\(label)query has a parameter with an empty name")
                continue
            }
            if ClickVia.isReserved(parameter.key) {
                report(parameter.keyPosition, "\(label)query.\(parameter.key): \(Self.reservedParameterMessage)")
                continue
            }
            query.append((parameter.key, value))
        }
        return query
    }

    /// Warnings for rules no click can reach: those after a rule without conditions, and those after a rule
    /// with the same conditions (which takes every click they would); and for the file's variants when a rule
    /// without conditions leaves none for them.
    private mutating func checkReachability(_ rules: [RedirectRule], at positions: [TOMLPosition]) {
        var unconditional: (name: String, line: Int)? = nil
        var seen: [RuleConditions.CanonicalKey: (name: String, line: Int)] = [:]
        for (rule, position) in zip(rules, positions) {
            if let first = unconditional {
                report(
                    position,
                    "rule \"\(rule.name)\" can never match: rule \"\(first.name)\" (line \(first.line)) has no "
                        + "conditions and takes every click before it",
                    severity: .warning)
                continue
            }
            let key = rule.conditions.canonicalKey
            if let earlier = seen[key] {
                report(
                    position,
                    "rule \"\(rule.name)\" can never match: rule \"\(earlier.name)\" (line \(earlier.line)) has the "
                        + "same conditions and takes every click before it",
                    severity: .warning)
                continue
            }
            seen[key] = (rule.name, position.line)
            if rule.conditions.isUnconditional {
                unconditional = (rule.name, position.line)
                continue
            }
            // A broader rule before it: pairwise, so only for files of a size people write by hand.
            if rules.count <= Self.maxRulesComparedPairwise,
                let broader = zip(rules, positions).prefix(while: { $0.1 != position }).first(where: {
                    $0.0.conditions.covers(rule.conditions)
                })
            {
                report(
                    position,
                    "rule \"\(rule.name)\" can never match: rule \"\(broader.0.name)\" (line \(broader.1.line)) takes "
                        + "every click it would",
                    severity: .warning)
            }
        }
        if let first = unconditional, let entry = entry(.variants) {
            report(
                entry.keyPosition,
                "variants can never be reached: rule \"\(first.name)\" (line \(first.line)) has no conditions "
                    + "and takes every click",
                severity: .warning)
        }
    }
}
