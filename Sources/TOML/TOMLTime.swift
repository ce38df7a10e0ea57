/// A time of day as written in TOML (`07:32:00.999999`); fractions finer than a nanosecond are cut off.
public struct TOMLTime: Sendable, Hashable {
    public var hour: Int
    public var minute: Int
    /// 0 to 59 (no leap second).
    public var second: Int
    public var nanosecond: Int

    public init(hour: Int, minute: Int, second: Int, nanosecond: Int = 0) {
        self.hour = hour
        self.minute = minute
        self.second = second
        self.nanosecond = nanosecond
    }
}
