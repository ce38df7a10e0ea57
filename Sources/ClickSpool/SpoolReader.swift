#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SystemPackage

/// One click line read from a sealed spool file.
///
/// `line` shares storage with the reader's chunk (no copy per line); keeping a record keeps its chunk alive.
public struct SpoolRecord: Sendable {
    /// The bytes as written, ending in `\n`.
    public var line: ArraySlice<UInt8>
    /// The event id (`id`), the key receivers drop duplicates by.
    public var id: String
    /// `outcome`: `redirected`, `not-found`, `expired`, `disabled`; empty when the line has none.
    public var outcome: String
    /// `bot`: why the click looks automated; nil when it is null or missing.
    public var bot: String?
    /// `bot_category`: the kind of automated client (`crawler`, `preview`, …); nil when null or missing
    /// (lines written before the field existed have none).
    public var botCategory: String?
    /// Byte offset of the line's first byte in the file.
    public var offset: Int64
    /// Byte offset just after the line's `\n`: where a reader resumes after this event.
    public var endOffset: Int64
    /// 1-based line number in the file.
    public var lineNumber: Int

    public init(line: ArraySlice<UInt8>, id: String, outcome: String, bot: String?, offset: Int64, endOffset: Int64,
                lineNumber: Int, botCategory: String? = nil) {
        self.line = line
        self.id = id
        self.outcome = outcome
        self.bot = bot
        self.botCategory = botCategory
        self.offset = offset
        self.endOffset = endOffset
        self.lineNumber = lineNumber
    }
}

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

/// Reads click lines from a sealed (`ready/`) spool file, from a byte offset on, in large chunks.
///
/// Lines that cannot be events (torn, not JSON, no id) are skipped and kept in `skipped` with their file name
/// and line number; reading never stops on one. Each line is checked to be exactly one well-formed JSON object
/// by a small byte scanner that also picks out `id`, `outcome` and `bot`, so shipping raw lines costs no
/// Foundation parse per event.
public final class SpoolReader {
    public static let defaultChunkSize = 1 << 20

    /// The file's path, as given.
    public let path: String
    /// The last path component, for messages.
    public let fileName: String
    /// Where the next line starts: after the last event returned or line skipped.
    public private(set) var offset: Int64
    /// Lines passed over so far, in file order.
    public private(set) var skipped: [SpoolSkippedLine] = []

    private let fd: Int32
    private let chunkSize: Int
    private let startOffset: Int64
    private var buffer: [UInt8] = []
    /// Unread bytes are `buffer[start..<end]`; `buffer[0]` is at file offset `bufferOffset`.
    private var start = 0
    private var end = 0
    private var bufferOffset: Int64
    private var atEndOfFile = false
    /// Lines since `startOffset`.
    private var linesRead = 0
    /// Lines before `startOffset`, counted only when a skipped line needs its number.
    private var linesBeforeStart: Int?

