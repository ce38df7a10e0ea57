/// The redirect id and optional session a request names, read from `PATH_INFO`.
public struct RequestPath: Equatable, Sendable {
    /// What the second path segment said about the visitor's session.
    public enum Session: Equatable, Sendable {
        /// No second segment (or an empty one: `/<id>/`).
        case none
        /// A well-formed session id.
        case valid(String)
        /// A second segment that is not a session id. The click still redirects; the event says so.
        case malformed
    }

    public var id: String
    public var session: Session

    public init(id: String, session: Session) {
        self.id = id
        self.session = session
    }

    /// Parses `/<id>` or `/<id>/<session>`.
    ///
    /// Returns nil when the path names no redirect: no leading slash, an empty or invalid id, or more than
    /// two segments. nginx has already percent-decoded `PATH_INFO`, so an encoded slash arrives as a slash
    /// and is counted as a segment, and `%` itself is never part of an id.
    public static func parse(_ pathInfo: String) -> RequestPath? {
        var utf8 = Substring(pathInfo).utf8
        guard utf8.first == UInt8(ascii: "/") else { return nil }
        utf8 = utf8.dropFirst()
        let slash = UInt8(ascii: "/")
        guard let end = utf8.firstIndex(of: slash) else {
            return Identifiers.isRedirectID(Substring(utf8)) ? RequestPath(id: String(Substring(utf8)), session: .none) : nil
        }
        let id = Substring(utf8[utf8.startIndex..<end])
        guard Identifiers.isRedirectID(id) else { return nil }
        let rest = utf8[utf8.index(after: end)...]
        if rest.contains(slash) { return nil }
        if rest.isEmpty { return RequestPath(id: String(id), session: .none) }
        let session = Substring(rest)
        return RequestPath(id: String(id), session: Identifiers.isSessionID(session) ? .valid(String(session)) : .malformed)
    }
}
