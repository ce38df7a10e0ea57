/// Why a country database could not be opened, with a message an operator can act on.
public struct CountryDatabaseError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Kind: Equatable, Sendable {
        /// No file at the path.
        case missing
        /// The file is there but cannot be opened or mapped (permissions, an I/O error).
        case unreadable
        /// The file is not a MaxMind DB: empty, cut short, or something else entirely.
        case invalid
    }

    public var path: String
    public var kind: Kind
    /// What the system or libmaxminddb said.
    public var reason: String

    public init(path: String, kind: Kind, reason: String) {
        self.path = path
        self.kind = kind
        self.reason = reason
    }

    public var description: String {
        switch kind {
        case .missing: "country database \(path): no such file"
        case .unreadable: "country database \(path): cannot be read: \(reason)"
        case .invalid: "country database \(path): not a valid MaxMind DB file: \(reason)"
        }
    }
}