    /// Opens `path` for reading from `offset`, which must be the start of a line (0, or an `endOffset`).
    public init(path: String, offset: Int64 = 0, chunkSize: Int = SpoolReader.defaultChunkSize) throws(SpoolError) {
        self.path = path
        self.fileName = path.split(separator: "/").last.map(String.init) ?? path
        self.chunkSize = max(16, chunkSize)
        self.startOffset = max(0, offset)
        self.offset = max(0, offset)
        self.bufferOffset = max(0, offset)
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw SpoolError("open", path, Errno(rawValue: errno)) }
        if startOffset > 0 && lseek(descriptor, off_t(startOffset), SEEK_SET) < 0 {
            let e = errno
            close(descriptor)
            throw SpoolError("seek in", path, Errno(rawValue: e))
        }
        self.fd = descriptor
        if startOffset == 0 { linesBeforeStart = 0 }
    }

    deinit {
        close(fd)
    }

    /// The next event, or nil at the end of the file. Lines that are no event are skipped and recorded.
    public func next() throws(SpoolError) -> SpoolRecord? {
        while true {
            if let newline = findNewline() {
                let lineStart = start
                start = newline + 1
                linesRead += 1
                let lineOffset = bufferOffset + Int64(lineStart)
                offset = bufferOffset + Int64(start)
                let length = newline - lineStart
                if length == 0 { continue }  // an empty line is no event and nothing torn either
                let scan = buffer.withUnsafeBufferPointer { all in
                    JSONLineScanner.scan(UnsafeBufferPointer(rebasing: all[lineStart..<newline]))
                }
                switch scan {
                case .event(let fields):
                    return SpoolRecord(
                        line: buffer[lineStart...newline], id: fields.id, outcome: fields.outcome, bot: fields.bot,
                        offset: lineOffset, endOffset: offset, lineNumber: try lineNumber(ofLineEndingAt: linesRead),
                        botCategory: fields.botCategory)
                case .noID:
                    try skip(offset: lineOffset, length: length + 1, reason: .noID)
                case .invalid:
                    try skip(offset: lineOffset, length: length + 1, reason: .notJSON)
                }
                continue
            }
            if atEndOfFile {
                if start < end {
                    let lineOffset = bufferOffset + Int64(start)
                    let length = end - start
                    linesRead += 1
                    start = end
                    offset = bufferOffset + Int64(end)
                    try skip(offset: lineOffset, length: length, reason: .torn)
                }
                return nil
            }
            try refill()
        }
    }

    /// Reads every remaining event; for tests and small files.
    public func readAll() throws(SpoolError) -> [SpoolRecord] {
        var records: [SpoolRecord] = []
        while let record = try next() { records.append(record) }
        return records
    }

    private func findNewline() -> Int? {
        guard start < end else { return nil }
        return buffer.withUnsafeBytes { raw -> Int? in
            guard let base = raw.baseAddress,
                let hit = memchr(base + start, 0x0A, end - start)
            else { return nil }
            return base.distance(to: UnsafeRawPointer(hit))
        }
    }

    /// Starts a new chunk holding the unread tail of the old one, then reads until it is full or the file ends.
    ///
    /// A new array each time (rather than shifting in place) leaves records handed out earlier untouched.
    private func refill() throws(SpoolError) {
        let leftover = end - start
        let capacity = max(chunkSize, leftover * 2)
        var filled = leftover
        var readError: Int32 = 0
        var reachedEnd = false
        let fd = self.fd
        let next = [UInt8](unsafeUninitializedCapacity: capacity) { destination, initialized in
            guard let base = destination.baseAddress else { return }
            if leftover > 0 {
                buffer.withUnsafeBufferPointer { source in
                    if let s = source.baseAddress { base.update(from: s + start, count: leftover) }
                }
            }
            while filled < capacity {
                let n = read(fd, base + filled, capacity - filled)
                if n > 0 {
                    filled += n
                } else if n == 0 {
                    reachedEnd = true
                    break
                } else if errno != EINTR {
                    readError = errno
                    break
                }
            }
            initialized = filled
        }
        if readError != 0 { throw SpoolError("read", path, Errno(rawValue: readError)) }
        bufferOffset += Int64(start)
        atEndOfFile = reachedEnd
        buffer = next
        start = 0
        end = filled
    }

    private func skip(offset: Int64, length: Int, reason: SpoolSkippedLine.Reason) throws(SpoolError) {
        skipped.append(
            SpoolSkippedLine(file: fileName, lineNumber: try lineNumber(ofLineEndingAt: linesRead), offset: offset,
                             length: length, reason: reason))
    }

    private func lineNumber(ofLineEndingAt count: Int) throws(SpoolError) -> Int {
        if let before = linesBeforeStart { return before + count }
        let before = try countLines(before: startOffset)
        linesBeforeStart = before
        return before + count
    }

    /// Newlines in the first `limit` bytes, read with `pread` so the reading position stays put.
    private func countLines(before limit: Int64) throws(SpoolError) -> Int {
        var count = 0
        var position: Int64 = 0
        var chunk = [UInt8](repeating: 0, count: chunkSize)
        while position < limit {
            let want = Int(min(Int64(chunk.count), limit - position))
            let n = chunk.withUnsafeMutableBytes { pread(fd, $0.baseAddress, want, off_t(position)) }
            if n < 0 {
                if errno == EINTR { continue }
                throw SpoolError("read", path, Errno(rawValue: errno))
            }
            if n == 0 { break }
            chunk.withUnsafeBytes { raw in
                for byte in raw.prefix(n) where byte == 0x0A { count += 1 }
            }
            position += Int64(n)
        }
        return count
    }
}

