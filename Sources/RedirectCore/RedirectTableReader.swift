import JSON
import TOML
import Timestamps

/// Reads typed values out of the parsed TOML of a redirect file, recording a positioned problem for each
/// wrong one: the position is the key's, as the parser gives it.
struct RedirectTableReader {
    let file: String
    let text: String
    var problems: [RedirectFileError] = []
    /// The file's top-level table, once ``index(_:allowed:)`` has read it.
    private var table = TOMLTable()
    /// For each ``FileKey`` (by raw value), the offset of its entry in `table`, or -1.
    private var offsets = [Int](repeating: -1, count: FileKey.allCases.count)

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

    /// Matches the keys of `table` to `allowed` in one pass, with a warning for each key that is not allowed;
    /// the typed reads below then look at `table`.
    mutating func index(_ table: TOMLTable, allowed: [FileKey]) {
        self.table = table
        for offset in table.entries.indices {
            if let key = FileKey(name: table.entries[offset].key), allowed.contains(key) {
                offsets[key.rawValue] = offset
                continue
            }
            let entry = table.entries[offset]
            var message = "unknown key \"\(entry.key)\""
            if let near = Spelling.nearest(to: entry.key, among: allowed.map(\.name)) {
                message += " (did you mean \"\(near)\"?)"
            }
            report(entry.keyPosition, message, severity: .warning)
        }
    }

    /// The entry of `key`, if the file has it.
    func entry(_ key: FileKey) -> TOMLTable.Entry? {
        let offset = offsets[key.rawValue]
        return offset < 0 ? nil : table.entries[offset]
    }

    /// The value of `key`, if the file has it.
    func value(_ key: FileKey) -> TOMLValue? {
        let offset = offsets[key.rawValue]
        return offset < 0 ? nil : table.entries[offset].value
    }

    /// Where `key` is written, or the start of the file when it is not.
    func position(_ key: FileKey) -> TOMLPosition { entry(key)?.keyPosition ?? .start }

    /// A target must be a valid URL whose placeholders can all be filled: a known name, and every `{` opening one.
    ///
    /// The responder reads files with this same check, so a target `check` passes is one every click can fill.
    mutating func checkTarget(_ url: String, key: FileKey) {
        checkTarget(url, label: key.name, at: position(key))
    }

    /// ``checkTarget(_:key:)`` for a target anywhere in the file: `label` names it in messages (`url`,
    /// `rule "ios": url`).
    mutating func checkTarget(_ url: String, label: String, at position: TOMLPosition) {
        if let problem = TargetURL.problem(with: url) {
            report(position, "\(label) \(problem)")
            return
        }
        for name in Placeholders.names(in: url) where !Placeholders.isKnown(name) {
            report(position, "\(label) \(Self.unknownPlaceholder(name))")
        }
        checkReservedParameter(in: url, label: label, at: position)
        if let stray = Placeholders.strayBrace(in: url) {
            report(
                position,
                "\(label) has a { that opens no placeholder (at \"\(stray.prefix(40))\"): "
                    + "close it with }, or write %7B for a literal {")
        }
    }

    /// Why `{name}` is no placeholder, in words that say how to write it.
    private static func unknownPlaceholder(_ name: Substring) -> String {
        guard name.hasPrefix("query.") else {
            return "has an unknown placeholder {\(name)} (known: {session}, {redirect}, {click_id}, {query.NAME})"
        }
        if name.utf8.count == 6 {
            return "has a placeholder {query.} with no parameter name: write {query.NAME}, e.g. {query.utm_source}"
        }
        return "has a placeholder {\(name)} whose parameter name holds a character other than "
            + "A-Z a-z 0-9 - . _ ~ [ ]"
    }

    /// Unknown placeholders in properties stay as written, which is rarely meant: warn.
    mutating func checkPlaceholdersInProperties() {
        guard let properties = entry(.properties)?.value.table else { return }
        checkPlaceholders(in: properties, label: "")
    }

    /// ``checkPlaceholdersInProperties()`` for a `properties` table anywhere; `label` starts each message.
    mutating func checkPlaceholders(in properties: TOMLTable, label: String) {
        for entry in properties.entries {
            guard case .string(let s) = entry.value else { continue }
            checkReservedPlaceholder(in: s, label: "\(label)property \(entry.key)", at: entry.keyPosition)
            for name in Placeholders.names(in: s) where !Placeholders.isKnown(name) {
                report(
                    entry.keyPosition, "\(label)property \(entry.key) has an unknown placeholder {\(name)}",
                    severity: .warning)
            }
        }
    }

