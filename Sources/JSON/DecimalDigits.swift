/// Integers as decimal digits, written straight into bytes: the event line and every response carry a few
/// numbers, and `String(value)` would make a string of each first.
package enum DecimalDigits {
    /// The most bytes a value takes: a minus sign and 19 digits.
    package static let maxLength = 20

    /// Writes `value` at `out`, which has room for ``maxLength`` bytes; returns the bytes written.
    ///
    /// Inlinable: the core's event line and response call it for each of their numbers.
    @inlinable package static func write(_ value: Int, into out: UnsafeMutablePointer<UInt8>) -> Int {
        var n = 0
        if value < 0 {
            out[0] = UInt8(ascii: "-")
            n = 1
        }
        var magnitude = value.magnitude
        var digits = 1
        var rest = magnitude / 10
        while rest > 0 {
            digits += 1
            rest /= 10
        }
        var k = n + digits - 1
        repeat {
            out[k] = UInt8(ascii: "0") + UInt8(magnitude % 10)
            magnitude /= 10
            k -= 1
        } while magnitude > 0
        return n + digits
    }

    /// Appends `value` to `out`.
    package static func append(_ value: Int, to out: inout [UInt8]) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: maxLength) { buffer in
            guard let base = buffer.baseAddress else { return }
            out.append(contentsOf: UnsafeBufferPointer(start: base, count: write(value, into: base)))
        }
    }
}
