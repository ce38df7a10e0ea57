import Foundation
import RedirectCore

/// Turns Tracardi's event-redirect export (`{id, name, description, url, event_type, props, source, tags}`,
/// one object or a list) into redirect files.
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

    /// Converts the export in `json`.
    public static func convert(json: Data) throws(ConversionError) -> [Converted] {
        let parsed: Any
        do {
            parsed = try JSONSerialization.jsonObject(with: json)
        } catch {
            throw ConversionError(description: "not valid JSON: \(error.localizedDescription)")
        }
        let objects: [[String: Any]]
        if let list = parsed as? [[String: Any]] {
            objects = list
        } else if let one = parsed as? [String: Any] {
            objects = [one]
        } else {
            throw ConversionError(description: "expected a redirect object or a list of them")
        }
        var result: [Converted] = []
        for (index, object) in objects.enumerated() {
            result.append(try convert(object, index: index))
        }
        return result
    }

    static func convert(_ object: [String: Any], index: Int) throws(ConversionError) -> Converted {
        guard let id = object["id"] as? String else {
            throw ConversionError(description: "redirect #\(index + 1) has no string \"id\"")
        }
        guard Identifiers.isRedirectID(id) else {
            throw ConversionError(description: "redirect #\(index + 1): id \"\(id)\" cannot be a file name (1-128 of A-Z a-z 0-9 . _ -)")
        }
        guard let url = object["url"] as? String else {
            throw ConversionError(description: "redirect \(id) has no string \"url\"")
        }
        var notes: [String] = []
        var lines = ["# Converted from a Tracardi event redirect."]
        func put(_ key: String, _ value: String?) {
            if let value, !value.isEmpty { lines.append("\(key) = \(TOMLString.quoted(value))") }
        }
        put("name", object["name"] as? String)
        put("description", object["description"] as? String)
        lines.append("url = \(TOMLString.quoted(url))")
        put("event_type", object["event_type"] as? String)
        if let source = object["source"] as? [String: Any], let sourceID = source["id"] as? String {
            put("source", sourceID)
        }
        if let tags = object["tags"] as? [String], !tags.isEmpty {
            lines.append("tags = [" + tags.map(TOMLString.quoted).joined(separator: ", ") + "]")
        }
        if let problem = TargetURL.problem(with: url) { notes.append("url \(problem): fix it before deploying") }
        if let props = object["props"] as? [String: Any], !props.isEmpty {
            lines.append("")
            lines.append("[properties]")
            for key in props.keys.sorted() {
                guard let value = tomlValue(props[key] as Any, key: key, notes: &notes) else { continue }
                let name = key.utf8.allSatisfy { Identifiers.isUnreserved($0) && $0 != UInt8(ascii: ".") && $0 != UInt8(ascii: "~") }
                    ? key : TOMLString.quoted(key)
                lines.append("\(name) = \(value)")
            }
        }
        return Converted(fileName: id + ".toml", text: lines.joined(separator: "\n") + "\n", notes: notes)
    }

    /// A property value as TOML; `payload@params.X` becomes the `{query.X}` placeholder.
    static func tomlValue(_ value: Any, key: String, notes: inout [String]) -> String? {
        switch value {
        case let s as String:
            if s.hasPrefix("payload@params.") {
                return TOMLString.quoted("{query.\(s.dropFirst("payload@params.".count))}")
            }
            if s.contains("@") && !s.contains(" ") && !s.contains("://") && s.split(separator: "@").count == 2 {
                notes.append("property \(key): \"\(s)\" looks like a Tracardi reference other than payload@params; kept as text")
            }
            return TOMLString.quoted(s)
        case let n as NSNumber:
            // JSON booleans arrive as NSNumbers whose type is `c` (char).
            if String(cString: n.objCType) == "c" { return n.boolValue ? "true" : "false" }
            if n.doubleValue == n.doubleValue.rounded() && abs(n.doubleValue) < 1e15 { return String(n.int64Value) }
            return "\(n.doubleValue)"
        case is NSNull:
            notes.append("property \(key): null has no TOML form; left out")
            return nil
        default:
            notes.append("property \(key): nested values are not converted; left out")
            return nil
        }
    }
}
