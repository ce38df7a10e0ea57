import JSON
import RedirectCore

@testable import ClickSpool

// Fuzz target "spool-line": the spool reader's line scanner (JSONLineScanner on JSONCursor) against the strict JSON
// checker, JSONValue(parsing:) on the same cursor against it too, and SpoolReader over a whole file read in small
// chunks.
//
// Input: the first byte picks the reader's chunk size (1-64 bytes); the rest is the file's content.
#if canImport(Glibc)
    import Glibc
#endif

private let directory: String = {
    var template = Array("/tmp/redirectd-fuzz-spool-XXXXXX".utf8CString)
    guard let made = mkdtemp(&template) else { fatalError("mkdtemp") }
    return String(cString: made)
}()

private func writeFile(_ bytes: ArraySlice<UInt8>) -> String {
    let path = directory + "/20261129T020800.jsonl"
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
    guard fd >= 0 else { fatalError("cannot create \(path)") }
    let copy = Array(bytes)
    var offset = 0
    while offset < copy.count {
        let n = copy.withUnsafeBytes { write(fd, $0.baseAddress! + offset, copy.count - offset) }
        guard n > 0 else { fatalError("cannot write \(path)") }
        offset += n
    }
    close(fd)
    return path
}

/// The first top-level member named `key` (key written without escapes is all the scanner knows).
private func member(_ parsed: ParsedJSON, _ key: String) -> ParsedJSON? { parsed[key] }

private func checkLine(_ line: ArraySlice<UInt8>) {
    let bytes = Array(line)
    let scanned = bytes.withUnsafeBufferPointer { JSONLineScanner.scan($0) }
    let context = String(decoding: bytes, as: UTF8.self).debugDescription
    // The value builder walks with the same cursor: it must accept what the checker accepts, and nothing else.
    let value = JSONValue(parsing: bytes)
    let parsed: ParsedJSON?
    do {
        parsed = try JSONChecker.parse(bytes)
    } catch {
        // The scanner does not re-validate UTF-8 or pair surrogates (by design): no verdict on those lines.
        let lenient = ["UTF-8", "surrogate"].contains { error.message.contains($0) }
        if !lenient, case .event = scanned { require(false, "scanner accepts invalid JSON (\(error)) \(context)") }
        if !lenient, case .noID = scanned { require(false, "scanner accepts invalid JSON (\(error)) \(context)") }
        require(lenient || value == nil, "JSONValue(parsing:) accepts invalid JSON (\(error)) \(context)")
        return
    }
    if let parsed {
        require(
            value != nil || depth(parsed) > JSONCursor.maximumDepth,
            "JSONValue(parsing:) rejects valid JSON: \(context)")
    }
    guard let parsed, case .object(let members) = parsed else {
        if case .invalid = scanned { return }
        require(false, "scanner accepts a JSON value that is not an object: \(context)")
        return
    }
    // Nesting beyond the scanner's limit is refused on purpose.
    if case .invalid = scanned, depth(parsed) > JSONCursor.maximumDepth { return }
    let plainKeys = members.map { String(decoding: $0.key, as: UTF8.self) }
    switch scanned {
    case .invalid:
        require(false, "scanner rejects a valid JSON object: \(context)")
    case .noID:
        let hasStringID = members.contains { $0.key == Array("id".utf8) && isString($0.value) }
        require(!hasStringID || hasUnicodeEscape(bytes), "scanner finds no id in \(context)")
    case .event(let fields):
        // With each key once, the scanner's id is the parsed one, escapes and all.
        guard Set(plainKeys).count == plainKeys.count else { return }
        require(
            member(parsed, "id") == .string(Array(fields.id.utf8)), "id \(fields.id.debugDescription) in \(context)")
        // Only a \u escape can spell a key's letters; the scanner (by design) reads keys as written.
        guard !hasUnicodeEscape(bytes) else { return }
        if case .string(let outcome)? = member(parsed, "outcome") {
            require(Array(fields.outcome.utf8) == outcome, "outcome in \(context)")
        }
        if case .string(let bot)? = member(parsed, "bot") {
            require(fields.bot.map { Array($0.utf8) } == bot, "bot in \(context)")
        } else if member(parsed, "bot") == .null {
            require(fields.bot == nil, "bot null in \(context)")
        }
    }
}

private func isString(_ value: ParsedJSON) -> Bool {
    if case .string = value { return true }
    return false
}

private func hasUnicodeEscape(_ bytes: [UInt8]) -> Bool {
    zip(bytes, bytes.dropFirst()).contains { $0 == UInt8(ascii: "\\") && $1 == UInt8(ascii: "u") }
}

private func depth(_ value: ParsedJSON) -> Int {
    switch value {
    case .array(let items): return 1 + (items.map(depth).max() ?? 0)
    case .object(let members): return 1 + (members.map { depth($0.value) }.max() ?? 0)
    default: return 0
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSpoolLine(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard size > 0, let data else { return 0 }
    let input = Array(UnsafeBufferPointer(start: data, count: size))
    let chunkSize = 1 + Int(input[0] % 64)
    let content = input[1...]
    for line in content.split(separator: 0x0A, omittingEmptySubsequences: true) { checkLine(line) }

    let path = writeFile(content)
    let reader: SpoolReader
    let records: [SpoolRecord]
    do {
        reader = try SpoolReader(path: path, chunkSize: chunkSize)
        records = try reader.readAll()
    } catch {
        require(false, "SpoolReader failed on a readable file: \(error)")
        return 0
    }
    let file = Array(content)
    var lines = 0
    var previousEnd: Int64 = 0
    for record in records {
        let range = Int(record.offset)..<Int(record.endOffset)
        require(record.offset >= previousEnd && range.upperBound <= file.count, "record offsets \(range)")
        require(Array(record.line) == Array(file[range]), "record bytes differ from the file at \(range)")
        require(record.line.last == 0x0A, "record without its newline at \(range)")
        let lineNumber = file[..<range.lowerBound].filter { $0 == 0x0A }.count + 1
        require(record.lineNumber == lineNumber, "line number \(record.lineNumber), expected \(lineNumber)")
        previousEnd = record.endOffset
        lines += 1
    }
    // Every non-empty line is either returned or skipped; the last one is torn when it has no newline.
    let nonEmpty = file.split(separator: 0x0A, omittingEmptySubsequences: true).count
    require(
        lines + reader.skipped.count == nonEmpty,
        "\(lines) records + \(reader.skipped.count) skipped != \(nonEmpty) lines (chunk \(chunkSize))")
    if let last = file.last, last != 0x0A {
        require(reader.skipped.last?.reason == .torn, "unterminated last line not reported as torn")
    }
    require(reader.offset == Int64(file.count), "reader stopped at \(reader.offset) of \(file.count)")
    return 0
}
