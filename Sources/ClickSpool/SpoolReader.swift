import SystemPackage

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reads click lines from a sealed (`ready/`) spool file, from a byte offset on, in large chunks.
///
/// Lines that cannot be events (torn, not JSON, no id, longer than `maxLineLength`) are skipped and kept in
/// `skipped` with their file name and line number; reading never stops on one. A line longer than the limit is
/// passed over chunk by chunk, so memory stays at the limit plus a chunk whatever the file holds (a 400 MB
/// file without a newline took the importer to 678 MB). Each line is checked to be exactly one well-formed JSON object
/// by a small byte scanner that also picks out `id`, `outcome` and `bot`, so shipping raw lines costs no
/// Foundation parse per event.
public final class SpoolReader {
    public static let defaultChunkSize = 1 << 20
    /// The longest line read as an event: events are a few KB, so a longer line is damage or foreign data.
    public static let defaultMaxLineLength = 1 << 20

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
    private let maxLineLength: Int
    /// While passing over a line longer than `maxLineLength`: the file offset of its first byte.
    private var longLineOffset: Int64?
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
    /// Lines longer than `maxLineLength` bytes (without their newline) are skipped.
    public convenience init(
        path: String, offset: Int64 = 0, chunkSize: Int = SpoolReader.defaultChunkSize,
        maxLineLength: Int = SpoolReader.defaultMaxLineLength
    ) throws(SpoolError) {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw SpoolError("open", path, Errno(rawValue: errno)) }
        try self.init(
            descriptor: FileDescriptor(rawValue: descriptor), path: path, offset: offset, chunkSize: chunkSize,
            maxLineLength: maxLineLength)
    }

    /// Reads the open file `descriptor` (named `path` in messages) from `offset`; the reader owns and closes it.
    public init(
        descriptor: FileDescriptor, path: String, offset: Int64 = 0, chunkSize: Int = SpoolReader.defaultChunkSize,
        maxLineLength: Int = SpoolReader.defaultMaxLineLength
    ) throws(SpoolError) {
        self.path = path
        self.fileName = path.split(separator: "/").last.map(String.init) ?? path
        self.chunkSize = max(16, chunkSize)
        self.maxLineLength = max(1, maxLineLength)
        self.startOffset = max(0, offset)
        self.offset = max(0, offset)
        self.bufferOffset = max(0, offset)
        if startOffset > 0 && lseek(descriptor.rawValue, off_t(startOffset), SEEK_SET) < 0 {
            let e = errno
            try? descriptor.close()
            throw SpoolError("seek in", path, Errno(rawValue: e))
        }
        self.fd = descriptor.rawValue
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
                let lineOffset = longLineOffset ?? bufferOffset + Int64(lineStart)
                offset = bufferOffset + Int64(start)
                let length = Int(offset - lineOffset) - 1
                if length > maxLineLength || longLineOffset != nil {
                    longLineOffset = nil
                    try skip(offset: lineOffset, length: length + 1, reason: .tooLong(limit: maxLineLength))
                    continue
                }
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
                if start < end || longLineOffset != nil {
                    let lineOffset = longLineOffset ?? bufferOffset + Int64(start)
                    linesRead += 1
                    start = end
                    offset = bufferOffset + Int64(end)
                    let length = Int(offset - lineOffset)
                    longLineOffset = nil
                    try skip(
                        offset: lineOffset, length: length,
                        reason: length > maxLineLength ? .tooLong(limit: maxLineLength) : .torn)
                }
                return nil
            }
            if longLineOffset == nil && end - start > maxLineLength {
                longLineOffset = bufferOffset + Int64(start)
            }
            // A line already too long is not kept: its bytes so far are dropped, and the next chunk searched.
            if longLineOffset != nil { start = end }
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
    /// A new array each time (rather than shifting in place) leaves records handed out earlier untouched. The
    /// tail is at most `maxLineLength` bytes (a longer one is dropped first), so a chunk holds at most that
    /// plus `chunkSize`: room for the longest line and its newline, grown by doubling as a line spans chunks.
    private func refill() throws(SpoolError) {
        let leftover = end - start
        let capacity = max(chunkSize, min(leftover * 2, maxLineLength + chunkSize))
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
                do {
                    let n = try FileDescriptor(rawValue: fd).read(
                        into: UnsafeMutableRawBufferPointer(start: base + filled, count: capacity - filled))
                    if n == 0 {
                        reachedEnd = true
                        break
                    }
                    filled += n
                } catch {
                    readError = (error as? Errno)?.rawValue ?? EIO
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
            SpoolSkippedLine(
                file: fileName, lineNumber: try lineNumber(ofLineEndingAt: linesRead), offset: offset,
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
            let n: Int
            do {
                n = try chunk.withUnsafeMutableBytes { raw in
                    try FileDescriptor(rawValue: fd).read(
                        fromAbsoluteOffset: position, into: UnsafeMutableRawBufferPointer(rebasing: raw[..<want]))
                }
            } catch {
                throw SpoolError("read", path, error as? Errno ?? .ioError)
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
