/// The values placeholders stand for in one click.
public struct PlaceholderValues: Sendable {
    public var session: String?
    public var redirect: String
    public var clickID: String
    /// The incoming query, parsed.
    public var query: QueryString

    public init(session: String?, redirect: String, clickID: String, query: QueryString) {
        self.session = session
        self.redirect = redirect
        self.clickID = clickID
        self.query = query
    }

    /// The value of the placeholder `name` (without braces), or nil when `name` is not a placeholder.
    /// A known placeholder with no value (no session, a missing query parameter) is the empty string.
    public func value(of name: Substring) -> String? {
        switch name {
        case "session": return session ?? ""
        case "redirect": return redirect
        case "click_id": return clickID
        default:
            guard name.hasPrefix("query."), name.count > 6 else { return nil }
            return query.first(named: name.dropFirst(6)) ?? ""
        }
    }
}

/// `{name}` placeholders in targets and properties.
public enum Placeholders {
    /// Whether `name` is a placeholder this version knows.
    public static func isKnown(_ name: Substring) -> Bool {
        if name == "session" || name == "redirect" || name == "click_id" { return true }
        guard name.hasPrefix("query.") else { return false }
        let parameter = name.dropFirst(6)
        return !parameter.isEmpty
            && parameter.utf8.allSatisfy {
                Identifiers.isUnreserved($0) || $0 == UInt8(ascii: "[") || $0 == UInt8(ascii: "]")
            }
    }

    /// The names of all `{…}` placeholders in `template`, in order.
    public static func names(in template: String) -> [Substring] {
        // Most strings hold no placeholder: one byte search instead of a walk by characters.
        let hasBrace =
            template.utf8.withContiguousStorageIfAvailable { $0.contains(UInt8(ascii: "{")) }
            ?? template.utf8.contains(UInt8(ascii: "{"))
        guard hasBrace else { return [] }
        var result: [Substring] = []
        var rest = Substring(template)
        while let open = rest.firstIndex(of: "{") {
            let after = rest[rest.index(after: open)...]
            guard let close = after.firstIndex(of: "}") else { break }
            let name = after[..<close]
            // `{a{b}`: the first brace is text, as in expand(_:values:transform:); look again from the next.
            if name.contains("{") {
                rest = after
                continue
            }
            if !name.isEmpty, !name.contains(" ") { result.append(name) }
            rest = after[close...].dropFirst()
        }
        return result
    }

    /// The first `{` of `template` that opens no placeholder, from it to just before the next brace (`{}` when
    /// empty); nil when every `{` opens one.
    ///
    /// Such a brace stays as text on every click (as in ``expand(_:values:transform:)``): `{session` lost its
    /// `}`, `{query.a{query.b}` its first one. Outside the URL's query a literal brace is written `%7B`.
    public static func strayBrace(in template: String) -> Substring? {
        guard template.utf8.contains(UInt8(ascii: "{")) else { return nil }
        var rest = Substring(template)
        while let open = rest.firstIndex(of: "{") {
            let after = rest[rest.index(after: open)...]
            guard let close = after.firstIndex(of: "}") else { return rest[open...] }
            if let inner = after[..<close].firstIndex(of: "{") { return rest[open..<inner] }
            if close == after.startIndex { return rest[open...close] }
            rest = after[close...].dropFirst()
        }
        return nil
    }

    /// `template` with each known placeholder replaced by `transform(value)`; other text stays as it is.
    public static func expand(_ template: String, values: PlaceholderValues, transform: (String) -> String) -> String {
        guard template.utf8.contains(UInt8(ascii: "{")) else { return template }
        var out = ""
        var rest = Substring(template)
        while let open = rest.firstIndex(of: "{") {
            out += rest[..<open]
            let after = rest[rest.index(after: open)...]
            guard let close = after.firstIndex(of: "}"), !after[..<close].contains("{"),
                let value = values.value(of: after[..<close])
            else {
                out += "{"
                rest = after
                continue
            }
            out += transform(value)
            rest = after[close...].dropFirst()
        }
        out += rest
        return out
    }
}