/// Checks that a line is exactly one JSON object and picks out the top-level `id`, `outcome`, `bot` and
/// `bot_category`.
///
/// A validator rather than a parser: it builds nothing but the three strings, which keeps a 600-byte line well
/// under a microsecond. Strict RFC 8259 syntax (no trailing commas, no bare control characters in strings,
/// nesting at most 64 deep); UTF-8 is not re-validated, since a torn multi-byte character also leaves an
/// unterminated string.
enum JSONLineScanner {
    struct Fields {
        var id: String
        var outcome: String
        var bot: String?
        var botCategory: String?
    }

    enum Result {
        case event(Fields)
        case noID
        case invalid
    }

    static let maximumDepth = 64

    static func scan(_ bytes: UnsafeBufferPointer<UInt8>) -> Result {
        var scanner = Cursor(bytes: bytes)
        var fields = Fields(id: "", outcome: "", bot: nil, botCategory: nil)
        var hasID = false
        scanner.skipWhitespace()
        guard scanner.peek() == UInt8(ascii: "{") else { return .invalid }
        scanner.index += 1
        scanner.skipWhitespace()
        if scanner.peek() == UInt8(ascii: "}") {
            scanner.index += 1
        } else {
            while true {
                scanner.skipWhitespace()
                guard let key = scanner.string() else { return .invalid }
                scanner.skipWhitespace()
                guard scanner.peek() == UInt8(ascii: ":") else { return .invalid }
                scanner.index += 1
                scanner.skipWhitespace()
                let field = Field(key: key, in: bytes)
                if field != .other, scanner.peek() == UInt8(ascii: "\"") {
                    guard let value = scanner.string() else { return .invalid }
                    let text = decode(value, in: bytes)
                    switch field {
                    case .id:
                        fields.id = text
                        hasID = true
                    case .outcome: fields.outcome = text
                    case .bot: fields.bot = text
                    case .botCategory: fields.botCategory = text
                    case .other: break
                    }
                } else {
                    guard scanner.value(depth: 1) else { return .invalid }
                }
                scanner.skipWhitespace()
                guard let separator = scanner.peek() else { return .invalid }
                scanner.index += 1
                if separator == UInt8(ascii: "}") { break }
                guard separator == UInt8(ascii: ",") else { return .invalid }
            }
        }
        scanner.skipWhitespace()
        guard scanner.index == bytes.count else { return .invalid }
        return hasID ? .event(fields) : .noID
    }

    enum Field {
        case id, outcome, bot, botCategory, other

        /// `key` is the range of the key's text between its quotes.
        init(key: StringRange, in bytes: UnsafeBufferPointer<UInt8>) {
            guard !key.escaped else {
                self = .other
                return
            }
            func equals(_ literal: StaticString) -> Bool {
                guard key.range.count == literal.utf8CodeUnitCount else { return false }
                return JSONLineScanner.matches(bytes, at: key.range.lowerBound, literal)
            }
            if equals("id") {
                self = .id
            } else if equals("outcome") {
                self = .outcome
            } else if equals("bot") {
                self = .bot
            } else if equals("bot_category") {
                self = .botCategory
            } else {
                self = .other
            }
        }
    }

    /// The text between a string's quotes, and whether it holds escapes.
    struct StringRange {
        var range: Range<Int>
        var escaped: Bool
    }

    struct Cursor {
        let bytes: UnsafeBufferPointer<UInt8>
        var index = 0

