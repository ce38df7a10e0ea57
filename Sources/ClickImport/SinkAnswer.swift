import JSON
import RedirectCore

/// Reading sink answers: which events a 422 names, and a short excerpt for messages.
enum SinkAnswer {
    /// The first 300 characters of a body, on one line: line breaks and tabs become spaces, other control
    /// characters escapes (`escapingControlCharacters`), since the answer comes from outside.
    static func excerpt(_ body: [UInt8], limit: Int = 300) -> String {
        var text = String(decoding: body.prefix(limit * 4), as: UTF8.self)
        text = String(text.map { "\n\r\t".contains($0) || $0 == "\r\n" ? " " : $0 })
        text = text.trimmingSpaces
        return (text.count > limit ? String(text.prefix(limit)) + "…" : text).escapingControlCharacters
    }

    /// Events of `ids` that a FastAPI validation answer names: `{"detail":[{"loc":["body","events",N,…],"msg":…}]}`,
    /// N indexing `ids` (Tracardi's 422). Nothing else counts as naming an event: an id that merely appears in an
    /// answer's text is no proof that the sink refused that event.
    static func namedEvents(in body: [UInt8], ids: [String], status: Int, indexPrefix: [String] = ["body", "events"])
        -> [SinkRejection]
    {
        guard let json = JSONValue(parsing: body), case .array(let details)? = json["detail"] else { return [] }
        var found: [SinkRejection] = []
        var seen = Set<String>()
        for detail in details {
            guard case .array(let loc)? = detail["loc"] else { continue }
            let names = loc.compactMap(\.stringValue)
            guard names.starts(with: indexPrefix), loc.count > indexPrefix.count,
                case .int(let index) = loc[indexPrefix.count], ids.indices.contains(index),
                seen.insert(ids[index]).inserted
            else { continue }
            let reason = detail["msg"].map { $0.stringValue ?? $0.jsonText } ?? detail.jsonText
            found.append(SinkRejection(id: ids[index], reason: shorten(reason), status: status))
        }
        return found
    }

    static func shorten(_ text: String) -> String {
        text.count > 500 ? String(text.prefix(500)) + "…" : text
    }
}
