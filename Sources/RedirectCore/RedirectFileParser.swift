import TOMLKit

/// The outcome of reading one redirect file: the redirect when it is usable, and every problem found.
public struct RedirectFileResult<Value: Sendable>: Sendable {
    /// The decoded value; nil when an error (not a warning) was found.
    public var value: Value?
    public var problems: [RedirectFileError]

    public var errors: [RedirectFileError] { problems.filter { $0.severity == .error } }
}

/// Turns the text of a redirect file into a ``Redirect``, or into messages with file, line and column.
///
/// A pure function over a string: reading the file is the caller's business.
public enum RedirectFileParser {
    /// Keys a redirect file may hold.
    public static let redirectKeys = [
        "url", "status", "event_type", "source", "name", "description", "tags", "properties", "forward_query",
        "valid_from", "valid_until", "expired_url", "enabled",
    ]
    /// Keys `_defaults.toml` may hold.
    public static let defaultsKeys = [
        "source", "event_type", "properties", "not_found_url", "anonymize_ip", "honor_privacy_signals", "base_url",
    ]
    /// The name of the defaults file in a redirects directory.
    public static let defaultsFileName = "_defaults.toml"

    /// Decodes a redirect file. `file` names it in messages.
    public static func parseRedirect(text: String, id: String, file: String) -> RedirectFileResult<Redirect> {
        var reader = TableReader(file: file, text: text)
        guard let table = reader.parse() else { return RedirectFileResult(value: nil, problems: reader.problems) }
        reader.reportUnknownKeys(in: table, allowed: redirectKeys)

        let url = reader.requiredString(table, "url")
        if let url { reader.checkTarget(url, key: "url") }
        var redirect = Redirect(id: id, url: url ?? "")
        if let code = reader.int(table, "status") {
            if let status = RedirectStatus(rawValue: code) {
                redirect.status = status
            } else {
                reader.report("status", "status must be one of 301, 302, 303, 307, 308, found \(code)")
            }
        }
        redirect.eventType = reader.nonEmptyString(table, "event_type")
        redirect.source = reader.nonEmptyString(table, "source")
        redirect.name = reader.string(table, "name")
        redirect.description = reader.string(table, "description")
        redirect.tags = reader.stringArray(table, "tags") ?? []
        redirect.properties = reader.properties(table) ?? []
        reader.checkPlaceholders(in: redirect.properties)
        redirect.forwardQuery = reader.bool(table, "forward_query") ?? false
        redirect.enabled = reader.bool(table, "enabled") ?? true
        redirect.validFrom = reader.timestamp(table, "valid_from")
        redirect.validUntil = reader.timestamp(table, "valid_until")
        if let from = redirect.validFrom, let until = redirect.validUntil, from >= until {
            reader.report("valid_until", "valid_until must be later than valid_from")
        }
        redirect.expiredURL = reader.string(table, "expired_url")
        if let expired = redirect.expiredURL { reader.checkTarget(expired, key: "expired_url") }
        return RedirectFileResult(value: reader.hasErrors ? nil : redirect, problems: reader.problems)
    }

    /// Decodes `_defaults.toml`.
    public static func parseDefaults(text: String, file: String) -> RedirectFileResult<RedirectDefaults> {
        var reader = TableReader(file: file, text: text)
        guard let table = reader.parse() else { return RedirectFileResult(value: nil, problems: reader.problems) }
        reader.reportUnknownKeys(in: table, allowed: defaultsKeys)
        var defaults = RedirectDefaults()
        defaults.source = reader.nonEmptyString(table, "source")
        defaults.eventType = reader.nonEmptyString(table, "event_type")
        defaults.properties = reader.properties(table) ?? []
        defaults.notFoundURL = reader.string(table, "not_found_url")
        if let url = defaults.notFoundURL { reader.checkTarget(url, key: "not_found_url") }
        defaults.anonymizeIP = reader.bool(table, "anonymize_ip") ?? false
        defaults.honorPrivacySignals = reader.bool(table, "honor_privacy_signals") ?? true
        defaults.baseURL = reader.string(table, "base_url")
        if let base = defaults.baseURL, let problem = TargetURL.problem(with: base) {
            reader.report("base_url", "base_url \(problem)")
        }
        return RedirectFileResult(value: reader.hasErrors ? nil : defaults, problems: reader.problems)
    }
}

