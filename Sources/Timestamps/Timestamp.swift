/// A point in time as milliseconds since the Unix epoch, UTC.
///
/// The core takes the time as a value so that responses and events are plain functions of their inputs.
public struct Timestamp: Comparable, Hashable, Sendable {
    public var millisecondsSinceEpoch: Int64

    public init(millisecondsSinceEpoch: Int64) {
        self.millisecondsSinceEpoch = millisecondsSinceEpoch
    }

    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool {
        lhs.millisecondsSinceEpoch < rhs.millisecondsSinceEpoch
    }

    /// The calendar date and time of day this timestamp falls on, in UTC.
    public var civil: (year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int, millisecond: Int) {
        let ms = millisecondsSinceEpoch
        var days = ms / 86_400_000
        var rem = ms % 86_400_000
        if rem < 0 {
            rem += 86_400_000
            days -= 1
        }
        let (y, m, d) = Timestamp.civilFromDays(days)
        let seconds = Int(rem / 1000)
        return (y, m, d, seconds / 3600, (seconds / 60) % 60, seconds % 60, Int(rem % 1000))
    }

    /// RFC 3339 with milliseconds and `Z`: `2026-11-29T02:08:14.431Z`.
    public var iso8601: String {
        var out = [UInt8](repeating: 0, count: 24)
        out.withUnsafeMutableBufferPointer { buffer in
            if let base = buffer.baseAddress { _ = writeISO8601(into: base) }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Writes the 24 bytes of ``iso8601`` at `text` without building a string; returns 24.
    package func writeISO8601(into text: UnsafeMutablePointer<UInt8>) -> Int {
        let c = civil
        // YYYY-MM-DDTHH:MM:SS.mmmZ: each field its last `width` digits zero-padded, then its separator.
        func field(_ value: Int, at offset: Int, width: Int, then separator: Unicode.Scalar) {
            var v = value
            var k = width - 1
            while k >= 0 {
                text[offset + k] = UInt8(ascii: "0") + UInt8(v % 10)
                v /= 10
                k -= 1
            }
            text[offset + width] = UInt8(ascii: separator)
        }
        field(c.year, at: 0, width: 4, then: "-")
        field(c.month, at: 5, width: 2, then: "-")
        field(c.day, at: 8, width: 2, then: "T")
        field(c.hour, at: 11, width: 2, then: ":")
        field(c.minute, at: 14, width: 2, then: ":")
        field(c.second, at: 17, width: 2, then: ".")
        field(c.millisecond, at: 20, width: 3, then: "Z")
        return 24
    }

    /// The timestamp of a UTC calendar date and time.
    public init(
        year: Int, month: Int, day: Int, hour: Int = 0, minute: Int = 0, second: Int = 0,
        millisecond: Int = 0
    ) {
        let days = Timestamp.daysFromCivil(year: year, month: month, day: day)
        let seconds = Int64(days) * 86_400 + Int64(hour * 3600 + minute * 60 + second)
        self.millisecondsSinceEpoch = seconds * 1000 + Int64(millisecond)
    }

    // Howard Hinnant's days-from-civil algorithms, valid for the whole proleptic Gregorian calendar.
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civilFromDays(_ days64: Int64) -> (Int, Int, Int) {
        let z = Int(days64) + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }
}
