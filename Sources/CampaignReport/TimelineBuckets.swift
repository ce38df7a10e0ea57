import Timestamps

/// The time buckets of the page's timelines: hours when the clicks span up to four days, else days (UTC).
public struct TimelineBuckets: Sendable, Equatable {
    public enum Size: Sendable, Equatable {
        case hour
        case day

        public var seconds: Int64 { self == .hour ? 3600 : 86_400 }
    }

    public var size: Size
    /// The first and last bucket start, in seconds since the epoch; nil when there are no clicks.
    public var range: ClosedRange<Int64>?

    /// At most this many hourly buckets; a longer span is shown by day.
    public static let maximumHours: Int64 = 96

    /// The buckets for clicks in the hours given (hour starts in seconds).
    public init(hours: some Collection<Int64>) {
        guard let first = hours.min(), let last = hours.max() else {
            size = .hour
            range = nil
            return
        }
        let size: Size = (last - first) / 3600 + 1 <= Self.maximumHours ? .hour : .day
        self.size = size
        range = Self.start(of: first, size)...Self.start(of: last, size)
    }

    /// The start of the bucket `seconds` falls in.
    public func bucket(of seconds: Int64) -> Int64 {
        Self.start(of: seconds, size)
    }

    static func start(of seconds: Int64, _ size: Size) -> Int64 {
        let length = size.seconds
        return seconds - ((seconds % length) + length) % length
    }

    /// Every bucket start from the first to the last, empty ones included.
    public var starts: [Int64] {
        guard let range else { return [] }
        return Array(stride(from: range.lowerBound, through: range.upperBound, by: Int(size.seconds)))
    }

    /// Hourly counts summed into this size's buckets.
    public func counts(_ hours: [Int64: ScopeTally.Counts]) -> [Int64: ScopeTally.Counts] {
        guard size == .day else { return hours }
        var out: [Int64: ScopeTally.Counts] = [:]
        for (hour, counts) in hours {
            out[bucket(of: hour), default: ScopeTally.Counts()].add(counts)
        }
        return out
    }

    /// The key of a bucket: RFC 3339 UTC without fraction, `2026-11-29T02:00:00Z`.
    public static func key(_ seconds: Int64) -> String {
        String(Timestamp(millisecondsSinceEpoch: seconds * 1000).iso8601.prefix(19)) + "Z"
    }

    /// What a person reads: `2026-11-29` for a day, `11-29 02:00` for an hour.
    public func label(_ seconds: Int64) -> String {
        let text = Timestamp(millisecondsSinceEpoch: seconds * 1000).iso8601
        return size == .day ? String(text.prefix(10)) : String(text.dropFirst(5).prefix(11)).replacingT
    }
}

extension String {
    fileprivate var replacingT: String { String(map { $0 == "T" ? " " : $0 }) }
}
