/// Validation of the two identifiers a link carries: the redirect id and the session id.
public enum Identifiers {
    /// Longest redirect id accepted, in bytes.
    public static let maxRedirectIDLength = 128
    /// Longest session id accepted, in bytes.
    public static let maxSessionIDLength = 256

    /// Whether `id` names a redirect: 1–128 of `A-Z a-z 0-9 . _ -`, not starting with `.` or `_`.
    ///
    /// The id is also a file name, so this is what keeps a request inside `redirects.d`.
    public static func isRedirectID<S: StringProtocol>(_ id: S) -> Bool {
        if let answer = id.utf8.withContiguousStorageIfAvailable({ isRedirectID(bytes: $0) }) { return answer }
        return Array(id.utf8).withUnsafeBufferPointer { isRedirectID(bytes: $0) }
    }

    /// ``isRedirectID(_:)`` over bytes.
    static func isRedirectID(bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let first = bytes.first, bytes.count <= maxRedirectIDLength else { return false }
        if first == UInt8(ascii: ".") || first == UInt8(ascii: "_") { return false }
        return bytes.allSatisfy {
            isAlphanumeric($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-")
        }
    }

    /// Whether `session` is a session id: 1–256 URL-unreserved characters (`A-Z a-z 0-9 - . _ ~`).
    public static func isSessionID<S: StringProtocol>(_ session: S) -> Bool {
        if let answer = session.utf8.withContiguousStorageIfAvailable({ isSessionID(bytes: $0) }) { return answer }
        return Array(session.utf8).withUnsafeBufferPointer { isSessionID(bytes: $0) }
    }

    /// ``isSessionID(_:)`` over bytes.
    static func isSessionID(bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard !bytes.isEmpty, bytes.count <= maxSessionIDLength else { return false }
        return bytes.allSatisfy(isUnreserved)
    }

    /// RFC 3986 unreserved characters, which never need percent-encoding.
    @inlinable
    public static func isUnreserved(_ byte: UInt8) -> Bool {
        isAlphanumeric(byte) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
            || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "~")
    }

    @inlinable
    static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
            || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
            || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
    }
}
