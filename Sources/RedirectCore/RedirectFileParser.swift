import TOML

/// The outcome of reading one redirect file: the redirect when it is usable, and every problem found.
public struct RedirectFileResult<Value: Sendable>: Sendable {
    /// The decoded value; nil when an error (not a warning) was found.
    public var value: Value?
    public var problems: [RedirectFileError]

    public var errors: [RedirectFileError] { problems.filter { $0.severity == .error } }
}

/// Turns the text of a redirect file into a ``Redirect``, or into messages with file, line and column.
///
/// A pure function over a string: reading the file is the caller's business. The TOML is read by our own
/// parser (target `TOML`), which gives every key and value its position, so each message points at the key
/// it is about.
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
        var reader = RedirectTableReader(file: file, text: text)
        guard let table = reader.parse() else { return RedirectFileResult(value: nil, problems: reader.problems) }
        reader.reportUnknownKeys(in: table, allowed: redirectKeys)

        let url = reader.requiredString(table, "url")
        if let url { reader.checkTarget(url, key: "url", in: table) }
        var redirect = Redirect(id: id, url: url ?? "")
        if let code = reader.int(table, "status") {
            if let status = RedirectStatus(rawValue: code) {
                redirect.status = status
            } else {
                let position = table.entry("status")?.keyPosition ?? .start
                reader.report(position, "status must be one of 301, 302, 303, 307, 308, found \(code)")
            }
        }
        redirect.eventType = reader.nonEmptyString(table, "event_type")
        redirect.source = reader.nonEmptyString(table, "source")
        redirect.name = reader.string(table, "name")
        redirect.description = reader.string(table, "description")
        redirect.tags = reader.stringArray(table, "tags") ?? []
        redirect.properties = reader.properties(table) ?? []
        reader.checkPlaceholders(inProperties: table)
        redirect.forwardQuery = reader.forwardQuery(table) ?? .off
        redirect.enabled = reader.bool(table, "enabled") ?? true
        redirect.validFrom = reader.timestamp(table, "valid_from")
        redirect.validUntil = reader.timestamp(table, "valid_until")
        if let from = redirect.validFrom, let until = redirect.validUntil, from >= until {
            reader.report(table.entry("valid_until")?.keyPosition ?? .start, "valid_until must be later than valid_from")
        }
        redirect.expiredURL = reader.string(table, "expired_url")
        if let expired = redirect.expiredURL { reader.checkTarget(expired, key: "expired_url", in: table) }
        return RedirectFileResult(value: reader.hasErrors ? nil : redirect, problems: reader.problems)
    }

    /// Decodes `_defaults.toml`.
    public static func parseDefaults(text: String, file: String) -> RedirectFileResult<RedirectDefaults> {
        var reader = RedirectTableReader(file: file, text: text)
        guard let table = reader.parse() else { return RedirectFileResult(value: nil, problems: reader.problems) }
        reader.reportUnknownKeys(in: table, allowed: defaultsKeys)
        var defaults = RedirectDefaults()
        defaults.source = reader.nonEmptyString(table, "source")
        defaults.eventType = reader.nonEmptyString(table, "event_type")
        defaults.properties = reader.properties(table) ?? []
        defaults.notFoundURL = reader.string(table, "not_found_url")
        if let url = defaults.notFoundURL { reader.checkTarget(url, key: "not_found_url", in: table) }
        defaults.anonymizeIP = reader.bool(table, "anonymize_ip") ?? false
        defaults.honorPrivacySignals = reader.bool(table, "honor_privacy_signals") ?? true
        defaults.baseURL = reader.string(table, "base_url")
        if let base = defaults.baseURL, let problem = TargetURL.problem(with: base) {
            reader.report(table.entry("base_url")?.keyPosition ?? .start, "base_url \(problem)")
        }
        return RedirectFileResult(value: reader.hasErrors ? nil : defaults, problems: reader.problems)
    }
}
