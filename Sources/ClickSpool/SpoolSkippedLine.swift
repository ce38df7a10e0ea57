/// A line the reader passed over because it cannot be an event.
public struct SpoolSkippedLine: Sendable, Equatable, CustomStringConvertible {
    public enum Reason: Sendable, Equatable, CustomStringConvertible {
        /// The last line of the file has no `\n`: a writer stopped in the middle of it.
        case torn
        /// Not one complete JSON object: a torn write followed by a newline, or foreign text.
        case notJSON
        /// A JSON object without a string `id`, so a receiver could not drop it as a duplicate.
        case noID
        /// More than `limit` bytes before the newline (or the end of the file): no event is that long, and
        /// holding the line to look at it would let one file take any amount of memory.
        case tooLong(limit: Int)

        public var description: String {
            switch self {
            case .torn: "torn line (no newline at the end of the file)"
            case .notJSON: "not a JSON object (torn or foreign line)"
            case .noID: "JSON object without a string \"id\""
            case .tooLong(let limit): "longer than \(Self.size(limit))"
            }
        }

        /// `1 MiB`, `64 KiB` or `100 bytes`.
        static func size(_ bytes: Int) -> String {
            if bytes >= 1 << 20 && bytes % (1 << 20) == 0 { return "\(bytes >> 20) MiB" }
            if bytes >= 1 << 10 && bytes % (1 << 10) == 0 { return "\(bytes >> 10) KiB" }
            return bytes == 1 ? "1 byte" : "\(bytes) bytes"
        }
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

    public var description: String { "\(file):\(lineNumber): skipped \(length) bytes: \(reason)" }
}
