/// Reads one TOML document from its UTF-8 bytes: the grammar, the rules against defining a key or table
/// twice, and the position of every key and value.
///
/// Works on the bytes in place, one pass, no backtracking beyond a token. Strings, numbers and dates are in
/// `TOMLScanner+Strings.swift` and `TOMLScanner+Scalars.swift`.
struct TOMLScanner {
    let bytes: UnsafeBufferPointer<UInt8>
    let limits: TOMLLimits
    /// The next byte to read.
    var i = 0
    /// The line of `i` (1-based) and the offset at which it starts.
    var line = 1
    var lineStart = 0
    /// A known column on the current line, so that columns are counted from there rather than the line start.
    var columnMark = (offset: 0, column: 1)

    init(bytes: UnsafeBufferPointer<UInt8>, limits: TOMLLimits) {
        self.bytes = bytes
        self.limits = limits
    }

    var count: Int { bytes.count }

    // MARK: Positions and errors

    /// The position of byte `offset` on the current line.
    mutating func position(at offset: Int) -> TOMLPosition {
        guard offset >= lineStart else { return Self.position(of: offset, in: bytes) }
        if columnMark.offset < lineStart || columnMark.offset > offset { columnMark = (lineStart, 1) }
        var k = skipASCII(from: columnMark.offset, to: offset)
        var column = columnMark.column + (k - columnMark.offset)
        while k < offset {
            if bytes[k] & 0xC0 != 0x80 { column += 1 }
            k += 1
        }
        columnMark = (offset, column)
        return TOMLPosition(line: line, column: column)
    }

    /// The position of byte `offset` counted from the start (for the rare error behind the current line).
    static func position(of offset: Int, in bytes: UnsafeBufferPointer<UInt8>) -> TOMLPosition {
        var line = 1
        var column = 1
        for k in 0..<min(offset, bytes.count) {
            if bytes[k] == 0x0A {
                line += 1
                column = 1
            } else if bytes[k] & 0xC0 != 0x80 {
                column += 1
            }
        }
        return TOMLPosition(line: line, column: column)
    }

    /// Records that a line feed was read and the next line starts at `next`.
    mutating func startLine(at next: Int) {
        line += 1
        lineStart = next
    }

    mutating func fail(_ message: String, at offset: Int? = nil) -> TOMLError {
        TOMLError(position: position(at: offset ?? i), message: message)
    }

    /// What stands at `offset`, for messages: "the end of the file", "a tab", "'x'".
    func found(at offset: Int? = nil) -> String {
        let k = offset ?? i
        guard k < count else { return "the end of the file" }
        let b = bytes[k]
        switch b {
        case 0x0A: return "the end of the line"
        case 0x0D: return "a carriage return"
        case 0x09: return "a tab"
        case 0x20: return "a space"
        case 0x00..<0x20, 0x7F: return "control character " + Self.codePoint(b)
        default:
            var end = k + 1
            while end < count, bytes[end] & 0xC0 == 0x80 { end += 1 }
            return "'" + String(decoding: UnsafeBufferPointer(rebasing: bytes[k..<end]), as: UTF8.self) + "'"
        }
    }

    static func codePoint(_ b: UInt8) -> String {
        let hex = String(b, radix: 16, uppercase: true)
        return "U+" + String(repeating: "0", count: 4 - hex.count) + hex
    }

