import TOML

/// Reading `[utm]` and, in `_defaults.toml`, `[utm.allowed]`: each value checked where it is written.
extension RedirectTableReader {
    /// The keys `[utm]` may hold (and `allowed`, in `_defaults.toml`).
    static let utmKeys = UTMParameters.Key.allCases.map(\.name)

    /// The file's `[utm]` and the allowed values it was checked against: `allowed` for a redirect file (the
    /// defaults'); for `_defaults.toml` (`isDefaults`), its own `[utm.allowed]`, which it returns.
    ///
    /// A value outside its list is a warning: `check` fails on it, the responder serves the link regardless.
    mutating func utm(isDefaults: Bool, allowed given: UTMAllowedValues) -> (UTMParameters, UTMAllowedValues) {
        guard let entry = entry(.utm) else { return (UTMParameters(), given) }
        guard case .table(let table) = entry.value else {
            report(
                entry.keyPosition,
                "utm must be a table ([utm] with source, medium, campaign, term or content), found "
                    + entry.value.kindDescription)
            return (UTMParameters(), given)
        }
        var allowed = given
        if isDefaults, let allowedEntry = table.entry("allowed") { allowed = utmAllowed(allowedEntry) }
        var utm = UTMParameters()
        for item in table.entries {
            guard let key = UTMParameters.Key(name: item.key) else {
                if item.key == "allowed" {
                    if !isDefaults {
                        report(
                            item.keyPosition,
                            "utm.allowed is read from _defaults.toml only (it applies to the whole directory)",
                            severity: .warning)
                    }
                    continue
                }
                var message = "unknown key \"utm.\(item.key)\" (known: \(Self.utmKeys.joined(separator: ", ")))"
                if let near = Spelling.nearest(to: item.key, among: Self.utmKeys) {
                    message += " (did you mean \"\(near)\"?)"
                }
                report(item.keyPosition, message, severity: .warning)
                continue
            }
            guard case .string(let value) = item.value else {
                report(item.keyPosition, "utm.\(key.name) must be a string, found \(item.value.kindDescription)")
                continue
            }
            if value.isEmpty {
                report(
                    item.valuePosition,
                    "utm.\(key.name) must not be empty (leave the key out to add no \(key.parameter))"
                )
                continue
            }
            if let problem = Self.utmPlaceholderProblem(value) {
                report(item.valuePosition, "utm.\(key.name) \(problem)")
                continue
            }
            if let list = allowed[key], !list.contains(value) {
                let shown = list.prefix(10).map { "\"\($0)\"" }.joined(separator: ", ")
                report(
                    item.valuePosition,
                    "utm.\(key.name) \"\(value.prefix(60))\" is not in [utm.allowed] of \(RedirectFileParser.defaultsFileName) "
                        + "(\(key.name) = [\(shown)\(list.count > 10 ? ", …" : "")])",
                    severity: .warning)
            }
            utm[key] = value
        }
        return (utm, allowed)
    }

    /// Why a `[utm]` value's braces would not work, or nil. Known placeholders are allowed (`"{redirect}"`
    /// gives every link its id as campaign) and filled in, percent-encoded, on each click.
    static func utmPlaceholderProblem(_ value: String) -> String? {
        for name in Placeholders.names(in: value) where !Placeholders.isKnown(name) {
            return "has an unknown placeholder {\(name)} (known: {session}, {redirect}, {click_id}, {query.NAME})"
        }
        if let stray = Placeholders.strayBrace(in: value) {
            return "has a { that opens no placeholder (at \"\(stray.prefix(40))\"): a [utm] value cannot hold a "
                + "literal {"
        }
        return nil
    }

    /// `[utm.allowed]`: for each parameter a non-empty list of strings.
    private mutating func utmAllowed(_ entry: TOMLTable.Entry) -> UTMAllowedValues {
        guard case .table(let table) = entry.value else {
            report(
                entry.keyPosition,
                "utm.allowed must be a table of lists such as medium = [\"email\", \"social\"], found "
                    + entry.value.kindDescription)
            return UTMAllowedValues()
        }
        var allowed = UTMAllowedValues()
        lists: for item in table.entries {
            guard let key = UTMParameters.Key(name: item.key) else {
                var message = "unknown key \"utm.allowed.\(item.key)\" (known: \(Self.utmKeys.joined(separator: ", ")))"
                if let near = Spelling.nearest(to: item.key, among: Self.utmKeys) {
                    message += " (did you mean \"\(near)\"?)"
                }
                report(item.keyPosition, message, severity: .warning)
                continue
            }
            guard case .array(let array) = item.value else {
                report(
                    item.keyPosition,
                    "utm.allowed.\(key.name) must be an array of strings such as [\"email\"], found "
                        + item.value.kindDescription)
                continue
            }
            if array.count == 0 {
                report(item.keyPosition, "utm.allowed.\(key.name) must not be empty (leave it out to allow any value)")
                continue
            }
            var values: [String] = []
            for element in array.elements {
                guard case .string(let s) = element.value else {
                    report(
                        element.position,
                        "utm.allowed.\(key.name) must be an array of strings, found \(element.value.kindDescription) in it"
                    )
                    continue lists
                }
                values.append(s)
            }
            allowed[key] = values
        }
        return allowed
    }
}
