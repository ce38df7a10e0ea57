import JSON

@testable import RedirectCore

#if canImport(Glibc)
    import Glibc
#endif

/// Stops the run with a message when an invariant does not hold; libFuzzer saves the input as a crash.
func require(_ condition: Bool, _ message: @autoclosure () -> String) {
    if condition { return }
    let text = "FUZZ INVARIANT FAILED: " + message() + "\n"
    _ = text.utf8CString.withUnsafeBufferPointer { write(2, $0.baseAddress, $0.count - 1) }
    abort()
}

/// Swift-escaped text of `s`, for messages.
func quoted(_ s: String) -> String { s.debugDescription }

/// A fuzz input cut into fields at 0xFE bytes.
///
/// 0xFE is never part of valid UTF-8, and every invalid byte decodes to U+FFFD anyway, so no field loses a
/// value it could otherwise take; and seeds stay readable and easy to write by hand.
struct FuzzFields {
    private var fields: [ArraySlice<UInt8>]
    private var index = 0

    init(_ data: UnsafePointer<UInt8>?, _ size: Int) {
        let bytes = size > 0 ? Array(UnsafeBufferPointer(start: data, count: size)) : []
        fields = bytes.split(separator: 0xFE, omittingEmptySubsequences: false)
    }

    var isAtEnd: Bool { index >= fields.count }

    mutating func bytes() -> ArraySlice<UInt8> {
        defer { index += 1 }
        return index < fields.count ? fields[index] : []
    }

    /// The next field as text, invalid UTF-8 replaced with U+FFFD (as the responder does).
    mutating func string() -> String { String(decoding: bytes(), as: UTF8.self) }

    /// The next field; nil when it is missing or is the single byte 0xFD.
    mutating func optionalString() -> String? {
        if isAtEnd {
            index += 1
            return nil
        }
        let b = bytes()
        if b.count == 1 && b.first == 0xFD { return nil }
        return String(decoding: b, as: UTF8.self)
    }

    /// The first byte of the next field (0 when empty).
    mutating func byte() -> UInt8 { bytes().first ?? 0 }
}

/// `scheme://host:port` of an http(s) URL, read the way a browser's URL parser (WHATWG) reads it: any run of
/// slashes or backslashes after the scheme, the authority ending at `/`, `\`, `?` or `#`, user info up to the
/// last `@` dropped. Written apart from TargetBuilder, so that it checks it rather than repeats it.
func browserOrigin(of url: String) -> String? {
    let bytes = Array(url.utf8)
    guard let colon = bytes.firstIndex(of: UInt8(ascii: ":")) else { return nil }
    let scheme = String(decoding: bytes[..<colon], as: UTF8.self).lowercased()
    guard scheme == "http" || scheme == "https" else { return nil }
    var start = colon + 1
    while start < bytes.count, bytes[start] == UInt8(ascii: "/") || bytes[start] == UInt8(ascii: "\\") { start += 1 }
    var end = start
    let stops: [UInt8] = [UInt8(ascii: "/"), UInt8(ascii: "\\"), UInt8(ascii: "?"), UInt8(ascii: "#")]
    while end < bytes.count, !stops.contains(bytes[end]) { end += 1 }
    var authority = bytes[start..<end]
    if let at = authority.lastIndex(of: UInt8(ascii: "@")) { authority = authority[(at + 1)...] }
    return scheme + "://" + String(decoding: authority, as: UTF8.self).lowercased()
}

/// What every `Location` built from the template `template` must satisfy.
func checkTarget(_ result: String, template: String, _ context: @autoclosure () -> String) {
    require(
        TargetURL.problem(with: result) == nil,
        "target \(quoted(result)) from \(quoted(template)): \(TargetURL.problem(with: result) ?? "") [\(context())]")
    require(
        !result.utf8.contains { $0 == 0x0D || $0 == 0x0A || $0 == 0x00 },
        "target \(quoted(result)) contains CR, LF or NUL [\(context())]")
    let expected = browserOrigin(of: template)
    require(expected != nil, "template \(quoted(template)) has no origin [\(context())]")
    require(
        browserOrigin(of: result) == expected,
        "target \(quoted(result)) has origin \(browserOrigin(of: result) ?? "none"), template \(quoted(template)) "
            + "has \(expected ?? "none") [\(context())]")
}

/// The keys of an event line, in order, and of its `request` object.
let eventKeys = [
    "v", "id", "time", "outcome", "redirect", "session", "session_status", "session_source", "source", "type",
    "properties", "target", "status", "rule", "variant", "country", "device", "form", "request", "bot",
    "bot_category",
]
let requestKeys = ["method", "ip", "user_agent", "referer", "accept_language", "host", "query"]

/// Checks that `line` is exactly one line of valid JSON with the event's shape, and returns it parsed.
@discardableResult
func checkEventLine(_ line: [UInt8], _ context: @autoclosure () -> String) -> ParsedJSON {
    require(line.last == 0x0A, "event line does not end in a newline [\(context())]")
    require(!line.dropLast().contains(0x0A), "event line contains a raw newline [\(context())]")
    require(!line.contains(0x0D), "event line contains a raw carriage return [\(context())]")
    // U+2028 and U+2029 are valid JSON but break lines for JavaScript readers; the writer escapes them.
    for k in 0..<max(0, line.count - 2) where line[k] == 0xE2 && line[k + 1] == 0x80 {
        require(line[k + 2] != 0xA8 && line[k + 2] != 0xA9, "event line contains raw U+2028/U+2029 [\(context())]")
    }
    let parsed: ParsedJSON
    do {
        parsed = try JSONChecker.parse(line.dropLast())
    } catch {
        require(false, "\(error): \(quoted(String(decoding: line, as: UTF8.self))) [\(context())]")
        return .null
    }
    require(parsed.keys == eventKeys, "event keys \(parsed.keys) [\(context())]")
    require(parsed["request"]?.keys == requestKeys, "request keys \(parsed["request"]?.keys ?? []) [\(context())]")
    return parsed
}

/// Whether the JSON value `parsed` is what `value` was written as: strings byte for byte, numbers exactly.
func matches(_ parsed: ParsedJSON?, _ value: JSONValue) -> Bool {
    guard let parsed else { return false }
    switch (value, parsed) {
    case (.null, .null): return true
    case (.bool(let a), .bool(let b)): return a == b
    case (.int(let a), .number(let text)): return Int(text) == a
    case (.double(let d), .number(let text)): return d.isFinite && Double(text) == d
    case (.double(let d), .null): return !d.isFinite
    case (.string(let s), .string(let bytes)): return Array(s.utf8) == bytes
    case (.array(let items), .array(let parsedItems)):
        return items.count == parsedItems.count && zip(parsedItems, items).allSatisfy { matches($0, $1) }
    case (.object(let members), .object(let parsedMembers)):
        return members.count == parsedMembers.count
            && zip(members, parsedMembers).allSatisfy { Array($0.key.utf8) == $1.key && matches($1.value, $0.value) }
    default: return false
    }
}

/// Whether `parsed` is the JSON string `s` (byte for byte), or null when `s` is nil.
func matches(_ parsed: ParsedJSON?, string s: String?) -> Bool {
    guard let s else { return parsed == .null }
    return parsed == .string(Array(s.utf8))
}
