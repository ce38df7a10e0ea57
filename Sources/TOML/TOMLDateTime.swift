/// One of TOML's four date and time values: an offset date-time, a local date-time, a local date or a
/// local time, told apart by which parts are present.
public struct TOMLDateTime: Sendable, Hashable, CustomStringConvertible {
    /// Which of the four forms a value has.
    public enum Kind: Sendable, Hashable {
        /// `1979-05-27T07:32:00Z`, `1979-05-27T00:32:00-07:00`: an instant.
        case offsetDateTime
        /// `1979-05-27T07:32:00`: a date and time with no offset.
        case localDateTime
        /// `1979-05-27`.
        case localDate
        /// `07:32:00`.
        case localTime
    }

    public var date: TOMLDate?
    public var time: TOMLTime?
    /// Minutes east of UTC (`Z` is 0); nil for the local forms.
    public var offsetMinutes: Int?

    public init(date: TOMLDate?, time: TOMLTime?, offsetMinutes: Int? = nil) {
        self.date = date
        self.time = time
        self.offsetMinutes = offsetMinutes
    }

    public var kind: Kind {
        if date == nil { return .localTime }
        if time == nil { return .localDate }
        return offsetMinutes == nil ? .localDateTime : .offsetDateTime
    }

    /// RFC 3339 text: `T` between date and time, `Z` for a zero offset, the fraction without trailing zeros.
    public var description: String {
        var out = ""
        if let date {
            out += Self.digits(date.year, 4) + "-" + Self.digits(date.month, 2) + "-" + Self.digits(date.day, 2)
            if time != nil { out += "T" }
        }
        if let time {
            out += Self.digits(time.hour, 2) + ":" + Self.digits(time.minute, 2) + ":" + Self.digits(time.second, 2)
            if time.nanosecond > 0 {
                var fraction = Self.digits(time.nanosecond, 9)
                while fraction.last == "0" { fraction.removeLast() }
                out += "." + fraction
            }
        }
        if let offsetMinutes {
            if offsetMinutes == 0 {
                out += "Z"
            } else {
                let magnitude = abs(offsetMinutes)
                out +=
                    (offsetMinutes < 0 ? "-" : "+") + Self.digits(magnitude / 60, 2) + ":"
                    + Self.digits(magnitude % 60, 2)
            }
        }
        return out
    }

    private static func digits(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
    }
}