/// Reads typed values out of a parsed TOML table, recording a positioned problem for each wrong one.
struct TableReader {
    let file: String
    let text: String
    let locator: KeyLocator
    var problems: [RedirectFileError] = []

    init(file: String, text: String) {
        self.file = file
        self.text = text
        self.locator = KeyLocator(text: text)
    }

    var hasErrors: Bool { problems.contains { $0.severity == .error } }

    mutating func parse() -> TOMLTable? {
        if text.utf8.contains(0) {
            problems.append(RedirectFileError(file: file, line: 1, column: 1, message: "file contains a NUL byte"))
            return nil
        }
        // Some invalid documents make TOMLKit's parser abort the process: those never reach it.
        if let failure = TOMLSyntaxCheck.firstError(in: text), failure.isHazard {
            problems.append(
                RedirectFileError(
                    file: file, line: failure.line, column: failure.column,
                    message: "TOML syntax error: \(failure.message)"))
            return nil
        }
        do {
            return try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            let begin = error.source.begin
            problems.append(
                RedirectFileError(
                    file: file, line: max(begin.line, 1), column: max(begin.column, 1),
                    message: "TOML syntax error: \(error.description)"))
        } catch {
            problems.append(RedirectFileError(file: file, line: 1, column: 1, message: "cannot parse: \(error)"))
        }
        return nil
    }

    mutating func report(_ key: String, _ message: String, table: String? = nil, severity: RedirectFileError.Severity = .error) {
        let (line, column) = locator.position(ofKey: key, inTable: table)
        problems.append(RedirectFileError(file: file, line: line, column: column, message: message, severity: severity))
    }

    mutating func reportUnknownKeys(in table: TOMLTable, allowed: [String]) {
        for key in table.keys where !allowed.contains(key) {
            var message = "unknown key \"\(key)\""
            if let near = Spelling.nearest(to: key, among: allowed) { message += " (did you mean \"\(near)\"?)" }
            report(key, message, severity: .warning)
        }
    }

    /// A target must be a valid URL whose placeholders are all known.
    mutating func checkTarget(_ url: String, key: String) {
        if let problem = TargetURL.problem(with: url) {
            report(key, "\(key) \(problem)")
            return
        }
        for name in Placeholders.names(in: url) where !Placeholders.isKnown(name) {
            report(key, "\(key) has an unknown placeholder {\(name)} (known: {session}, {redirect}, {click_id}, {query.NAME})")
        }
    }

    /// Unknown placeholders in properties stay as written, which is rarely meant: warn.
    mutating func checkPlaceholders(in properties: [(key: String, value: JSONValue)]) {
        for (key, value) in properties {
            guard case .string(let s) = value else { continue }
            for name in Placeholders.names(in: s) where !Placeholders.isKnown(name) {
                report(key, "property \(key) has an unknown placeholder {\(name)}", table: "properties", severity: .warning)
            }
        }
    }

    private mutating func value(_ table: TOMLTable, _ key: String) -> TOMLValue? {
        table[key]?.tomlValue
    }

    private mutating func wrongType(_ key: String, expected: String, found: TOMLValue) {
        report(key, "\(key) must be \(expected), found \(Self.describe(found.type))")
    }

    static func describe(_ type: TOMLType) -> String {
        switch type {
        case .string: return "a string"
        case .int: return "an integer"
        case .double: return "a float"
        case .bool: return "a boolean"
        case .array: return "an array"
        case .table: return "a table"
        case .date: return "a date"
        case .time: return "a time"
        case .dateTime: return "a date-time"
        }
    }

