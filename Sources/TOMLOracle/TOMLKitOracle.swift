import TOML
import TOMLKit

/// A second opinion on TOML: toml++ (through TOMLKit) reads the same text, and both results are written in
/// one canonical tagged JSON (toml-test's form, keys sorted, floats and date-times written one way), so that
/// any difference between the two parsers shows as different text.
///
/// For the differential fuzz target and tests only: nothing the responder links depends on this target.
/// toml++ may abort the process on invalid documents, so give it only documents our parser accepts; an
/// abort then means we accepted a document toml++ considers invalid, which is a finding in itself.
public enum TOMLKitOracle {
    /// toml++'s reading of `text` in canonical tagged JSON, or its error message.
    public static func canonicalJSON(parsing text: String) -> Result<String, TOMLKitDisagreement> {
        do {
            let table = try TOMLKit.TOMLTable(string: text)
            var out = ""
            write(table.tomlValue, to: &out)
            return .success(out)
        } catch {
            return .failure(TOMLKitDisagreement(message: "\(error)"))
        }
    }

    /// Our parser's reading in the same canonical form.
    public static func canonicalJSON(of table: TOML.TOMLTable) -> String {
        var out = ""
        write(TOML.TOMLValue.table(table), to: &out)
        return out
    }

    private static func tagged(_ type: String, _ value: String, to out: inout String) {
        out += #"{"type":""# + type + #"","value":"# + text(value) + "}"
    }

    /// A string or key, quoted. TOMLKit hands toml++'s strings over as C strings, which end at a NUL
    /// (`"\u0000"` is valid TOML): both sides are compared up to the first NUL.
    private static func text(_ s: String) -> String {
        String(s.unicodeScalars.prefix { $0 != "\0" }).debugDescription
    }

    private static func float(_ d: Double) -> String {
        if d.isNaN { return "nan" }
        if d.isInfinite { return d < 0 ? "-inf" : "inf" }
        return String(d)
    }

    private static func write(_ value: TOML.TOMLValue, to out: inout String) {
        switch value {
        case .string(let s): tagged("string", s, to: &out)
        case .integer(let i): tagged("integer", String(i), to: &out)
        case .float(let d): tagged("float", float(d), to: &out)
        case .boolean(let b): tagged("bool", String(b), to: &out)
        case .dateTime(let d):
            let type: String
            switch d.kind {
            case .offsetDateTime: type = "datetime"
            case .localDateTime: type = "datetime-local"
            case .localDate: type = "date-local"
            case .localTime: type = "time-local"
            }
            tagged(type, d.description, to: &out)
        case .array(let array):
            out += "["
            for (k, element) in array.elements.enumerated() {
                if k > 0 { out += "," }
                write(element.value, to: &out)
            }
            out += "]"
        case .table(let table):
            out += "{"
            // Keys holding a NUL are left out on both sides: TOMLKit cannot look them up (see text(_:)).
            let entries = table.entries.filter { !$0.key.unicodeScalars.contains("\0") }
            for (k, entry) in entries.sorted(by: { $0.key < $1.key }).enumerated() {
                if k > 0 { out += "," }
                out += text(entry.key) + ":"
                write(entry.value, to: &out)
            }
            out += "}"
        }
    }

    private static func write(_ value: TOMLKit.TOMLValue, to out: inout String) {
        switch value.type {
        case .string: tagged("string", value.string ?? "", to: &out)
        case .int: tagged("integer", String(value.int ?? 0), to: &out)
        case .double: tagged("float", float(value.double ?? 0), to: &out)
        case .bool: tagged("bool", String(value.bool ?? false), to: &out)
        case .date:
            let date = value.date.map { TOML.TOMLDate(year: $0.year, month: $0.month, day: $0.day) }
            tagged("date-local", TOML.TOMLDateTime(date: date, time: nil).description, to: &out)
        case .time:
            tagged("time-local", TOML.TOMLDateTime(date: nil, time: value.time.map(time)).description, to: &out)
        case .dateTime:
            guard let dt = value.dateTime else { return }
            let ours = TOML.TOMLDateTime(
                date: TOML.TOMLDate(year: dt.date.year, month: dt.date.month, day: dt.date.day),
                time: time(dt.time), offsetMinutes: dt.offset.map { Int($0.offset) })
            tagged(dt.offset == nil ? "datetime-local" : "datetime", ours.description, to: &out)
        case .array:
            out += "["
            for (k, element) in (value.array ?? []).enumerated() {
                if k > 0 { out += "," }
                write(element.tomlValue, to: &out)
            }
            out += "]"
        case .table:
            out += "{"
            guard let table = value.table else { return }
            for (k, (key, element)) in table.keys.sorted().compactMap({ key in table[key].map { (key, $0) } })
                .enumerated()
            {
                if k > 0 { out += "," }
                out += text(key) + ":"
                write(element.tomlValue, to: &out)
            }
            out += "}"
        }
    }

    private static func time(_ t: TOMLKit.TOMLTime) -> TOML.TOMLTime {
        TOML.TOMLTime(hour: t.hour, minute: t.minute, second: t.second, nanosecond: t.nanoSecond)
    }
}

/// toml++ refused a document.
public struct TOMLKitDisagreement: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
