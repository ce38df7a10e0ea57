extension JSONValue {
    /// The value `bytes` hold, or nil unless they are exactly one JSON value (whitespace around allowed).
    ///
    /// For where an event has to be taken apart (the Tracardi payload, `redirectctl stats`), and for sink
    /// answers, checkpoints and exports; shipping raw lines needs no parse. Object members keep their order.
    public init?<Bytes: Collection>(parsing bytes: Bytes) where Bytes.Element == UInt8 {
        let parsed =
            bytes.withContiguousStorageIfAvailable(Self.parse) ?? Array(bytes).withUnsafeBufferPointer(Self.parse)
        guard let parsed else { return nil }
        self = parsed
    }

    public init?(parsing text: String) {
        self.init(parsing: text.utf8)
    }

    private static func parse(_ buffer: UnsafeBufferPointer<UInt8>) -> JSONValue? {
        var cursor = JSONCursor(buffer)
        cursor.skipWhitespace()
        guard let value = read(&cursor, depth: 0), cursor.isAtEnd() else { return nil }
        return value
    }

    /// Reads the value at the cursor; `depth` is that of the container holding it (0 at the top).
    static func read(_ cursor: inout JSONCursor, depth: Int) -> JSONValue? {
        guard let b = cursor.peek() else { return nil }
        switch b {
        case UInt8(ascii: "\""):
            return cursor.string().map { .string(cursor.text(of: $0)) }
        case UInt8(ascii: "{"):
            var members: [(key: String, value: JSONValue)] = []
            let complete = cursor.members(depth: depth + 1) { cursor, key in
                guard let value = read(&cursor, depth: depth + 1) else { return false }
                members.append((cursor.text(of: key), value))
                return true
            }
            return complete ? .object(members) : nil
        case UInt8(ascii: "["):
            var items: [JSONValue] = []
            let complete = cursor.elements(depth: depth + 1) { cursor in
                guard let item = read(&cursor, depth: depth + 1) else { return false }
                items.append(item)
                return true
            }
            return complete ? .array(items) : nil
        case UInt8(ascii: "t"): return cursor.literal("true") ? .bool(true) : nil
        case UInt8(ascii: "f"): return cursor.literal("false") ? .bool(false) : nil
        case UInt8(ascii: "n"): return cursor.literal("null") ? .null : nil
        default:
            guard let number = cursor.number() else { return nil }
            let text = String(decoding: UnsafeBufferPointer(rebasing: cursor.bytes[number.range]), as: UTF8.self)
            if number.integral, let int = Int(text) { return .int(int) }
            return Double(text).map { .double($0) }
        }
    }

    /// The member `key` of an object; nil for other values or a missing key.
    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.key == key }?.value
    }

    /// The string this value holds, if it is one.
    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }
}
