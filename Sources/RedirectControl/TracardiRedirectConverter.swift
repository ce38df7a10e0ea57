import RedirectCore

/// Turns Tracardi's event-redirect export (`{id, name, description, url, event_type, props, source, tags}`,
/// one object or a list) into redirect files that behave as the Tracardi redirects did.
///
/// - Status 307, Tracardi's answer, unless the caller picks another.
/// - Property templates: `payload@params.X` becomes `{query.X}`, `session@id` becomes `{session}`; a key ending
///   in `?` (Tracardi's mark for an optional key) loses the `?`; nested values stay nested (inline tables).
/// - Source: Tracardi's redirect source has type `redirect`, and `/track` takes only sources of type REST, so the
///   export's source is not copied: `source` is the REST source the caller names, or is left to `_defaults.toml`
///   with a note saying so.
public enum TracardiRedirectConverter {
    /// One converted redirect: the file name, its TOML text, and notes for the person converting.
    public struct Converted: Equatable, Sendable {
        public var fileName: String
        public var text: String
        public var notes: [String]
    }

    public struct ConversionError: Error, CustomStringConvertible, Equatable {
        public var description: String
    }

    /// What the caller decides for every converted file.
    public struct Options: Sendable {
        /// The redirect status; 307 is what Tracardi answers.
        public var status: Int = 307
        /// The id of the REST event source the importer sends the clicks to.
        public var source: String?

        public init(status: Int = 307, source: String? = nil) {
            self.status = status
            self.source = source
        }
    }

    /// Converts the export in `json`.
    public static func convert(json: [UInt8], options: Options = Options()) throws(ConversionError) -> [Converted] {
        guard let parsed = JSONValue(parsing: json) else {
            throw ConversionError(description: "not valid JSON")
        }
        let objects: [JSONValue]
        switch parsed {
        case .array(let list): objects = list
        case .object: objects = [parsed]
        default: throw ConversionError(description: "expected a redirect object or a list of them")
        }
        var result: [Converted] = []
        for (index, object) in objects.enumerated() {
            guard case .object = object else {
                throw ConversionError(description: "redirect #\(index + 1) is not an object")
            }
            result.append(try convert(object, index: index, options: options))
        }
        return result
    }

    static func convert(_ object: JSONValue, index: Int, options: Options) throws(ConversionError) -> Converted {
        guard let id = object["id"]?.stringValue else {
            throw ConversionError(description: "redirect #\(index + 1) has no string \"id\"")
        }
        guard Identifiers.isRedirectID(id) else {
            throw ConversionError(
                description: "redirect #\(index + 1): id \"\(id)\" cannot be a file name (1-128 of A-Z a-z 0-9 . _ -)")
        }
        guard let url = object["url"]?.stringValue else {
            throw ConversionError(description: "redirect \(id) has no string \"url\"")
        }
        var notes: [String] = []
        var lines = ["# Converted from a Tracardi event redirect."]
        func put(_ key: String, _ value: String?) {
            if let value, !value.isEmpty { lines.append("\(key) = \(TOMLString.quoted(value))") }
        }
        put("name", object["name"]?.stringValue)
        put("description", object["description"]?.stringValue)
        lines.append("url = \(TOMLString.quoted(url))")
        lines.append("status = \(options.status)")
        put("event_type", object["event_type"]?.stringValue)
        let tracardiSource = object["source"]?["id"]?.stringValue
        if let source = options.source {
            put("source", source)
        } else {
            if let tracardiSource {
                lines.append(
                    "# Tracardi's redirect source was \(TOMLString.quoted(tracardiSource)) (type redirect, which "
                        + "/track refuses): set the REST source here or in _defaults.toml.")
            }
            notes.append(
                "no source: Tracardi's /track takes only event sources of type REST, not the redirect's "
                    + "source; pass --source ID (a REST source) or set source in _defaults.toml")
        }
        if case .array(let tags)? = object["tags"], !tags.isEmpty {
            lines.append(
                "tags = [" + tags.compactMap(\.stringValue).map(TOMLString.quoted).joined(separator: ", ") + "]")
        }
        if let problem = TargetURL.problem(with: url) { notes.append("url \(problem): fix it before deploying") }
        if case .object(let props)? = object["props"], !props.isEmpty {
            lines.append("")
            lines.append("[properties]")
            for (key, value) in props {
                let name = propertyName(key)
                guard let text = tomlValue(value, path: name, notes: &notes) else { continue }
                lines.append("\(tomlKey(name)) = \(text)")
            }
        }
        return Converted(fileName: id + ".toml", text: lines.joined(separator: "\n") + "\n", notes: notes)
    }

    /// A property key without Tracardi's optional mark: `email?` is the key `email`.
    static func propertyName(_ key: String) -> String {
        key.hasSuffix("?") && key.count > 1 ? String(key.dropLast()) : key
    }

    /// A bare TOML key where it can be one, else a quoted key.
    static func tomlKey(_ key: String) -> String {
        let bare =
            !key.isEmpty
            && key.utf8.allSatisfy {
                ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) || $0 == 0x2D
                    || $0 == 0x5F
            }
        return bare ? key : TOMLString.quoted(key)
    }

    /// A property value as TOML; Tracardi's templates become placeholders, objects inline tables.
    static func tomlValue(_ value: JSONValue, path: String, notes: inout [String]) -> String? {
        switch value {
        case .string(let s):
            if s.hasPrefix("payload@params.") {
                return TOMLString.quoted("{query.\(s.dropFirst("payload@params.".count))}")
            }
            if s == "session@id" { return TOMLString.quoted("{session}") }
            if s.contains("@") && !s.contains(" ") && !s.contains("://") && s.split(separator: "@").count == 2 {
                notes.append("property \(path): \"\(s)\" is a Tracardi reference with no equivalent here; kept as text")
            }
            return TOMLString.quoted(s)
        case .bool(let b): return b ? "true" : "false"
        case .int(let n): return String(n)
        case .double(let d):
            let text = String(d)
            return text.contains(".") || text.contains("e") || text.contains("n") ? text : text + ".0"
        case .null:
            notes.append("property \(path): null has no TOML form; left out")
            return nil
        case .array(let items):
            var parts: [String] = []
            for (k, item) in items.enumerated() {
                if let text = tomlValue(item, path: "\(path)[\(k)]", notes: &notes) { parts.append(text) }
            }
            return "[" + parts.joined(separator: ", ") + "]"
        case .object(let members):
            var parts: [String] = []
            for (key, member) in members {
                let name = propertyName(key)
                if let text = tomlValue(member, path: path + "." + name, notes: &notes) {
                    parts.append("\(tomlKey(name)) = \(text)")
                }
            }
            return "{ " + parts.joined(separator: ", ") + " }"
        }
    }
}
