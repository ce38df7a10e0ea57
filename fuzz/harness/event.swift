// Fuzz target "event": ClickEvent.jsonLine must be exactly one line of valid JSON, with the same keys every
// time, giving back every string byte for byte.
//
// Input: fields split at 0xFE: a flags field (which optional fields are nil, outcome, session status), then
// id, redirect, session, source, type, target, method, ip, user agent, referer, accept-language, host, query,
// bot, a timestamp and status field, and a shape field that, with the fields after it, builds `properties`.
import JSON
import Timestamps

@testable import RedirectCore

/// Builds a JSONValue from the shape bytes; strings come from the following fields.
private struct PropertyBuilder {
    var shape: ArraySlice<UInt8>
    var fields: FuzzFields

    mutating func next() -> UInt8? { shape.popFirst() }

    mutating func integer() -> UInt64 {
        var v: UInt64 = 0
        for _ in 0..<8 { v = v << 8 | UInt64(next() ?? 0) }
        return v
    }

    mutating func value(depth: Int) -> JSONValue {
        guard let tag = next() else { return .null }
        switch tag % 7 {
        case 0: return .null
        case 1: return .bool(tag & 0x80 != 0)
        case 2: return .int(Int(truncatingIfNeeded: integer()))
        case 3: return .double(Double(bitPattern: integer()))
        case 4: return .string(fields.string())
        case 5:
            guard depth < 8 else { return .null }
            return .array((0..<Int((next() ?? 0) % 5)).map { _ in value(depth: depth + 1) })
        default:
            guard depth < 8 else { return .null }
            return .object(members(depth: depth + 1))
        }
    }

    mutating func members(depth: Int) -> [(key: String, value: JSONValue)] {
        (0..<Int((next() ?? 0) % 5)).map { _ in (fields.string(), value(depth: depth)) }
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzEvent(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    var fields = FuzzFields(data, size)
    let flags = Array(fields.bytes()) + [0, 0, 0, 0]
    func optional(_ bit: Int, _ value: String) -> String? { flags[bit / 8] & (1 << (bit % 8)) != 0 ? nil : value }
    let outcomes: [ClickEvent.Outcome] = [.redirected, .notFound, .expired, .disabled]
    let statuses: [ClickEvent.SessionStatus] = [.valid, .absent, .malformed]
    let id = fields.string()
    let redirect = optional(0, fields.string())
    let session = optional(1, fields.string())
    let source = optional(2, fields.string())
    let type = fields.string()
    let target = optional(3, fields.string())
    // The request's fields as raw bytes too: they also go through a request built from CGI parameters.
    func rawOptional(_ bit: Int, _ value: ArraySlice<UInt8>) -> ArraySlice<UInt8>? {
        flags[bit / 8] & (1 << (bit % 8)) != 0 ? nil : value
    }
    let rawRequest: [(name: String, key: String, bytes: ArraySlice<UInt8>?)] = [
        ("REQUEST_METHOD", "method", fields.bytes()), ("REMOTE_ADDR", "ip", rawOptional(4, fields.bytes())),
        ("HTTP_USER_AGENT", "user_agent", rawOptional(5, fields.bytes())),
        ("HTTP_REFERER", "referer", rawOptional(6, fields.bytes())),
        ("HTTP_ACCEPT_LANGUAGE", "accept_language", rawOptional(7, fields.bytes())),
        ("HTTP_HOST", "host", rawOptional(8, fields.bytes())), ("QUERY_STRING", "query", fields.bytes()),
    ]
    let decoded = rawRequest.map { $0.bytes.map { String(decoding: $0, as: UTF8.self) } }
    let method = decoded[0]!
    let ip = decoded[1]
    let userAgent = decoded[2]
    let referer = decoded[3]
    let acceptLanguage = decoded[4]
    let host = decoded[5]
    let query = decoded[6]!
    let bot = optional(9, fields.string())
    let numbers = Array(fields.bytes()) + [UInt8](repeating: 0, count: 16)
    let raw = numbers.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
    // The time comes from the clock, never from a request: keep it within RFC 3339's years 0000-9999.
    let maxMilliseconds: UInt64 = 253_402_300_799_999
    let time = Timestamp(millisecondsSinceEpoch: Int64(raw % (maxMilliseconds + 1)))
    let status = Int(Int32(truncatingIfNeeded: numbers[8..<12].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }))
    var builder = PropertyBuilder(shape: fields.bytes(), fields: fields)
    let properties = builder.members(depth: 0)

    let event = ClickEvent(
        id: id, time: time, outcome: outcomes[Int(flags[2] % 4)], redirect: redirect, session: session,
        sessionStatus: statuses[Int(flags[3] % 3)], source: source, type: type, properties: properties,
        target: target, status: status,
        request: .init(
            method: method, ip: ip, userAgent: userAgent, referer: referer, acceptLanguage: acceptLanguage,
            host: host, query: query),
        bot: bot)
    let line = event.jsonLine()
    let context = String(decoding: line, as: UTF8.self).debugDescription
    let parsed = checkEventLine(line, context)
    require(parsed["v"] == .number("1"), "v [\(context)]")
    require(parsed["status"] == .number(String(status)), "status [\(context)]")
    require(matches(parsed["time"], string: time.iso8601), "time [\(context)]")
    let strings: [(String, String?)] = [
        ("id", id), ("redirect", redirect), ("session", session), ("source", source), ("type", type),
        ("target", target), ("bot", bot), ("outcome", event.outcome.rawValue),
        ("session_status", event.sessionStatus.rawValue),
    ]
    for (key, value) in strings {
        require(matches(parsed[key], string: value), "\(key) does not round-trip [\(context)]")
    }
    let request: [(String, String?)] = [
        ("method", method), ("ip", ip), ("user_agent", userAgent), ("referer", referer),
        ("accept_language", acceptLanguage), ("host", host), ("query", query),
    ]
    for (key, value) in request {
        require(matches(parsed["request"]?[key], string: value), "request.\(key) does not round-trip [\(context)]")
    }
    require(matches(parsed["properties"], .object(properties)), "properties do not round-trip [\(context)]")

    // The same request fields given as CGI parameters (each field's bytes, in the order above, the absent ones
    // left out): each is repaired on its own, so it must come out as its own decoding, whatever its neighbours.
    let fromParameters = ClickRequest(
        parameters: rawRequest.compactMap { field in
            field.bytes.map { (name: field.name, value: Array($0)) }
        })
    var second = event
    second.request = ClickEvent.RequestInfo(fromParameters, withoutIdentity: false, anonymizeIP: false)
    let secondLine = second.jsonLine()
    let secondContext = String(decoding: secondLine, as: UTF8.self).debugDescription
    let secondParsed = checkEventLine(secondLine, secondContext)
    for (field, value) in zip(rawRequest, decoded) {
        require(
            matches(secondParsed["request"]?[field.key], string: value),
            "request.\(field.key) from CGI parameters does not round-trip [\(secondContext)]")
    }
    require(second.request == event.request, "request from CGI parameters differs [\(secondContext)]")
    return 0
}
