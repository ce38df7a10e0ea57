/// The HTTP status a redirect answers with.
public enum RedirectStatus: Int, Sendable, CaseIterable {
    case movedPermanently = 301
    case found = 302
    case seeOther = 303
    case temporaryRedirect = 307
    case permanentRedirect = 308

    /// Temporary redirects must not be cached, so every click reaches the responder.
    public var isTemporary: Bool {
        self != .movedPermanently && self != .permanentRedirect
    }
}
