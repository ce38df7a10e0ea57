#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One setting of `redirectd`, `redirectd-cgi` or `redirectctl`: its flag, its environment name, its default, the
/// values it takes and its help line, said once and read by every executable, so a bad value gets the same
/// message wherever it is given.
///
/// Flags win over the environment, the environment over the default. No Foundation: `redirectd-cgi` reads its
/// settings through this too.
public struct Setting<Value: Sendable>: Sendable, SettingDescription {
    /// The flag's name without its dashes: `bucket-seconds`.
    public let name: String
    /// The environment variable: `CLICK_LOG_BUCKET_SECONDS`, all there is in CGI mode.
    public let environmentName: String
    /// nil: the setting has no value unless given (`--listen`).
    public let defaultValue: Value?
    /// The default in words when the value alone does not say it: `one per CPU, at least 2`.
    @usableFromInline let defaultWords: String?
    /// What it is for, one line.
    public let summary: String
    /// What it takes, in words that follow "is not": `a whole number from 1 to 86400`.
    public let expectation: String
    @usableFromInline let parser: @Sendable (String) -> Value?

    /// Inlinable, so each definition is specialised where it stands: `redirectd-cgi` reads its settings once per
    /// click, and unspecialised generic code would look up conformances at run time, in every process.
    @inlinable
    public init(
        _ name: String, environment: String, default value: Value?, defaultText: String? = nil,
        summary: String, expectation: String, parse: @escaping @Sendable (String) -> Value?
    ) {
        self.name = name
        self.environmentName = environment
        self.defaultValue = value
        self.defaultWords = defaultText
        self.summary = summary
        self.expectation = expectation
        self.parser = parse
    }

    /// The default in words, for help, docs and messages: `60`, `one per CPU, at least 2`. Made when asked, not
    /// when the setting is defined: describing a generic value looks up conformances at run time, which
    /// `redirectd-cgi` would pay in every process.
    public var defaultText: String {
        defaultWords ?? defaultValue.map { String(describing: $0) } ?? "none"
    }

    /// `--bucket-seconds`.
    public var flag: String { "--" + name }

    /// The help line: what it is for, its environment name and its default.
    public var help: String {
        summary + " Env: \(environmentName)." + (defaultValue == nil ? "" : " Default: \(defaultText)")
    }

    /// The flag's text if given, else the environment's, else the default; throws the same message for a bad value
    /// from either place.
    @inlinable
    public func value(flag text: String?, environment: (String) -> String? = Setting.environment)
        throws(SettingError) -> Value?
    {
        if let text { return try parse(text, from: flag) }
        if let text = environment(environmentName) { return try parse(text, from: environmentName + "=") }
        return defaultValue
    }

    /// The value, or the default after logging the message once: CGI mode, where a refusal would break every click.
    @inlinable
    public func valueOrDefault(log: (String) -> Void, environment: (String) -> String? = Setting.environment)
        -> Value?
    {
        do {
            return try value(flag: nil, environment: environment)
        } catch {
            log("\(error); using \(defaultText)")
            return defaultValue
        }
    }

    @usableFromInline
    func parse(_ text: String, from place: String) throws(SettingError) -> Value {
        guard let value = parser(text) else {
            throw SettingError(
                place: place, text: text, setting: name, environmentName: environmentName,
                expectation: expectation)
        }
        return value
    }

    /// The variable `name`, or nil when it is unset or empty.
    @Sendable public static func environment(_ name: String) -> String? {
        getenv(name).map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 }
    }
}

extension Setting where Value: FixedWidthInteger {
    /// A whole number in `range`.
    @inlinable
    public init(
        _ name: String, environment: String, default value: Value?, defaultText: String? = nil,
        range: ClosedRange<Value>, summary: String, why: String = ""
    ) {
        // The bounds, not the range, in the closure: a captured ClosedRange's metadata is made at run time with a
        // conformance look-up, a quarter of a CGI click's instructions in a new process.
        let low = range.lowerBound
        let high = range.upperBound
        self.init(
            name, environment: environment, default: value, defaultText: defaultText, summary: summary,
            expectation: "a whole number from \(low) to \(high)" + why,
            parse: { text in Value(text).flatMap { $0 >= low && $0 <= high ? $0 : nil } })
    }
}

extension Setting where Value == String {
    /// Any text that is not empty.
    @inlinable
    public init(
        _ name: String, environment: String, default value: String?, defaultText: String? = nil,
        summary: String
    ) {
        self.init(
            name, environment: environment, default: value, defaultText: defaultText, summary: summary,
            expectation: "a value", parse: { $0.isEmpty ? nil : $0 })
    }
}

/// A setting given a value it does not take, named by where it came from and what it takes.
public struct SettingError: Error, Sendable, CustomStringConvertible {
    /// `--bucket-seconds` or `CLICK_LOG_BUCKET_SECONDS=`.
    public var place: String
    public var text: String
    public var setting: String
    public var environmentName: String
    public var expectation: String

    /// `--bucket-seconds "a minute" is not a whole number from 1 to 86400` or
    /// `CLICK_LOG_BUCKET_SECONDS="a minute" is not a whole number from 1 to 86400`.
    public var description: String {
        let quoted = "\"" + text + "\""
        return (place.hasSuffix("=") ? place + quoted : place + " " + quoted) + " is not " + expectation
    }
}

/// What a table of settings shows of each, whatever its type: for help texts and the docs' table.
public protocol SettingDescription: Sendable {
    var name: String { get }
    var environmentName: String { get }
    var defaultText: String { get }
    var summary: String { get }
}
