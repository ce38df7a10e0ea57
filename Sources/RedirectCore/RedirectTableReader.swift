import TOML

/// Reads typed values out of the parsed TOML of a redirect file, recording a positioned problem for each
/// wrong one: the position is the key's, as the parser gives it.
struct RedirectTableReader {
    let file: String
    let text: String
    var problems: [RedirectFileError] = []

    init(file: String, text: String) {
        self.file = file
        self.text = text
    }

    var hasErrors: Bool { problems.contains { $0.severity == .error } }

    mutating func parse() -> TOMLTable? {
        do {
            return try TOMLParser().parse(text)
        } catch {
            problems.append(
                RedirectFileError(
                    file: file, line: error.line, column: error.column, message: "invalid TOML: \(error.message)"))
            return nil
        }
    }

    mutating func report(
        _ position: TOMLPosition, _ message: String, severity: RedirectFileError.Severity = .error
    ) {
        problems.append(
            RedirectFileError(
                file: file, line: position.line, column: position.column, message: message, severity: severity))
    }

    mutating func reportUnknownKeys(in table: TOMLTable, allowed: [String]) {
        for entry in table.entries {
            let length = entry.key.utf8.count
            if allowed.contains(where: { $0.utf8.count == length && $0 == entry.key }) { continue }
            var message = "unknown key \"\(entry.key)\""
            if let near = Spelling.nearest(to: entry.key, among: allowed) { message += " (did you mean \"\(near)\"?)" }
            report(entry.keyPosition, message, severity: .warning)
        }
    }

    /// A target must be a valid URL whose placeholders are all known.
    mutating func checkTarget(_ url: String, key: String, in table: TOMLTable) {
        let position = table.entry(key)?.keyPosition ?? .start
        if let problem = TargetURL.problem(with: url) {
            report(position, "\(key) \(problem)")
            return
        }
        for name in Placeholders.names(in: url) where !Placeholders.isKnown(name) {
            report(
                position,
                "\(key) has an unknown placeholder {\(name)} (known: {session}, {redirect}, {click_id}, {query.NAME})")
        }
    }

    /// Unknown placeholders in properties stay as written, which is rarely meant: warn.
    mutating func checkPlaceholders(inProperties table: TOMLTable) {
        guard let properties = table["properties"]?.table else { return }
        for entry in properties.entries {
            guard case .string(let s) = entry.value else { continue }
            for name in Placeholders.names(in: s) where !Placeholders.isKnown(name) {
                report(
                    entry.keyPosition, "property \(entry.key) has an unknown placeholder {\(name)}", severity: .warning)
            }
        }
    }

    private mutating func wrongType(_ entry: TOMLTable.Entry, expected: String) {
        report(entry.keyPosition, "\(entry.key) must be \(expected), found \(entry.value.kindDescription)")
    }

    mutating func requiredString(_ table: TOMLTable, _ key: String) -> String? {
        guard table.entry(key) != nil else {
            report(.start, "missing required key \"\(key)\"")
            return nil
        }
        return string(table, key)
    }

    mutating func string(_ table: TOMLTable, _ key: String) -> String? {
        guard let entry = table.entry(key) else { return nil }
        guard case .string(let s) = entry.value else {
            wrongType(entry, expected: "a string")
            return nil
        }
        return s
    }

    mutating func nonEmptyString(_ table: TOMLTable, _ key: String) -> String? {
        guard let s = string(table, key) else { return nil }
        if s.isEmpty {
            report(table.entry(key)?.keyPosition ?? .start, "\(key) must not be empty")
            return nil
        }
        return s
    }

    mutating func int(_ table: TOMLTable, _ key: String) -> Int? {
        guard let entry = table.entry(key) else { return nil }
        guard case .integer(let i) = entry.value else {
            wrongType(entry, expected: "an integer")
            return nil
        }
        return Int(i)
    }

    mutating func bool(_ table: TOMLTable, _ key: String) -> Bool? {
        guard let entry = table.entry(key) else { return nil }
        guard case .boolean(let b) = entry.value else {
            wrongType(entry, expected: "a boolean (true or false)")
            return nil
        }
        return b
    }

    /// `forward_query`: `true` (the file's parameters win), `false`, or `"override"` (the visitor's win).
    mutating func forwardQuery(_ table: TOMLTable) -> ForwardQuery? {
        guard let entry = table.entry("forward_query") else { return nil }
        switch entry.value {
        case .boolean(let b): return b ? .merge : .off
        case .string("override"): return .override
        case .string(let other):
            report(entry.keyPosition, "forward_query must be true, false or \"override\", found \"\(other)\"")
            return nil
        default:
            report(entry.keyPosition, "forward_query must be true, false or \"override\", found \(entry.value.kindDescription)")
            return nil
        }
    }

    mutating func stringArray(_ table: TOMLTable, _ key: String) -> [String]? {
        guard let entry = table.entry(key) else { return nil }
        guard case .array(let array) = entry.value else {
            wrongType(entry, expected: "an array of strings")
            return nil
        }
        var result: [String] = []
        result.reserveCapacity(array.count)
        for element in array.elements {
            guard case .string(let s) = element.value else {
                report(
                    element.position, "\(key) must be an array of strings, found \(element.value.kindDescription) in it"
                )
                return nil
            }
            result.append(s)
        }
        return result
    }

    /// An offset date-time, a local date-time (read as UTC) or a date (its midnight, UTC).
    mutating func timestamp(_ table: TOMLTable, _ key: String) -> Timestamp? {
        guard let entry = table.entry(key) else { return nil }
        guard case .dateTime(let value) = entry.value, let date = value.date else {
            wrongType(entry, expected: "a date-time such as 2026-12-01T00:00:00Z")
            return nil
        }
        guard let time = value.time else { return Timestamp(year: date.year, month: date.month, day: date.day) }
        let local = Timestamp(
            year: date.year, month: date.month, day: date.day, hour: time.hour, minute: time.minute,
            second: time.second, millisecond: time.nanosecond / 1_000_000)
        let offsetMinutes = value.offsetMinutes ?? 0
        return Timestamp(millisecondsSinceEpoch: local.millisecondsSinceEpoch - Int64(offsetMinutes) * 60_000)
    }

    mutating func properties(_ table: TOMLTable) -> [(key: String, value: JSONValue)]? {
        guard let entry = table.entry("properties") else { return nil }
        guard case .table(let properties) = entry.value else {
            wrongType(entry, expected: "a table ([properties])")
            return nil
        }
        return properties.entries.map { ($0.key, Self.json(from: $0.value)) }
    }

    /// TOML to JSON: tables keep the file's key order; dates and times become RFC 3339 strings.
    static func json(from value: TOMLValue) -> JSONValue {
        switch value {
        case .string(let s): return .string(s)
        case .integer(let i): return .int(Int(i))
        case .float(let d): return .double(d)
        case .boolean(let b): return .bool(b)
        case .dateTime(let d): return .string(d.description)
        case .array(let array): return .array(array.elements.map { json(from: $0.value) })
        case .table(let table): return .object(table.entries.map { ($0.key, json(from: $0.value)) })
        }
    }
}
