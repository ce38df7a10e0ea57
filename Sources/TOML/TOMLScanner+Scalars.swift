/// Booleans, integers, floats, dates and times: read as one token, then told apart by its form.
extension TOMLScanner {
    private static func isTokenByte(_ b: UInt8) -> Bool {
        isBareKeyByte(b) || b == UInt8(ascii: "+") || b == UInt8(ascii: ".") || b == UInt8(ascii: ":")
    }

    private static func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }

    /// A boolean, number, date or time at `i`.
    mutating func scalar() throws(TOMLError) -> TOMLValue {
        let start = i
        while i < count && Self.isTokenByte(bytes[i]) { i += 1 }
        guard i > start else {
            throw fail("expected a value (a string in quotes, a number, true, false, a date, [ or {), found \(found())")
        }
        // A date and a time may stand apart by one space: `1979-05-27 07:32:00`.
        if i - start == 10 && bytes[start + 4] == UInt8(ascii: "-") && i + 3 < count && bytes[i] == 0x20
            && Self.isDigit(bytes[i + 1]) && Self.isDigit(bytes[i + 2]) && bytes[i + 3] == UInt8(ascii: ":")
        {
            i += 1
            while i < count && Self.isTokenByte(bytes[i]) { i += 1 }
        }
        let token = UnsafeBufferPointer(rebasing: bytes[start..<i])
        do {
            return try Self.classify(token)
        } catch {
            throw TOMLError(position: position(at: start), message: error.message)
        }
    }

    /// A message about a scalar, positioned by the caller at the token's start.
    struct ScalarProblem: Error {
        var message: String
    }

    private static func classify(_ t: UnsafeBufferPointer<UInt8>) throws(ScalarProblem) -> TOMLValue {
        // The common cases without building the token's text: a small decimal integer, true, false.
        if t.count <= 18 && (t.count == 1 || t[0] != UInt8(ascii: "0")) && t.allSatisfy(isDigit) {
            var value: Int64 = 0
            for b in t { value = value * 10 + Int64(b - UInt8(ascii: "0")) }
            return .integer(value)
        }
        if t.elementsEqual("true".utf8) { return .boolean(true) }
        if t.elementsEqual("false".utf8) { return .boolean(false) }
        let text = String(decoding: t, as: UTF8.self)
        switch text {
        case "true": return .boolean(true)
        case "false": return .boolean(false)
        case "inf", "+inf": return .float(.infinity)
        case "-inf": return .float(-.infinity)
        case "nan", "+nan", "-nan": return .float(.nan)
        default: break
        }
        let first = t[0]
        if t.contains(UInt8(ascii: ":")) || (t.count >= 10 && isDigit(first) && t[4] == UInt8(ascii: "-")) {
            return .dateTime(try dateTime(t, text))
        }
        if t.count >= 2 && first == UInt8(ascii: "0")
            && (t[1] == UInt8(ascii: "x") || t[1] == UInt8(ascii: "o") || t[1] == UInt8(ascii: "b"))
        {
            return .integer(try radixInteger(t, text))
        }
        guard isDigit(first) || first == UInt8(ascii: "+") || first == UInt8(ascii: "-") || first == UInt8(ascii: ".")
        else {
            let lowered = text.lowercased()
            if lowered == "true" || lowered == "false" || lowered.hasSuffix("inf") || lowered.hasSuffix("nan") {
                throw ScalarProblem(message: "\(text) is not a value: write \(lowered) in lower case")
            }
            throw ScalarProblem(message: "\(text) is not a value: a string needs quotes (\"\(text)\")")
        }
        if t.contains(where: { $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") }) {
            return .float(try float(t, text))
        }
        return .integer(try decimalInteger(t, text))
    }

    /// Digits with single underscores between them, from `k`: the index after them.
    private static func digitRun(
        _ t: UnsafeBufferPointer<UInt8>, from k: Int, _ text: String, isDigit: (UInt8) -> Bool = isDigit
    ) throws(ScalarProblem) -> Int {
        guard k < t.count, isDigit(t[k]) else {
            throw ScalarProblem(message: "\(text) is not a number: expected a digit at character \(k + 1)")
        }
        var j = k + 1
        while j < t.count {
            if isDigit(t[j]) {
                j += 1
            } else if t[j] == UInt8(ascii: "_") {
                guard j + 1 < t.count, isDigit(t[j + 1]) else {
                    throw ScalarProblem(message: "\(text) is not a number: an underscore must stand between two digits")
                }
                j += 2
            } else {
                break
            }
        }
        return j
    }

    private static func decimalInteger(_ t: UnsafeBufferPointer<UInt8>, _ text: String) throws(ScalarProblem) -> Int64 {
        let negative = t[0] == UInt8(ascii: "-")
        let k = t[0] == UInt8(ascii: "+") || negative ? 1 : 0
        let end = try digitRun(t, from: k, text)
        guard end == t.count else {
            throw ScalarProblem(
                message: "\(text) is not a number (found \(found(t, end)) in it); a string needs quotes")
        }
        if t[k] == UInt8(ascii: "0") && end > k + 1 {
            throw ScalarProblem(message: "\(text) has a leading zero, which TOML does not allow in a decimal integer")
        }
        // Accumulated negatively, so that -9223372036854775808 fits.
        var value: Int64 = 0
        for b in t[k..<end] where b != UInt8(ascii: "_") {
            let (times, overflowA) = value.multipliedReportingOverflow(by: 10)
            let (next, overflowB) = times.subtractingReportingOverflow(Int64(b - UInt8(ascii: "0")))
            guard !overflowA && !overflowB else { throw tooLarge(text) }
            value = next
        }
        if negative { return value }
        guard value != .min else { throw tooLarge(text) }
        return -value
    }

    private static func tooLarge(_ text: String) -> ScalarProblem {
        ScalarProblem(message: "\(text) does not fit in a 64-bit integer (-9223372036854775808 to 9223372036854775807)")
    }

    private static func found(_ t: UnsafeBufferPointer<UInt8>, _ k: Int) -> String {
        "'" + String(decoding: UnsafeBufferPointer(rebasing: t[k..<min(k + 1, t.count)]), as: UTF8.self) + "'"
    }

    /// `0x`, `0o` or `0b` and digits of that base; no sign.
    private static func radixInteger(_ t: UnsafeBufferPointer<UInt8>, _ text: String) throws(ScalarProblem) -> Int64 {
        let radix: Int64
        let isDigitOfRadix: (UInt8) -> Bool
        let name: String
        switch t[1] {
        case UInt8(ascii: "x"):
            (radix, name) = (16, "hexadecimal")
            isDigitOfRadix = { hexValue($0) != nil }
        case UInt8(ascii: "o"):
            (radix, name) = (8, "octal")
            isDigitOfRadix = { $0 >= 0x30 && $0 <= 0x37 }
        default:
            (radix, name) = (2, "binary")
            isDigitOfRadix = { $0 == 0x30 || $0 == 0x31 }
        }
        guard t.count > 2, isDigitOfRadix(t[2]) else {
            throw ScalarProblem(
                message: "\(text) is not a number: \(name) digits must follow the 0\(Character(Unicode.Scalar(t[1])))")
        }
        let end = try digitRun(t, from: 2, text, isDigit: isDigitOfRadix)
        guard end == t.count else {
            throw ScalarProblem(message: "\(text) is not a \(name) number (found \(found(t, end)) in it)")
        }
        var value: Int64 = 0
        for b in t[2..<end] where b != UInt8(ascii: "_") {
            let (times, overflowA) = value.multipliedReportingOverflow(by: radix)
            let (next, overflowB) = times.addingReportingOverflow(Int64(hexValue(b) ?? 0))
            guard !overflowA && !overflowB else { throw tooLarge(text) }
            value = next
        }
        return value
    }

    /// `[+-] int [. digits] [e [+-] digits]`, with at least a fraction or an exponent.
    private static func float(_ t: UnsafeBufferPointer<UInt8>, _ text: String) throws(ScalarProblem) -> Double {
        var k = t[0] == UInt8(ascii: "+") || t[0] == UInt8(ascii: "-") ? 1 : 0
        let intStart = k
        guard k < t.count, isDigit(t[k]) else {
            throw ScalarProblem(
                message: "\(text) is not a number: a float needs a digit before the point (0.5, not .5)")
        }
        k = try digitRun(t, from: k, text)
        if t[intStart] == UInt8(ascii: "0") && k > intStart + 1 {
            throw ScalarProblem(message: "\(text) has a leading zero, which TOML does not allow")
        }
        if k < t.count && t[k] == UInt8(ascii: ".") {
            guard k + 1 < t.count, isDigit(t[k + 1]) else {
                throw ScalarProblem(
                    message: "\(text) is not a number: a float needs a digit after the point (1.0, not 1.)")
            }
            k = try digitRun(t, from: k + 1, text)
        }
        if k < t.count && (t[k] == UInt8(ascii: "e") || t[k] == UInt8(ascii: "E")) {
            k += 1
            if k < t.count && (t[k] == UInt8(ascii: "+") || t[k] == UInt8(ascii: "-")) { k += 1 }
            guard k < t.count, isDigit(t[k]) else {
                throw ScalarProblem(message: "\(text) is not a number: the exponent needs digits")
            }
            k = try digitRun(t, from: k, text)
        }
        guard k == t.count else {
            throw ScalarProblem(message: "\(text) is not a number (found \(found(t, k)) in it)")
        }
        var plain = ""
        plain.reserveCapacity(t.count)
        for b in t where b != UInt8(ascii: "_") { plain.unicodeScalars.append(Unicode.Scalar(b)) }
        guard let value = Double(plain) else { throw ScalarProblem(message: "\(text) is not a number") }
        // A literal beyond the range of a 64-bit float is refused rather than read as inf (as toml++ does).
        guard value.isFinite else {
            throw ScalarProblem(message: "\(text) is too large for a 64-bit float (at most about 1.8e308)")
        }
        return value
    }

    // MARK: Dates and times

    private static func number(_ t: UnsafeBufferPointer<UInt8>, _ k: Int, _ width: Int) -> Int? {
        guard k + width <= t.count else { return nil }
        var value = 0
        for j in k..<(k + width) {
            guard isDigit(t[j]) else { return nil }
            value = value * 10 + Int(t[j] - 0x30)
        }
        return value
    }

    private static func byte(_ t: UnsafeBufferPointer<UInt8>, _ k: Int, is expected: Character) -> Bool {
        k < t.count && t[k] == expected.asciiValue
    }

    private static func dateTime(_ t: UnsafeBufferPointer<UInt8>, _ text: String) throws(ScalarProblem) -> TOMLDateTime
    {
        let example = "; write dates and times like 2026-12-01, 2026-12-01T09:30:00Z or 09:30:00"
        func bad(_ detail: String = "") -> ScalarProblem {
            ScalarProblem(message: "\(text) is not a valid date or time\(detail)\(example)")
        }
        if byte(t, 2, is: ":") {
            let (time, end) = try partialTime(t, from: 0, text, example)
            guard end == t.count else { throw bad() }
            return TOMLDateTime(date: nil, time: time)
        }
        guard let year = number(t, 0, 4), byte(t, 4, is: "-"), let month = number(t, 5, 2), byte(t, 7, is: "-"),
            let day = number(t, 8, 2)
        else { throw bad() }
        guard (1...12).contains(month) else { throw bad(" (there is no month \(month))") }
        let days = TOMLDate.daysInMonth(month, year: year)
        guard (1...days).contains(day) else { throw bad(" (that month has \(days) days)") }
        let date = TOMLDate(year: year, month: month, day: day)
        if t.count == 10 { return TOMLDateTime(date: date, time: nil) }
        guard byte(t, 10, is: "T") || byte(t, 10, is: "t") || byte(t, 10, is: " ") else { throw bad() }
        guard t.count > 11 else { throw bad(" (a time must follow the T)") }
        let (time, end) = try partialTime(t, from: 11, text, example)
        if end == t.count { return TOMLDateTime(date: date, time: time) }
        if (byte(t, end, is: "Z") || byte(t, end, is: "z")) && end + 1 == t.count {
            return TOMLDateTime(date: date, time: time, offsetMinutes: 0)
        }
        guard byte(t, end, is: "+") || byte(t, end, is: "-"), end + 6 == t.count, let hours = number(t, end + 1, 2),
            byte(t, end + 3, is: ":"), let minutes = number(t, end + 4, 2)
        else { throw bad(" (an offset is Z or like +02:00)") }
        guard hours < 24 && minutes < 60 else { throw bad(" (an offset is at most 23:59)") }
        let offset = (hours * 60 + minutes) * (byte(t, end, is: "-") ? -1 : 1)
        return TOMLDateTime(date: date, time: time, offsetMinutes: offset)
    }

    /// `HH:MM:SS[.fraction]` from `k`.
    private static func partialTime(
        _ t: UnsafeBufferPointer<UInt8>, from k: Int, _ text: String, _ example: String
    ) throws(ScalarProblem) -> (TOMLTime, Int) {
        guard let hour = number(t, k, 2), byte(t, k + 2, is: ":"), let minute = number(t, k + 3, 2),
            byte(t, k + 5, is: ":"), let second = number(t, k + 6, 2)
        else {
            throw ScalarProblem(
                message: "\(text) is not a valid time (hours, minutes and seconds are needed)\(example)")
        }
        // No leap second (60): RFC 3339 allows one only at the end of certain days, most TOML parsers
        // (toml++ among them) refuse it, and no redirect needs one.
        guard hour < 24, minute < 60, second < 60 else {
            throw ScalarProblem(message: "\(text) is not a valid time (hours 00-23, minutes 00-59, seconds 00-59)")
        }
        var j = k + 8
        var nanosecond = 0
        if j < t.count && t[j] == UInt8(ascii: ".") {
            j += 1
            guard j < t.count, isDigit(t[j]) else {
                throw ScalarProblem(message: "\(text) is not a valid time: digits must follow the point")
            }
            var scale = 100_000_000
            while j < t.count && isDigit(t[j]) {
                nanosecond += Int(t[j] - 0x30) * scale
                scale /= 10
                j += 1
            }
        }
        return (TOMLTime(hour: hour, minute: minute, second: second, nanosecond: nanosecond), j)
    }
}