    mutating func requiredString(_ table: TOMLTable, _ key: String) -> String? {
        guard value(table, key) != nil else {
            problems.append(RedirectFileError(file: file, line: 1, column: 1, message: "missing required key \"\(key)\""))
            return nil
        }
        return string(table, key)
    }

    mutating func string(_ table: TOMLTable, _ key: String) -> String? {
        guard let v = value(table, key) else { return nil }
        guard let s = v.string else { wrongType(key, expected: "a string", found: v); return nil }
        return s
    }

    mutating func nonEmptyString(_ table: TOMLTable, _ key: String) -> String? {
        guard let s = string(table, key) else { return nil }
        if s.isEmpty { report(key, "\(key) must not be empty") ; return nil }
        return s
    }

    mutating func int(_ table: TOMLTable, _ key: String) -> Int? {
        guard let v = value(table, key) else { return nil }
        guard let i = v.int else { wrongType(key, expected: "an integer", found: v); return nil }
        return i
    }

    mutating func bool(_ table: TOMLTable, _ key: String) -> Bool? {
        guard let v = value(table, key) else { return nil }
        guard let b = v.bool else { wrongType(key, expected: "a boolean (true or false)", found: v); return nil }
        return b
    }

    mutating func stringArray(_ table: TOMLTable, _ key: String) -> [String]? {
        guard let v = value(table, key) else { return nil }
        guard let array = v.array else { wrongType(key, expected: "an array of strings", found: v); return nil }
        var result: [String] = []
        for item in array {
            guard let s = item.tomlValue.string else {
                report(key, "\(key) must be an array of strings, found \(Self.describe(item.tomlValue.type)) in it")
                return nil
            }
            result.append(s)
        }
        return result
    }

    mutating func timestamp(_ table: TOMLTable, _ key: String) -> Timestamp? {
        guard let v = value(table, key) else { return nil }
        switch v.type {
        case .dateTime:
            guard let dt = v.dateTime else { return nil }
            let t = Timestamp(
                year: dt.date.year, month: dt.date.month, day: dt.date.day, hour: dt.time.hour,
                minute: dt.time.minute, second: dt.time.second, millisecond: dt.time.nanoSecond / 1_000_000)
            // A date-time without an offset is read as UTC.
            let offsetMinutes = dt.offset?.offset ?? 0
            return Timestamp(millisecondsSinceEpoch: t.millisecondsSinceEpoch - Int64(offsetMinutes) * 60_000)
        case .date:
            guard let d = v.date else { return nil }
            return Timestamp(year: d.year, month: d.month, day: d.day)
        default:
            report(key, "\(key) must be a date-time such as 2026-12-01T00:00:00Z, found \(Self.describe(v.type))")
            return nil
        }
    }

    mutating func properties(_ table: TOMLTable) -> [(key: String, value: JSONValue)]? {
        guard let v = value(table, "properties") else { return nil }
        guard let sub = v.table else { wrongType("properties", expected: "a table ([properties])", found: v); return nil }
        guard case .object(let members) = Self.json(from: sub.tomlValue) else { return nil }
        return members
    }

    /// TOML to JSON: tables keep TOMLKit's key order; dates and times become ISO 8601 strings.
    static func json(from value: TOMLValue) -> JSONValue {
        switch value.type {
        case .string: return .string(value.string ?? "")
        case .int: return .int(value.int ?? 0)
        case .double: return .double(value.double ?? 0)
        case .bool: return .bool(value.bool ?? false)
        case .array: return .array((value.array ?? []).map { json(from: $0.tomlValue) })
        case .table:
            guard let table = value.table else { return .null }
            return .object(table.keys.compactMap { key in table[key].map { (key, json(from: $0.tomlValue)) } })
        case .date, .time, .dateTime:
            // toml++ prints these as RFC 3339; the debug description is that text.
            return .string(value.debugDescription)
        }
    }
}
