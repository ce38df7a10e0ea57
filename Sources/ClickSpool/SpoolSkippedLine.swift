/// A line the reader passed over because it cannot be an event.
public struct SpoolSkippedLine: Sendable, Equatable, CustomStringConvertible {
    public enum Reason: String, Sendable, Equatable {
        /// The last line of the file has no `\n`: a writer stopped in the middle of it.
        case torn = "torn line (no newline at the end of the file)"
        /// Not one complete JSON object: a torn write followed by a newline, or foreign text.
        case notJSON = "not a JSON object (torn or foreign line)"
        /// A JSON object without a string `id`, so a receiver could not drop it as a duplicate.
        case noID = "JSON object without a string \"id\""
    }

    public var file: String
    public var lineNumber: Int
    /// Byte offset of the line's first byte.
    public var offset: Int64
    public var length: Int
    public var reason: Reason

    public init(file: String, lineNumber: Int, offset: Int64, length: Int, reason: Reason) {
        self.file = file
        self.lineNumber = lineNumber
        self.offset = offset
        self.length = length
        self.reason = reason
    }

    public var description: String { "\(file):\(lineNumber): skipped \(length) bytes: \(reason.rawValue)" }
}
