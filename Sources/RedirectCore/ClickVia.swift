/// How a click reached the link, when the link itself says so: `redirectctl link --via qr` (and every code
/// `redirectctl qr` draws) adds `?_via=qr` to the link.
///
/// The parameter name is reserved: the responder takes it out of the query before anything else reads the
/// query (forward_query, placeholders, `query` rules, the event's `request.query`) and records its value as
/// the event's `via`. It is short on purpose, because every byte of a link makes its QR code denser.
public enum ClickVia: String, Sendable, CaseIterable {
    /// Scanned from a QR code.
    case qr

    /// The query parameter the project reserves.
    public static let parameter = "_via"
}
