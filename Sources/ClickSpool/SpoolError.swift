import SystemPackage

/// Why the spool could not take or give an event.
public struct SpoolError: Error, Equatable, Sendable, CustomStringConvertible {
    public var operation: String
    public var path: String
    public var errno: Errno
    /// Said instead of the errno's text when the name is there but is nothing the spool may use (a link, a FIFO,
    /// a file of another user).
    public var detail: String?

    public init(_ operation: String, _ path: String, _ errno: Errno, detail: String? = nil) {
        self.operation = operation
        self.path = path
        self.errno = errno
        self.detail = detail
    }

    public var description: String { "cannot \(operation) \(path): \(detail ?? errno.description)" }
}
