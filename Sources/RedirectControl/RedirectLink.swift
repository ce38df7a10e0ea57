import RedirectCore

/// A click-tracking link, `BASE/ID[/SESSION][?_via=VIA]`, as `redirectctl link` prints it.
public struct RedirectLink: Equatable, Sendable, CustomStringConvertible {
    /// What follows the id.
    public enum Session: Equatable, Sendable {
        /// No session segment.
        case none
        /// A session id, which must be a valid one (``Identifiers/isSessionID(_:)``).
        case id(String)
        /// The email-template placeholder ``RedirectLink/sessionTemplate``, filled in by Tracardi per recipient.
        case template
    }

    /// Tracardi's (and most email tools') placeholder for the recipient's session id.
    public static let sessionTemplate = "{{session@id}}"

    /// The public prefix, without a trailing slash, e.g. `https://go.example.com/redirect`.
    public let base: String
    public let id: String
    public let session: Session
    /// How the click will reach the link (`--via qr`), carried in the query parameter ``ClickVia/parameter``.
    public let via: ClickVia?

    /// Checks every part, so a link that is printed always works.
    public init(base: String, id: String, session: Session = .none, via: ClickVia? = nil) throws(RedirectLinkError) {
        if let problem = Self.baseProblem(base) { throw .invalidBase(base, problem) }
        guard Identifiers.isRedirectID(id) else { throw .invalidID(id) }
        if case .id(let value) = session, !Identifiers.isSessionID(value) { throw .invalidSession(value) }
        var trimmed = Substring(base)
        while trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        self.base = String(trimmed)
        self.id = id
        self.session = session
        self.via = via
    }

    /// Why `base` cannot prefix links, as a message for the user, or nil when it can.
    public static func problem(base: String) -> String? {
        baseProblem(base).map { RedirectLinkError.invalidBase(base, $0).description }
    }

    /// Why `id` is not a redirect id, as a message for the user, or nil when it is one.
    public static func problem(id: String) -> String? {
        Identifiers.isRedirectID(id) ? nil : RedirectLinkError.invalidID(id).description
    }

    private static func baseProblem(_ base: String) -> String? {
        if let problem = TargetURL.problem(with: base) { return problem }
        if base.contains("?") || base.contains("#") { return "must not have a query or fragment" }
        if base.contains("{") { return "must not contain placeholders" }
        return nil
    }

    public var description: String {
        var link = "\(base)/\(id)"
        switch session {
        case .none: break
        case .id(let value): link += "/\(value)"
        case .template: link += "/\(Self.sessionTemplate)"
        }
        if let via { link += "?\(ClickVia.parameter)=\(via.rawValue)" }
        return link
    }
}

/// Why a link cannot be made from the given parts.
public enum RedirectLinkError: Error, Equatable, Sendable, CustomStringConvertible {
    case invalidBase(String, String)
    case invalidID(String)
    case invalidSession(String)

    public var description: String {
        switch self {
        case .invalidBase(let base, let problem): return "the base URL \"\(base)\" \(problem)"
        case .invalidID(let id):
            return "\"\(id)\" is not a redirect id: use 1-128 of A-Z a-z 0-9 . _ - (not starting with . or _)"
        case .invalidSession(let session):
            return "\"\(session)\" is not a session id: use 1-256 of A-Z a-z 0-9 - . _ ~"
        }
    }
}
