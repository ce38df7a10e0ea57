extension StringProtocol {
    /// The text with its control characters written as escapes: for printing text that comes from outside the
    /// program (a file name in the spool, a sink's answer) on a terminal, in a log or in cron's mail.
    ///
    /// One form everywhere, Swift's: `\n`, `\r` and `\t` as such, every other C0 or C1 control, DEL, the line and
    /// paragraph separators and the bidirectional controls as `\u{1B}` (hexadecimal, upper case). So a file name
    /// cannot forge a line of output, and an ESC sequence never reaches the terminal. Backslashes are left as they
    /// are, which makes escaping idempotent: text can be escaped where it is met and again where it is printed.
    public var escapingControlCharacters: String {
        guard unicodeScalars.contains(where: Self.needsEscape) else { return String(self) }
        var out = ""
        for scalar in unicodeScalars {
            switch scalar {
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where Self.needsEscape(scalar):
                out += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    private static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F: return true  // C0, DEL, C1 (0x9B is a one-byte CSI)
        case 0x2028, 0x2029: return true  // line and paragraph separators
        case 0x061C, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069: return true  // bidirectional controls
        default: return false
        }
    }
}