    static func isBareKeyByte(_ b: UInt8) -> Bool {
        (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || (b >= 0x30 && b <= 0x39) || b == 0x2D || b == 0x5F
    }

    /// Control characters TOML allows nowhere but as a line end (tab is allowed).
    static func isControl(_ b: UInt8) -> Bool { (b < 0x20 && b != 0x09) || b == 0x7F }

    // MARK: Document

    mutating func document() throws(TOMLError) -> TOMLTable {
        let root = TOMLTableBuilder(origin: .root, depth: 0)
        var current = root
        if count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF {
            i = 3
            columnMark = (3, 1)
        }
        while true {
            skipBlanks()
            guard i < count else { break }
            var after = "after the value"
            switch bytes[i] {
            case UInt8(ascii: "#"): try comment()
            case 0x0A, 0x0D: break
            case UInt8(ascii: "["):
                current = try tableHeader(root)
                after = "after the table header"
            default: try keyValue(into: current)
            }
            skipBlanks()
            if i < count && bytes[i] == UInt8(ascii: "#") { try comment() }
            guard i < count else { break }
            try endOfLine(after)
        }
        return root.finish()
    }

    mutating func skipBlanks() {
        while i < count, bytes[i] == 0x20 || bytes[i] == 0x09 { i += 1 }
    }

    /// A line feed or CR LF; anything else on the line is an error.
    mutating func endOfLine(_ context: String) throws(TOMLError) {
        guard bytes[i] == 0x0A || bytes[i] == 0x0D else {
            throw fail("expected the end of the line \(context), found \(found())")
        }
        try lineEnd()
    }

    /// Steps over the line end at `i` (LF, or CR LF: a CR alone is an error) and starts the next line.
    mutating func lineEnd() throws(TOMLError) {
        if bytes[i] == 0x0D {
            guard i + 1 < count && bytes[i + 1] == 0x0A else {
                throw fail("a carriage return must be followed by a line feed")
            }
            i += 1
        }
        i += 1
        startLine(at: i)
    }

    /// The error for a control character `b` met `inside` a string or comment; `escapable` adds how to write
    /// it in a basic string.
    mutating func controlCharacter(_ b: UInt8, inside: String, escapable: Bool = false) -> TOMLError {
        let hint = escapable ? "; write it as \\u\(Self.codePoint(b).dropFirst(2))" : ""
        return fail("control character \(Self.codePoint(b)) in \(inside)\(hint)")
    }

    mutating func comment() throws(TOMLError) {
        i += 1
        while i < count {
            i = firstSpecial(from: i, stop: 0x7F, alsoStop: 0x7F)
            guard i < count else { return }
            let b = bytes[i]
            if b == 0x0A { return }
            if b == 0x0D {
                if i + 1 < count && bytes[i + 1] == 0x0A { return }
                throw fail("a carriage return must be followed by a line feed")
            }
            if Self.isControl(b) { throw controlCharacter(b, inside: "a comment") }
            i += 1
        }
    }

    /// Blanks, comments and line ends, as allowed between the elements of an array.
    mutating func skipBlanksCommentsAndNewlines() throws(TOMLError) {
        while true {
            skipBlanks()
            guard i < count else { return }
            switch bytes[i] {
            case UInt8(ascii: "#"): try comment()
            case 0x0A, 0x0D: try lineEnd()
            default: return
            }
        }
    }

    // MARK: Keys

    /// One part of a key, bare or quoted, and its position.
    mutating func simpleKey(afterDot: Bool) throws(TOMLError) -> (name: String, position: TOMLPosition) {
        let start = i
        let position = self.position(at: i)
        guard i < count else { throw fail("expected a key, found the end of the file") }
        switch bytes[i] {
        case UInt8(ascii: "\""):
            if i + 2 < count && bytes[i + 1] == UInt8(ascii: "\"") && bytes[i + 2] == UInt8(ascii: "\"") {
                throw fail("a key cannot be a multi-line string")
            }
            return (try basicString(), position)
        case UInt8(ascii: "'"):
            if i + 2 < count && bytes[i + 1] == UInt8(ascii: "'") && bytes[i + 2] == UInt8(ascii: "'") {
                throw fail("a key cannot be a multi-line string")
            }
            return (try literalString(), position)
        case let b where Self.isBareKeyByte(b):
            while i < count && Self.isBareKeyByte(bytes[i]) { i += 1 }
            return (String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<i]), as: UTF8.self), position)
        default:
            let what = afterDot ? "a key after the dot" : "a key"
            throw fail("expected \(what) (letters, digits, - and _, or a quoted string), found \(found())")
        }
    }

    /// A simple or dotted key, each part with its position; the blanks after it are read too.
    mutating func key() throws(TOMLError) -> [(name: String, position: TOMLPosition)] {
        var parts = [try simpleKey(afterDot: false)]
        try dottedKeyRest(&parts)
        return parts
    }

    /// The parts of a dotted key after the first, and the blanks after the last.
    mutating func dottedKeyRest(_ parts: inout [(name: String, position: TOMLPosition)]) throws(TOMLError) {
        while true {
            skipBlanks()
            guard i < count && bytes[i] == UInt8(ascii: ".") else { return }
            i += 1
            skipBlanks()
            let start = i
            parts.append(try simpleKey(afterDot: true))
            if parts.count > limits.maxDepth {
                throw fail("a key with more than \(limits.maxDepth) parts", at: start)
            }
        }
    }

    /// `a."b c".d` as a person would write it, for messages.
    static func path(_ parts: some Sequence<String>) -> String {
        parts.map { part in
            if !part.isEmpty && part.utf8.allSatisfy(isBareKeyByte) { return part }
            var quoted = "\""
            for scalar in part.unicodeScalars {
                switch scalar {
                case "\"": quoted += "\\\""
                case "\\": quoted += "\\\\"
                case "\n": quoted += "\\n"
                default: quoted.unicodeScalars.append(scalar)
                }
            }
            return quoted + "\""
        }.joined(separator: ".")
    }

    // MARK: Key/value pairs and tables

    /// `key = value`, added to `table` (through the tables a dotted key names).
    mutating func keyValue(into table: TOMLTableBuilder) throws(TOMLError) {
        let first = try simpleKey(afterDot: false)
        skipBlanks()
        if i < count && bytes[i] == UInt8(ascii: "=") {
            // A plain key, the common case: no list of parts, no tables to walk.
            i += 1
            skipBlanks()
            try appendValue(key: first, to: table) { Self.path([first.name]) }
            return
        }
        var parts = [first]
        try dottedKeyRest(&parts)
        guard i < count && bytes[i] == UInt8(ascii: "=") else {
            let name = Self.path(parts.map(\.name))
            if i < count && (bytes[i] == 0x0A || bytes[i] == 0x0D) || i == count {
                throw fail("expected = after the key \(name), found \(found()); every key needs a value")
            }
            throw fail("expected = after the key \(name), found \(found())")
        }
        i += 1
        skipBlanks()
        var target = table
        for k in 0..<(parts.count - 1) {
            target = try dottedTable(in: target, parts: parts, at: k)
        }
        try appendValue(key: parts[parts.count - 1], to: target) { Self.path(parts.map(\.name)) }
    }

    /// The value at `i`, added to `table` under the last part of a key; `path` (the whole key, for the message)
    /// is written only when the key is already there.
    @inline(__always)
    private mutating func appendValue(
        key: (name: String, position: TOMLPosition), to table: TOMLTableBuilder, path: () -> String
    ) throws(TOMLError) {
        if let existing = table.slot(named: key.name) {
            throw TOMLError(
                position: key.position, message: "\(path()) is defined twice (first at \(existing.keyPosition))")
        }
        let valuePosition = position(at: i)
        let value = try value(depth: table.depth + 1)
        table.append(
            .init(key: key.name, keyPosition: key.position, node: .value(value), valuePosition: valuePosition))
    }

    /// The table that part `k` of a dotted key names inside `table`, created when new.
    private mutating func dottedTable(
        in table: TOMLTableBuilder, parts: [(name: String, position: TOMLPosition)], at k: Int
    ) throws(TOMLError) -> TOMLTableBuilder {
        let (name, position) = parts[k]
        var path: String { Self.path(parts[...k].map(\.name)) }
        guard let existing = table.slot(named: name) else {
            return try newTable(in: table, name: name, at: position, origin: .dotted)
        }
        let message: String
        switch existing.node {
        case .table(let sub) where sub.origin == .dotted:
            return sub
        case .table:
            message =
                "the table \(path) is defined by a [header] (at \(existing.keyPosition)); a dotted key "
                + "cannot add to it from elsewhere"
        case .tableArray:
            message = "\(path) is an array of tables (at \(existing.keyPosition)); a dotted key cannot add to it"
        case .value(.table):
            message = "\(path) is an inline table (at \(existing.keyPosition)), which cannot be added to once closed"
        case .value(let value):
            message =
                "\(path) is already \(value.kindDescription) (at \(existing.keyPosition)), so it cannot be a table"
        }
        throw TOMLError(position: position, message: message)
    }

    private mutating func newTable(
        in table: TOMLTableBuilder, name: String, at position: TOMLPosition, origin: TOMLTableBuilder.Origin
    ) throws(TOMLError) -> TOMLTableBuilder {
        guard table.depth < limits.maxDepth else {
            throw TOMLError(position: position, message: "tables nested more than \(limits.maxDepth) deep")
        }
        let sub = TOMLTableBuilder(origin: origin, depth: table.depth + 1)
        table.append(.init(key: name, keyPosition: position, node: .table(sub), valuePosition: position))
        return sub
    }

    /// `[a.b]` or `[[a.b]]`: returns the table the keys that follow go into.
    mutating func tableHeader(_ root: TOMLTableBuilder) throws(TOMLError) -> TOMLTableBuilder {
        let headerPosition = position(at: i)
        i += 1
        let isArray = i < count && bytes[i] == UInt8(ascii: "[")
        if isArray { i += 1 }
        skipBlanks()
        if i < count && bytes[i] == UInt8(ascii: "]") {
            throw fail("expected a table name between the brackets, found ']'")
        }
        let parts = try key()
        let closing = isArray ? "]]" : "]"
        guard i < count && bytes[i] == UInt8(ascii: "]") else {
            throw fail("expected \(closing) to close the table header, found \(found())")
        }
        i += 1
        if isArray {
            guard i < count && bytes[i] == UInt8(ascii: "]") else {
                throw fail("expected ]] to close the array-of-tables header, found \(found())")
            }
            i += 1
        }

        var table = root
        for k in 0..<(parts.count - 1) {
            let (name, position) = parts[k]
            guard let existing = table.slot(named: name) else {
                table = try newTable(in: table, name: name, at: position, origin: .implicit)
                continue
            }
            let path = Self.path(parts[...k].map(\.name))
            switch existing.node {
            case .table(let sub): table = sub
            case .tableArray(let array): table = array.last
            case .value(.table):
                throw TOMLError(
                    position: position,
                    message: "\(path) is an inline table (at \(existing.keyPosition)), which cannot be added to "
                        + "once closed")
            case .value(let value):
                throw TOMLError(
                    position: position,
                    message: "\(path) is already \(value.kindDescription) (at \(existing.keyPosition)), so it "
                        + "cannot be a table")
            }
        }

        let (name, position) = parts[parts.count - 1]
        var path: String { Self.path(parts.map(\.name)) }
        guard let existing = table.slot(named: name) else {
            if isArray {
                guard table.depth < limits.maxDepth else {
                    throw TOMLError(position: position, message: "tables nested more than \(limits.maxDepth) deep")
                }
                let element = TOMLTableBuilder(origin: .header, depth: table.depth + 1)
                let array = TOMLTableArrayBuilder(first: element, at: headerPosition)
                table.append(
                    .init(key: name, keyPosition: position, node: .tableArray(array), valuePosition: headerPosition))
                return element
            }
            let sub = try newTable(in: table, name: name, at: position, origin: .header)
            return sub
        }
        let message: String
        switch existing.node {
        case .tableArray(let array) where isArray:
            let element = TOMLTableBuilder(origin: .header, depth: table.depth + 1)
            array.append(element, at: headerPosition)
            return element
        case .table(let sub) where !isArray && sub.origin == .implicit:
            sub.origin = .header
            return sub
        case .table(let sub) where sub.origin == .dotted:
            message = "the table \(path) is already defined by dotted keys (at \(existing.keyPosition))"
        case .table:
            message =
                isArray
                ? "\(path) is already a table (at \(existing.keyPosition)), so it cannot be an array of tables"
                : "the table [\(path)] is defined twice (first at \(existing.keyPosition))"
        case .tableArray:
            message =
                "\(path) is an array of tables (at \(existing.keyPosition)); write [[\(path)]] to add a table to it"
        case .value(.array) where isArray:
            message = "\(path) is already an array (at \(existing.keyPosition)); [[\(path)]] cannot add to it"
        case .value(let value):
            message = "\(path) is already \(value.kindDescription) (at \(existing.keyPosition))"
        }
        throw TOMLError(position: position, message: message)
    }

    // MARK: Values

    /// The value at `i`; `depth` is its level of nesting.
    mutating func value(depth: Int) throws(TOMLError) -> TOMLValue {
        guard i < count else { throw fail("expected a value after =, found the end of the file") }
        switch bytes[i] {
        case UInt8(ascii: "\""):
            if i + 2 < count && bytes[i + 1] == UInt8(ascii: "\"") && bytes[i + 2] == UInt8(ascii: "\"") {
                return .string(try multilineBasicString())
            }
            return .string(try basicString())
        case UInt8(ascii: "'"):
            if i + 2 < count && bytes[i + 1] == UInt8(ascii: "'") && bytes[i + 2] == UInt8(ascii: "'") {
                return .string(try multilineLiteralString())
            }
            return .string(try literalString())
        case UInt8(ascii: "["):
            guard depth <= limits.maxDepth else { throw fail("values nested more than \(limits.maxDepth) deep") }
            return .array(try array(depth: depth))
        case UInt8(ascii: "{"):
            guard depth <= limits.maxDepth else { throw fail("values nested more than \(limits.maxDepth) deep") }
            return .table(try inlineTable(depth: depth))
        case 0x0A, 0x0D, UInt8(ascii: "#"):
            throw fail("expected a value, found \(found())")
        default:
            return try scalar()
        }
    }

    mutating func array(depth: Int) throws(TOMLError) -> TOMLArray {
        let open = position(at: i)
        i += 1
        var elements: [TOMLArray.Element] = []
        while true {
            try skipBlanksCommentsAndNewlines()
            guard i < count else { throw fail("unterminated array: missing the ] for the [ at \(open)") }
            if bytes[i] == UInt8(ascii: "]") {
                i += 1
                return TOMLArray(elements: elements)
            }
            if bytes[i] == UInt8(ascii: ",") { throw fail("expected a value in the array, found ','") }
            let position = self.position(at: i)
            elements.append(TOMLArray.Element(value: try value(depth: depth + 1), position: position))
            try skipBlanksCommentsAndNewlines()
            guard i < count else { throw fail("unterminated array: missing the ] for the [ at \(open)") }
            switch bytes[i] {
            case UInt8(ascii: ","): i += 1
            case UInt8(ascii: "]"):
                i += 1
                return TOMLArray(elements: elements)
            default: throw fail("expected , or ] after an element of the array, found \(found())")
            }
        }
    }

    mutating func inlineTable(depth: Int) throws(TOMLError) -> TOMLTable {
        let open = position(at: i)
        i += 1
        let table = TOMLTableBuilder(origin: .inline, depth: depth)
        skipBlanks()
        if i < count && bytes[i] == UInt8(ascii: "}") {
            i += 1
            return table.finish()
        }
        while true {
            skipBlanks()
            guard i < count else { throw fail("unterminated inline table: missing the } for the { at \(open)") }
            switch bytes[i] {
            case 0x0A, 0x0D:
                throw fail("an inline table must end on the line it starts (the { at \(open)); found \(found())")
            case UInt8(ascii: "}"):
                throw fail("a comma before } is not allowed in an inline table")
            default: break
            }
            try keyValue(into: table)
            skipBlanks()
            guard i < count else { throw fail("unterminated inline table: missing the } for the { at \(open)") }
            switch bytes[i] {
            case UInt8(ascii: ","): i += 1
            case UInt8(ascii: "}"):
                i += 1
                return table.finish()
            case 0x0A, 0x0D:
                throw fail("an inline table must end on the line it starts (the { at \(open)); found \(found())")
            default: throw fail("expected , or } in the inline table, found \(found())")
            }
        }
    }
}
