/// Escaping for text put into the report page: everything that comes from events, files or flags passes here.
public enum HTMLText {
    /// `text` safe as element content and as a double- or single-quoted attribute value.
    public static func escape(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 == 0x26 || $0 == 0x3C || $0 == 0x3E || $0 == 0x22 || $0 == 0x27 })
        else { return text }
        var out = ""
        out.reserveCapacity(text.utf8.count + 16)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// `name=value` for an element's start tag: unquoted when the value needs no quotes (a number, a plain key),
    /// which keeps the many table cells of a long report short; else double-quoted and escaped.
    public static func attribute(_ name: String, _ value: String) -> String {
        let plain =
            !value.isEmpty
            && value.utf8.allSatisfy { b in
                (b >= 0x30 && b <= 0x39) || ((b | 0x20) >= 0x61 && (b | 0x20) <= 0x7A) || b == 0x2D || b == 0x2E
                    || b == 0x3A || b == 0x5F
            }
        return plain ? name + "=" + value : name + "=\"" + escape(value) + "\""
    }

    /// `12345` as `12,345`.
    public static func grouped(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var out = value < 0 ? "-" : ""
        for (index, digit) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { out += "," }
            out.append(digit)
        }
        return out
    }

    /// `part` of `whole` as a percentage with one decimal (`12.3%`); `–` when `whole` is 0.
    public static func percent(_ part: Int, of whole: Int) -> String {
        guard whole > 0 else { return "–" }
        let tenths = (part * 1000 + whole / 2) / whole
        return "\(tenths / 10).\(tenths % 10)%"
    }
}
