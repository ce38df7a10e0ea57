import Foundation

/// Compares toml-test's tagged JSON the way its README asks: floats as numbers, offset date-times as
/// instants, local dates and times as text after the choices RFC 3339 leaves open (`t`/`T`/space, `z`/`Z`,
/// trailing zeros of a fraction).
enum TaggedJSON {
    static func parse(_ data: Data) throws -> Any {
        try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
    }

    /// Nil when `actual` matches `expected`; else the JSON path of the first difference and what differs.
    static func difference(expected: Any, actual: Any, path: String = "$") -> String? {
        if let e = expected as? [String: Any], let type = e["type"] as? String, let value = e["value"] as? String,
            e.count == 2
        {
            guard let a = actual as? [String: Any], let actualType = a["type"] as? String,
                let actualValue = a["value"] as? String
            else { return "\(path): expected \(type) \(value), found \(actual)" }
            guard type == actualType else { return "\(path): expected a \(type), found a \(actualType)" }
            return same(type: type, value, actualValue) ? nil : "\(path): expected \(value), found \(actualValue)"
        }
        if let e = expected as? [String: Any] {
            guard let a = actual as? [String: Any] else { return "\(path): expected a table, found \(actual)" }
            guard Set(e.keys) == Set(a.keys) else {
                return "\(path): expected keys \(e.keys.sorted()), found \(a.keys.sorted())"
            }
            for key in e.keys.sorted() {
                if let d = difference(expected: e[key] as Any, actual: a[key] as Any, path: path + "." + key) {
                    return d
                }
            }
            return nil
        }
        if let e = expected as? [Any] {
            guard let a = actual as? [Any], a.count == e.count else { return "\(path): expected \(e.count) elements" }
            for (k, pair) in zip(e, a).enumerated() {
                if let d = difference(expected: pair.0, actual: pair.1, path: "\(path)[\(k)]") { return d }
            }
            return nil
        }
        return "\(path): unexpected JSON \(expected)"
    }

    static func same(type: String, _ a: String, _ b: String) -> Bool {
        switch type {
        case "float":
            guard let x = Double(a), let y = Double(b) else { return false }
            return x == y || (x.isNaN && y.isNaN)
        case "integer": return Int64(a) != nil && Int64(a) == Int64(b)
        case "datetime": return instant(a) != nil && instant(a) == instant(b)
        case "datetime-local", "date-local", "time-local": return normalized(a) == normalized(b)
        default: return a == b
        }
    }

    /// Upper case, `T` between date and time, no trailing zeros in the fraction.
    static func normalized(_ text: String) -> String {
        var s = text.uppercased().replacingOccurrences(of: " ", with: "T")
        if let dot = s.firstIndex(of: ".") {
            var end = s.index(after: dot)
            while end < s.endIndex, s[end].isNumber { end = s.index(after: end) }
            var fraction = String(s[s.index(after: dot)..<end])
            while fraction.hasSuffix("0") { fraction.removeLast() }
            s = String(s[..<dot]) + (fraction.isEmpty ? "" : "." + fraction) + String(s[end...])
        }
        return s
    }

    /// Seconds since 1970 (as a decimal string with the fraction) of an offset date-time.
    static func instant(_ text: String) -> String? {
        let s = normalized(text)
        let pattern = #/^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|([+-])(\d{2}):(\d{2}))$/#
        guard let m = s.wholeMatch(of: pattern),
            let year = Int(m.1), let month = Int(m.2), let day = Int(m.3),
            let hour = Int(m.4), let minute = Int(m.5), let second = Int(m.6)
        else { return nil }
        var offset = 0
        if let sign = m.9, let oh = m.10.flatMap({ Int($0) }), let om = m.11.flatMap({ Int($0) }) {
            offset = (oh * 60 + om) * 60 * (sign == "-" ? -1 : 1)
        }
        // Days from 1970-01-01 in the proleptic Gregorian calendar.
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        let days = era * 146_097 + doe - 719_468
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offset
        return String(seconds) + (m.7.map(String.init) ?? "")
    }
}
