import JSON
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
/// - Never a file `check` would reject: an export that is ambiguous (a key twice once `?` is dropped, two
///   redirects with one id) or a redirect whose file would not pass `check` is refused, with the reason, rather
///   than written for the responder to refuse later.
public enum TracardiRedirectConverter {
    /// One converted redirect: the file name, its TOML text, and notes for the person converting.
    public struct Converted: Equatable, Sendable {
        public var fileName: String
        public var text: String
        public var notes: [String]
        /// Why the file must not be written, each naming the redirect's place in the export (the caller says it
        /// was not); empty when it may be.
        public var refusals: [String] = []
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
        /// Redirects sharing an id (or ids differing only in case, which `check` refuses): none is written, or
        /// the last that can be is (what `--force` asks for; a later import of the same id replaces an earlier
        /// one in Tracardi too).
        public var lastOfSameIDWins: Bool

        public init(status: Int = 307, source: String? = nil, lastOfSameIDWins: Bool = false) {
            self.status = status
            self.source = source
            self.lastOfSameIDWins = lastOfSameIDWins
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
        refuseSharedIDs(in: &result, lastWins: options.lastOfSameIDWins)
        return result
    }

    /// Redirects whose ids equal (but for case) another's: one file would overwrite the other, or `check` would
    /// refuse the pair. Each says which others share its id, and what becomes of it.
    static func refuseSharedIDs(in result: inout [Converted], lastWins: Bool) {
        var groups: [String: [Int]] = [:]
        var order: [String] = []
        for (index, item) in result.enumerated() {
            let key = item.fileName.lowercased()
            if groups[key] == nil { order.append(key) }
            groups[key, default: []].append(index)
        }
        for key in order {
            guard let group = groups[key], group.count > 1 else { continue }
            // The winner must be writable itself: a later copy refused for another reason does not win.
            let winner = lastWins ? group.last { result[$0].refusals.isEmpty } : nil
            for index in group {
                let id = String(result[index].fileName.dropLast(5))
                let others = group.filter { $0 != index }.map { other in
                    let otherID = String(result[other].fileName.dropLast(5))
                    return otherID == id ? "#\(other + 1)" : "#\(other + 1) (\"\(otherID)\", differing only in case)"
                }
                let shared = "redirect #\(index + 1): id \"\(id)\" is also the id of redirect \(Self.list(others))"
                if let winner, index == winner {
                    result[index].notes.append(
                        "\(shared); this one is kept (--force keeps the last that can be written)")
                } else if let winner {
                    result[index].refusals.append(
                        "\(shared); redirect #\(winner + 1) is kept (--force keeps the last that can be written)")
                } else {
                    result[index].refusals.append("\(shared) (with --force, the last one would be written)")
                }
            }
        }
    }

    /// `#1`, `#1 and #3`, `#1, #2 and #3`.
    static func list(_ items: [String]) -> String {
        guard let last = items.last, items.count > 1 else { return items.first ?? "" }
        return items.dropLast().joined(separator: ", ") + " and " + last
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
        var refusals = duplicateKeys(in: object, path: "", optionalMark: false).map { "redirect #\(index + 1): \($0)" }
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
        if let problem = TargetURL.problem(with: url) { refusals.append("redirect #\(index + 1): url \(problem)") }
        if case .object(let props)? = object["props"], !props.isEmpty {
            lines.append("")
            lines.append("[properties]")
            for (key, value) in props {
                let name = propertyName(key)
                guard let text = tomlValue(value, path: name, notes: &notes) else { continue }
                lines.append("\(tomlKey(name)) = \(text)")
            }
        }
        let text = lines.joined(separator: "\n") + "\n"
        if refusals.isEmpty {
            // Whatever else `check` would say of the file (an unknown placeholder in the url or a property).
            for problem in RedirectFileParser.parseRedirect(text: text, id: id, file: id + ".toml").problems {
                refusals.append(
                    "redirect #\(index + 1): the file would not pass check: \(problem.message)")
            }
        }
        return Converted(fileName: id + ".toml", text: text, notes: notes, refusals: refusals)
    }

    /// Keys that appear twice in one object of `value`, at any depth, as messages naming where.
    ///
    /// Objects of `props` (`optionalMark`) compare their keys as they become TOML keys, without Tracardi's `?`:
    /// `x?` and `x` are one key twice. Elsewhere a key twice in the JSON is ambiguous all the same (which `url`?).
    static func duplicateKeys(in value: JSONValue, path: String, optionalMark: Bool) -> [String] {
        switch value {
        case .array(let items):
            return items.enumerated().flatMap { k, item in
                duplicateKeys(in: item, path: "\(path)[\(k)]", optionalMark: optionalMark)
            }
        case .object(let members):
            var found: [String] = []
            var seen: [String: String] = [:]
            for (key, member) in members {
                let name = optionalMark ? propertyName(key) : key
                let place = path.isEmpty ? name : path + "." + name
                if let earlier = seen[name] {
                    let spellings =
                        earlier == key ? "" : " (as \(TOMLString.quoted(earlier)) and \(TOMLString.quoted(key)))"
                    let what = optionalMark ? "property \(place.dropFirst("props.".count))" : "key \(place)"
                    let why = earlier == key ? "" : "; a trailing ? only marks a key optional"
                    found.append("\(what) is given twice\(spellings)\(why)")
                } else {
                    seen[name] = key
                }
                let nested = optionalMark || (path.isEmpty && key == "props")
                found += duplicateKeys(in: member, path: place, optionalMark: nested)
            }
            return found
        default:
            return []
        }
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