        @inline(__always) func peek() -> UInt8? {
            index < bytes.count ? bytes[index] : nil
        }

        @inline(__always) mutating func skipWhitespace() {
            while index < bytes.count {
                let b = bytes[index]
                guard b == 0x20 || b == 0x09 || b == 0x0D || b == 0x0A else { return }
                index += 1
            }
        }

        mutating func value(depth: Int) -> Bool {
            guard let b = peek() else { return false }
            switch b {
            case UInt8(ascii: "\""): return string() != nil
            case UInt8(ascii: "{"): return object(depth: depth + 1)
            case UInt8(ascii: "["): return array(depth: depth + 1)
            case UInt8(ascii: "t"): return literal("true")
            case UInt8(ascii: "f"): return literal("false")
            case UInt8(ascii: "n"): return literal("null")
            default: return number()
            }
        }

        mutating func object(depth: Int) -> Bool {
            guard depth <= JSONLineScanner.maximumDepth else { return false }
            index += 1
            skipWhitespace()
            if peek() == UInt8(ascii: "}") {
                index += 1
                return true
            }
            while true {
                skipWhitespace()
                guard string() != nil else { return false }
                skipWhitespace()
                guard peek() == UInt8(ascii: ":") else { return false }
                index += 1
                skipWhitespace()
                guard value(depth: depth) else { return false }
                skipWhitespace()
                guard let separator = peek() else { return false }
                index += 1
                if separator == UInt8(ascii: "}") { return true }
                guard separator == UInt8(ascii: ",") else { return false }
            }
        }

        mutating func array(depth: Int) -> Bool {
            guard depth <= JSONLineScanner.maximumDepth else { return false }
            index += 1
            skipWhitespace()
            if peek() == UInt8(ascii: "]") {
                index += 1
                return true
            }
            while true {
                skipWhitespace()
                guard value(depth: depth) else { return false }
                skipWhitespace()
                guard let separator = peek() else { return false }
                index += 1
                if separator == UInt8(ascii: "]") { return true }
                guard separator == UInt8(ascii: ",") else { return false }
            }
        }

        /// Consumes a string at `index` (which must be at its opening quote).
        ///
        /// Plain bytes are skipped eight at a time: most of a click line is the text of a few long strings
        /// (user agent, target, referer).
        mutating func string() -> StringRange? {
            guard peek() == UInt8(ascii: "\""), let base = bytes.baseAddress else { return nil }
            index += 1
            let first = index
            let count = bytes.count
            var escaped = false
            while true {
                while index + 8 <= count {
                    let word = UInt64(littleEndian: UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self))
                    let special = JSONLineScanner.specialBytes(word)
                    if special != 0 {
                        index += special.trailingZeroBitCount >> 3  // straight to the first special byte
                        break
                    }
                    index += 8
                }
                guard index < count else { return nil }
                let b = base[index]
                if b == UInt8(ascii: "\"") {
                    index += 1
                    return StringRange(range: first..<(index - 1), escaped: escaped)
                }
                if b < 0x20 { return nil }
                if b == UInt8(ascii: "\\") {
                    escaped = true
                    index += 1
                    guard index < count else { return nil }
                    switch base[index] {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"),
                        UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                        break
                    case UInt8(ascii: "u"):
                        guard index + 4 < count else { return nil }
                        for k in 1...4 where JSONLineScanner.hexValue(base[index + k]) == nil { return nil }
                        index += 4
                    default:
                        return nil
                    }
                }
                index += 1
            }
        }

        mutating func literal(_ word: StaticString) -> Bool {
            let n = word.utf8CodeUnitCount
            guard index + n <= bytes.count, JSONLineScanner.matches(bytes, at: index, word) else { return false }
            index += n
            return true
        }