    private mutating func wrongType(_ key: FileKey, expected: String) {
        guard let entry = entry(key) else { return }
        report(entry.keyPosition, "\(entry.key) must be \(expected), found \(entry.value.kindDescription)")
    }

    mutating func requiredString(_ key: FileKey) -> String? {
        guard entry(key) != nil else {
            report(.start, "missing required key \"\(key.name)\"")
            return nil
        }
        return string(key)
    }

    /// The value of `key` when `extract` takes its kind; a value of another kind is reported as not `expected`.
    @inline(__always)
    private mutating func typed<T>(_ key: FileKey, expected: String, _ extract: (TOMLValue) -> T?) -> T? {
        guard let value = value(key) else { return nil }
        guard let typed = extract(value) else {
            wrongType(key, expected: expected)
            return nil
        }
        return typed
    }

    mutating func string(_ key: FileKey) -> String? {
        typed(key, expected: "a string") { $0.string }
    }

    mutating func nonEmptyString(_ key: FileKey) -> String? {
        guard let s = string(key) else { return nil }
        if s.isEmpty {
            report(position(key), "\(key.name) must not be empty")
            return nil
        }
        return s
    }

    mutating func int(_ key: FileKey) -> Int? {
        typed(key, expected: "an integer") { $0.integer.map { Int($0) } }
    }

    mutating func bool(_ key: FileKey) -> Bool? {
        typed(key, expected: "a boolean (true or false)") { $0.boolean }
    }

    /// `forward_query`: `true` (the file's parameters win), `false`, or `"override"` (the visitor's win).
    mutating func forwardQuery() -> ForwardQuery? {
        guard let entry = entry(.forwardQuery) else { return nil }
        switch entry.value {
        case .boolean(let b): return b ? .merge : .off
        case .string("override"): return .override
        case .string(let other):
            report(entry.keyPosition, "forward_query must be true, false or \"override\", found \"\(other)\"")
            return nil
        default:
            report(
                entry.keyPosition,
                "forward_query must be true, false or \"override\", found \(entry.value.kindDescription)")
            return nil
        }
    }

    mutating func stringArray(_ key: FileKey) -> [String]? {
        guard let entry = entry(key) else { return nil }
        guard case .array(let array) = entry.value else {
            wrongType(key, expected: "an array of strings")
            return nil
        }
        var result: [String] = []
        result.reserveCapacity(array.count)
        for element in array.elements {
            guard case .string(let s) = element.value else {
                report(
                    element.position,
                    "\(key.name) must be an array of strings, found \(element.value.kindDescription) in it"
                )
                return nil
            }
            result.append(s)
        }
        return result
    }

    /// An offset date-time, a local date-time (read as UTC) or a date (its midnight, UTC).
    mutating func timestamp(_ key: FileKey) -> Timestamp? {
        guard let entry = entry(key) else { return nil }
        guard let timestamp = Self.timestamp(entry.value) else {
            wrongType(key, expected: "a date-time such as 2026-12-01T00:00:00Z")
            return nil
        }
        return timestamp
    }

    /// ``timestamp(_:)`` of a value anywhere in the file; nil for a value that is no date or date-time.
    static func timestamp(_ value: TOMLValue) -> Timestamp? {
        guard case .dateTime(let value) = value, let date = value.date else { return nil }
        guard let time = value.time else { return Timestamp(year: date.year, month: date.month, day: date.day) }
        let local = Timestamp(
            year: date.year, month: date.month, day: date.day, hour: time.hour, minute: time.minute,
            second: time.second, millisecond: time.nanosecond / 1_000_000)
        let offsetMinutes = value.offsetMinutes ?? 0
        return Timestamp(millisecondsSinceEpoch: local.millisecondsSinceEpoch - Int64(offsetMinutes) * 60_000)
    }

    mutating func properties() -> [(key: String, value: JSONValue)]? {
        guard let entry = entry(.properties) else { return nil }
        guard case .table(let properties) = entry.value else {
            wrongType(.properties, expected: "a table ([properties])")
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
