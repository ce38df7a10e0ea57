import RedirectCore

/// Reading sink answers: which events a 400/422 (or a 2xx `errors` list) names, and a short excerpt for messages.
enum SinkAnswer {
    /// The first 300 characters of a body, on one line.
    static func excerpt(_ body: [UInt8], limit: Int = 300) -> String {
        var text = String(decoding: body.prefix(limit * 4), as: UTF8.self)
        text = String(text.map { $0 == "\n" || $0 == "\r" || $0 == "\t" ? " " : $0 })
        text = text.trimmingSpaces
        return text.count > limit ? String(text.prefix(limit)) + "…" : text
    }

    /// Events of `ids` that the body names, each with the reason found next to it.
    ///
    /// Understood: JSON with objects that hold an event id as a value (`{"id": …, "reason"/"message"/"msg"/
    /// "error"/"detail": …}` at any depth), FastAPI's `{"detail":[{"loc":["body","events",N,…],"msg":…}]}` when
    /// `indexPrefix` is given (N indexes `ids`), and, for any other body, ids appearing anywhere in its text.
    static func namedEvents(in body: [UInt8], ids: [String], status: Int, indexPrefix: [String]? = nil) -> [SinkRejection] {
        let known = Set(ids)
        var found: [(id: String, reason: String)] = []
        var seen = Set<String>()
        func add(_ id: String, _ reason: String) {
            guard known.contains(id), seen.insert(id).inserted else { return }
            found.append((id, reason))
        }
        if let json = JSONValueParser.parse(body) {
            if let indexPrefix, case .array(let details)? = json["detail"] {
                for detail in details {
                    guard case .array(let loc)? = detail["loc"] else { continue }
                    let names = loc.compactMap(\.stringValue)
                    guard names.starts(with: indexPrefix), loc.count > indexPrefix.count,
                        case .int(let index) = loc[indexPrefix.count], ids.indices.contains(index)
                    else { continue }
                    add(ids[index], reason(in: detail) ?? detail.jsonText)
                }
            }
            walk(json) { object in
                guard case .object(let members) = object else { return }
                for member in members {
                    if let id = member.value.stringValue, known.contains(id) {
                        add(id, reason(in: object) ?? object.jsonText)
                    }
                }
            }
            walk(json) { value in
                // Ids inside free text ("event 0190… has no type") or in a plain list of ids.
                guard let text = value.stringValue else { return }
                for token in tokens(of: Array(text.utf8)) where known.contains(token) { add(token, text) }
            }
        } else {
            let text = String(decoding: body, as: UTF8.self)
            for line in text.split(whereSeparator: \.isNewline) {
                for token in tokens(of: Array(line.utf8)) where known.contains(token) { add(token, String(line)) }
            }
        }
        return found.map { SinkRejection(id: $0.id, reason: shorten($0.reason), status: status) }
    }

    static func reason(in object: JSONValue) -> String? {
        for key in ["reason", "message", "msg", "error", "detail", "errors"] {
            if let value = object[key] {
                return value.stringValue ?? value.jsonText
            }
        }
        return nil
    }

    static func shorten(_ text: String) -> String {
        text.count > 500 ? String(text.prefix(500)) + "…" : text
    }

    /// Calls `visit` on every value, depth first.
    static func walk(_ value: JSONValue, _ visit: (JSONValue) -> Void) {
        visit(value)
        switch value {
        case .array(let items): for item in items { walk(item, visit) }
        case .object(let members): for member in members { walk(member.value, visit) }
        default: break
        }
    }

    /// Runs of characters an event id can be made of.
    static func tokens(of bytes: [UInt8]) -> [String] {
        var result: [String] = []
        var current: [UInt8] = []
        func isIDByte(_ b: UInt8) -> Bool {
            (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x2D || b == 0x5F
                || b == 0x2E
        }
        for b in bytes {
            if isIDByte(b) {
                current.append(b)
            } else if !current.isEmpty {
                result.append(String(decoding: current, as: UTF8.self))
                current.removeAll(keepingCapacity: true)
            }
        }
        if !current.isEmpty { result.append(String(decoding: current, as: UTF8.self)) }
        return result
    }
}
