/// toml-test's tagged JSON: tables are objects, arrays are arrays, and every other value is
/// `{"type": "...", "value": "..."}` with the value as text. The conformance suite and the differential fuzz
/// target compare documents in this form.
extension TOMLTable {
    public var taggedJSON: String {
        var out: [UInt8] = []
        TOMLValue.table(self).writeTaggedJSON(to: &out)
        return String(decoding: out, as: UTF8.self)
    }
}

extension TOMLValue {
    public var taggedJSON: String {
        var out: [UInt8] = []
        writeTaggedJSON(to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    func writeTaggedJSON(to out: inout [UInt8]) {
        func tagged(_ type: String, _ value: String) {
            out.append(contentsOf: #"{"type":""#.utf8)
            out.append(contentsOf: type.utf8)
            out.append(contentsOf: #"","value":"#.utf8)
            Self.writeJSONString(value, to: &out)
            out.append(UInt8(ascii: "}"))
        }
        switch self {
        case .string(let s): tagged("string", s)
        case .integer(let n): tagged("integer", String(n))
        case .float(let d):
            if d.isNaN {
                tagged("float", "nan")
            } else if d.isInfinite {
                tagged("float", d < 0 ? "-inf" : "inf")
            } else {
                tagged("float", String(d))
            }
        case .boolean(let b): tagged("bool", b ? "true" : "false")
        case .dateTime(let dt):
            switch dt.kind {
            case .offsetDateTime: tagged("datetime", dt.description)
            case .localDateTime: tagged("datetime-local", dt.description)
            case .localDate: tagged("date-local", dt.description)
            case .localTime: tagged("time-local", dt.description)
            }
        case .array(let array):
            out.append(UInt8(ascii: "["))
            for (k, element) in array.elements.enumerated() {
                if k > 0 { out.append(UInt8(ascii: ",")) }
                element.value.writeTaggedJSON(to: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .table(let table):
            out.append(UInt8(ascii: "{"))
            for (k, entry) in table.entries.enumerated() {
                if k > 0 { out.append(UInt8(ascii: ",")) }
                Self.writeJSONString(entry.key, to: &out)
                out.append(UInt8(ascii: ":"))
                entry.value.writeTaggedJSON(to: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    static func writeJSONString(_ s: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "\""): out.append(contentsOf: #"\""#.utf8)
            case UInt8(ascii: "\\"): out.append(contentsOf: #"\\"#.utf8)
            case 0x0A: out.append(contentsOf: #"\n"#.utf8)
            case 0x0D: out.append(contentsOf: #"\r"#.utf8)
            case 0x09: out.append(contentsOf: #"\t"#.utf8)
            case 0x00..<0x20, 0x7F:
                let hex = String(b, radix: 16)
                out.append(contentsOf: ("\\u" + String(repeating: "0", count: 4 - hex.count) + hex).utf8)
            default: out.append(b)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}