        mutating func number() -> Bool {
            if peek() == UInt8(ascii: "-") { index += 1 }
            guard let first = peek(), isDigit(first) else { return false }
            index += 1
            if first != UInt8(ascii: "0") {
                while let b = peek(), isDigit(b) { index += 1 }
            }
            if peek() == UInt8(ascii: ".") {
                index += 1
                guard let b = peek(), isDigit(b) else { return false }
                while let b = peek(), isDigit(b) { index += 1 }
            }
            if let e = peek(), e == UInt8(ascii: "e") || e == UInt8(ascii: "E") {
                index += 1
                if let sign = peek(), sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") { index += 1 }
                guard let b = peek(), isDigit(b) else { return false }
                while let b = peek(), isDigit(b) { index += 1 }
            }
            return true
        }

        @inline(__always) func isDigit(_ b: UInt8) -> Bool {
            b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9")
        }
    }

    /// Whether `bytes` holds `literal` at `index` (the caller has checked the length fits).
    @inline(__always) static func matches(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int, _ literal: StaticString) -> Bool {
        let word = UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount)
        for k in 0..<word.count where bytes[index + k] != word[k] { return false }
        return true
    }

    /// The high bit of each byte of `word` that is a quote, a backslash or a control character, read as
    /// little-endian (SWAR: the classic "has a zero byte" test `(x - 0x01…) & ~x & 0x80…` on `word ^ '"'` and
    /// `word ^ '\\'`, and its "has a byte below n" form for 0x20). Bytes of 0x80 and above never match. Borrows
    /// can flag bytes above a match, never below, so the lowest flag is always the first special byte.
    @inline(__always) static func specialBytes(_ word: UInt64) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        let quote = word ^ (ones &* 0x22)
        let backslash = word ^ (ones &* 0x5C)
        let found = ((quote &- ones) & ~quote) | ((backslash &- ones) & ~backslash) | ((word &- ones &* 0x20) & ~word)
        return found & highs
    }

    static func hexValue(_ b: UInt8) -> UInt32? {
        switch b {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt32(b - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return UInt32(b - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return UInt32(b - UInt8(ascii: "A") + 10)
        default: return nil
        }
    }

    /// The text of a scanned string, escapes resolved (the scanner has checked them already).
    static func decode(_ string: StringRange, in bytes: UnsafeBufferPointer<UInt8>) -> String {
        let raw = UnsafeBufferPointer(rebasing: bytes[string.range])
        guard string.escaped else { return String(decoding: raw, as: UTF8.self) }
        var scalars = String.UnicodeScalarView()
        var utf8: [UInt8] = []
        func flush() {
            if !utf8.isEmpty {
                scalars.append(contentsOf: String(decoding: utf8, as: UTF8.self).unicodeScalars)
                utf8.removeAll(keepingCapacity: true)
            }
        }
        func hex4(_ at: Int) -> UInt32 {
            var v: UInt32 = 0
            for k in 0..<4 { v = v << 4 | (hexValue(raw[at + k]) ?? 0) }
            return v
        }
        var i = 0
        while i < raw.count {
            let b = raw[i]
            guard b == UInt8(ascii: "\\"), i + 1 < raw.count else {
                utf8.append(b)
                i += 1
                continue
            }
            let e = raw[i + 1]
            i += 2
            switch e {
            case UInt8(ascii: "b"): utf8.append(0x08)
            case UInt8(ascii: "f"): utf8.append(0x0C)
            case UInt8(ascii: "n"): utf8.append(0x0A)
            case UInt8(ascii: "r"): utf8.append(0x0D)
            case UInt8(ascii: "t"): utf8.append(0x09)
            case UInt8(ascii: "u"):
                guard i + 4 <= raw.count else { break }
                var code = hex4(i)
                i += 4
                if (0xD800..<0xDC00).contains(code), i + 6 <= raw.count, raw[i] == UInt8(ascii: "\\"),
                    raw[i + 1] == UInt8(ascii: "u")
                {
                    let low = hex4(i + 2)
                    if (0xDC00..<0xE000).contains(low) {
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                        i += 6
                    }
                }
                flush()
                scalars.append(Unicode.Scalar(code) ?? "\u{FFFD}")
            default: utf8.append(e)
            }
        }
        flush()
        return String(scalars)
    }
}
