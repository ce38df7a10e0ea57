/// A TOML value.
public enum TOMLValue: Sendable, Equatable {
    case string(String)
    case integer(Int64)
    case float(Double)
    case boolean(Bool)
    /// Indirect: a date-time is several times the size of any other value, and every value would pay for it.
    indirect case dateTime(TOMLDateTime)
    case array(TOMLArray)
    case table(TOMLTable)

    public var string: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    public var integer: Int64? {
        if case .integer(let value) = self { return value }
        return nil
    }

    public var float: Double? {
        if case .float(let value) = self { return value }
        return nil
    }

    public var boolean: Bool? {
        if case .boolean(let value) = self { return value }
        return nil
    }

    public var dateTime: TOMLDateTime? {
        if case .dateTime(let value) = self { return value }
        return nil
    }

    public var array: TOMLArray? {
        if case .array(let value) = self { return value }
        return nil
    }

    public var table: TOMLTable? {
        if case .table(let value) = self { return value }
        return nil
    }

    /// What kind of value this is, with its article, for messages: "a string", "an integer", "a local date".
    public var kindDescription: String {
        switch self {
        case .string: return "a string"
        case .integer: return "an integer"
        case .float: return "a float"
        case .boolean: return "a boolean"
        case .dateTime(let value):
            switch value.kind {
            case .offsetDateTime: return "a date-time"
            case .localDateTime: return "a local date-time"
            case .localDate: return "a date"
            case .localTime: return "a time"
            }
        case .array: return "an array"
        case .table: return "a table"
        }
    }
}
