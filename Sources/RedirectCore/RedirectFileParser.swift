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
    public static let redirectKeys = FileKey.redirect.map(\.name)
    /// Keys `_defaults.toml` may hold.
    public static let defaultsKeys = FileKey.defaults.map(\.name)
    /// The name of the defaults file in a redirects directory.
    public static let defaultsFileName = "_defaults.toml"

    /// Decodes a redirect file. `file` names it in messages; `defaults` gives the `[utm]` its targets get under
    /// the file's own and the `[utm.allowed]` lists its `[utm]` is checked against.
    public static func parseRedirect(
        text: String, id: String, file: String, defaults: RedirectDefaults = RedirectDefaults()
    ) -> RedirectFileResult<Redirect> {
        var reader = RedirectTableReader(file: file, text: text)
        guard let table = reader.parse() else { return RedirectFileResult(value: nil, problems: reader.problems) }
        reader.index(table, allowed: FileKey.redirect)

        let kind = reader.kind()
        if kind == .pixel { reader.refuseTargetKeysOfPixel() }
        let url = kind == .pixel ? nil : reader.requiredString(.url)
        if let url { reader.checkTarget(url, key: .url) }
        var redirect = Redirect(id: id, url: url ?? "", kind: kind)
        if kind == .pixel {
            // The keys read below are the ones a pixel may have; the others were refused above.
        } else if let code = reader.int(.status) {
            if let status = RedirectStatus(rawValue: code) {
                redirect.status = status
            } else {
                reader.report(reader.position(.status), "status must be one of 301, 302, 303, 307, 308, found \(code)")
            }
        }
        redirect.eventType = reader.nonEmptyString(.eventType)
        redirect.source = reader.nonEmptyString(.source)
        redirect.name = reader.string(.name)
        redirect.description = reader.string(.description)
        redirect.tags = reader.stringArray(.tags) ?? []
        redirect.properties = reader.properties() ?? []
        reader.checkPlaceholdersInProperties()
        if kind == .redirect { redirect.forwardQuery = reader.forwardQuery() ?? .off }
        redirect.enabled = reader.bool(.enabled) ?? true
        redirect.validFrom = reader.timestamp(.validFrom)
        redirect.validUntil = reader.timestamp(.validUntil)
        if let from = redirect.validFrom, let until = redirect.validUntil, from >= until {
            reader.report(reader.position(.validUntil), "valid_until must be later than valid_from")
        }
        if kind == .redirect {
            redirect.expiredURL = reader.string(.expiredURL)
            if let expired = redirect.expiredURL { reader.checkTarget(expired, key: .expiredURL) }
            redirect.rules = reader.rules()
            redirect.variants = reader.fileVariants()
        }
        let (utm, _) = reader.utm(isDefaults: false, allowed: defaults.utmAllowed)
        if !reader.hasErrors { addUTM(utm, defaults: defaults, to: &redirect, reader: &reader) }
        return RedirectFileResult(value: reader.hasErrors ? nil : redirect, problems: reader.problems)
    }

    /// Decodes `_defaults.toml`.
    public static func parseDefaults(text: String, file: String) -> RedirectFileResult<RedirectDefaults> {
        var reader = RedirectTableReader(file: file, text: text)
        guard let table = reader.parse() else { return RedirectFileResult(value: nil, problems: reader.problems) }
        reader.index(table, allowed: FileKey.defaults)
        var defaults = RedirectDefaults()
        defaults.source = reader.nonEmptyString(.source)
        defaults.eventType = reader.nonEmptyString(.eventType)
        defaults.properties = reader.properties() ?? []
        defaults.notFoundURL = reader.string(.notFoundURL)
        if let url = defaults.notFoundURL { reader.checkTarget(url, key: .notFoundURL) }
        defaults.anonymizeIP = reader.bool(.anonymizeIP) ?? false
        defaults.honorPrivacySignals = reader.bool(.honorPrivacySignals) ?? true
        (defaults.utm, defaults.utmAllowed) = reader.utm(isDefaults: true, allowed: UTMAllowedValues())
        defaults.baseURL = reader.string(.baseURL)
        if let base = defaults.baseURL, let problem = TargetURL.problem(with: base) {
            reader.report(reader.position(.baseURL), "base_url \(problem)")
        }
        return RedirectFileResult(value: reader.hasErrors ? nil : defaults, problems: reader.problems)
    }

    /// The file's `[utm]` over the defaults', added to every target and copied into the properties (where
    /// the defaults' `[properties]` set a `utm_*` key themselves and the file's `[utm]` does not, theirs stays).
    /// A target the parameters make too long is reported at its key (rules and variants: at `[utm]`).
    private static func addUTM(
        _ utm: UTMParameters, defaults: RedirectDefaults, to redirect: inout Redirect,
        reader: inout RedirectTableReader
    ) {
        let effective = utm.over(defaults.utm)
        if effective.isEmpty { return }
        let explicit = defaults.explicitUTMProperties
        redirect.addUTM(
            effective, recording: UTMParameters.Key.allCases.filter { utm[$0] != nil || !explicit.contains($0) })
        for (label, url) in redirect.targetsWithLabels {
            guard let problem = TargetURL.problem(with: url) else { continue }
            let position =
                label == "url"
                ? reader.position(.url)
                : label == "expired_url" ? reader.position(.expiredURL) : reader.position(.utm)
            reader.report(position, "\(label) with the [utm] parameters added \(problem)")
        }
    }
}
