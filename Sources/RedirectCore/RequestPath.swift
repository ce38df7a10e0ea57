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
        var path = pathInfo
        return path.withUTF8 { parse(bytes: $0) }
    }

    /// ``parse(_:)`` over the path's bytes in place.
    static func parse(bytes: UnsafeBufferPointer<UInt8>) -> RequestPath? {
        let slash = UInt8(ascii: "/")
        guard bytes.first == slash else { return nil }
        var end = 1
        while end < bytes.count && bytes[end] != slash { end += 1 }
        let idBytes = UnsafeBufferPointer(rebasing: bytes[1..<end])
        guard Identifiers.isRedirectID(bytes: idBytes) else { return nil }
        let id = String(decoding: idBytes, as: UTF8.self)
        guard end + 1 < bytes.count else { return RequestPath(id: id, session: .none) }
        let rest = UnsafeBufferPointer(rebasing: bytes[(end + 1)...])
        if rest.contains(slash) { return nil }
        guard Identifiers.isSessionID(bytes: rest) else { return RequestPath(id: id, session: .malformed) }
        return RequestPath(id: id, session: .valid(String(decoding: rest, as: UTF8.self)))
    }
}
