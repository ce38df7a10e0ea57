/// Up to ``capacity`` optional text fields, kept one after another in one string.
///
/// A click's request fields (method, path, user agent, …) are made on every click and travel into its
/// event. Kept so, they cost one check of their bytes, at most one allocation, and one reference count when
/// the request or the event is copied; a string per field would cost each of those per field.
///
/// The string is always valid UTF-8, field by field: a field whose bytes were not valid UTF-8 is stored
/// repaired (each invalid sequence becomes U+FFFD), as `String(decoding:as:)` repairs it.
public struct PackedText: Sendable {
    /// How many fields a value can hold; a field is named by its index, `0..<capacity`.
    public static let capacity = 9

    /// The present fields' UTF-8, in field order.
    private var text: String
    /// Where each field ends in `text`'s UTF-8; a field starts where the one before it ends (`0` for the
    /// first). An absent field ends where the one before it ends.
    private var ends: InlineArray<9, Int32>
    /// Bit `k` is set when field `k` is present.
    private var present: UInt16

    /// Field `k` is `values[k]`, and absent for nil or past the end of `values`.
    public init(_ values: [String?]) {
        precondition(values.count <= Self.capacity, "PackedText holds at most \(Self.capacity) fields")
        var text = ""
        text.reserveCapacity(values.reduce(0) { $0 + ($1?.utf8.count ?? 0) })
        var ends = InlineArray<9, Int32>(repeating: 0)
        var present: UInt16 = 0
        var end = 0
        for k in 0..<Self.capacity {
            if k < values.count, let value = values[k] {
                text += value
                end += value.utf8.count
                present |= 1 << k
            }
            ends[k] = Int32(end)
        }
        self.text = text
        self.ends = ends
        self.present = present
    }

    /// Field `k` is the `counts[k]` bytes at `starts[k]` when bit `k` of `present` is set (absent otherwise),
    /// decoded as UTF-8: one check of all the bytes and one copy into the string when they are ASCII, which a
    /// request's fields nearly always are.
    public init(starts: InlineArray<9, UnsafePointer<UInt8>?>, counts: InlineArray<9, Int>, present: UInt16) {
        var total = 0
        var high: UInt64 = 0
        var ends = InlineArray<9, Int32>(repeating: 0)
        for k in 0..<Self.capacity where present & (1 << k) != 0 {
            if let start = starts[k] { high |= Self.highBits(start, counts[k]) }
            total += counts[k]
        }
        guard high & 0x8080_8080_8080_8080 == 0, total <= Int(Int32.max) else {
            // Repaired field by field, so that no replacement straddles two fields.
            var strings: [String?] = []
            for k in 0..<Self.capacity {
                strings.append(
                    present & (1 << k) == 0
                        ? nil : String(decoding: UnsafeBufferPointer(start: starts[k], count: counts[k]), as: UTF8.self))
            }
            self.init(strings)
            return
        }
        var end = 0
        for k in 0..<Self.capacity {
            if present & (1 << k) != 0 { end += counts[k] }
            ends[k] = Int32(truncatingIfNeeded: end)
        }
        if total == 0 {
            self.init(text: "", ends: ends, present: present)
            return
        }
        let text = String(unsafeUninitializedCapacity: total) { out in
            guard let base = out.baseAddress else { return 0 }
            var at = 0
            for k in 0..<Self.capacity where present & (1 << k) != 0 {
                if let start = starts[k] { (base + at).update(from: start, count: counts[k]) }
                at += counts[k]
            }
            return at
        }
        self.init(text: text, ends: ends, present: present)
    }

    private init(text: String, ends: InlineArray<9, Int32>, present: UInt16) {
        self.text = text
        self.ends = ends
        self.present = present
    }

    /// Bytes of the packed UTF-8, absent fields' included: no field is longer.
    var byteCount: Int { text.utf8.count }

    /// Whether field `k` is present.
    public func contains(_ k: Int) -> Bool { present & (1 << k) != 0 }

    /// The byte range of field `k` in the packed UTF-8, or nil when the field is absent.
    @inline(__always)
    func range(_ k: Int) -> Range<Int>? {
        guard contains(k) else { return nil }
        return (k == 0 ? 0 : Int(ends[k - 1]))..<Int(ends[k])
    }

    /// Field `k` as a string, or nil when absent. Setting it rebuilds the packed text (not for the hot path).
    public subscript(_ k: Int) -> String? {
        get {
            guard let range = range(k) else { return nil }
            if range.isEmpty { return "" }
            return withUTF8 { String(decoding: UnsafeBufferPointer(rebasing: $0[range]), as: UTF8.self) }
        }
        set {
            var values = (0..<Self.capacity).map { self[$0] }
            values[k] = newValue
            self = PackedText(values)
        }
    }

    /// Makes field `k` absent; the other fields keep their bytes where they are.
    public mutating func remove(_ k: Int) {
        present &= ~(1 << k)
    }

    /// Runs `body` on the packed UTF-8; ``range(_:)`` says where each field is in it.
    @inline(__always)
    func withUTF8<R>(_ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        JSONWriter.withUTF8(of: text, body)
    }

    /// Runs `body` on the bytes of field `k`, or on nil when it is absent.
    @inline(__always)
    func withBytes<R>(of k: Int, _ body: (UnsafeBufferPointer<UInt8>?) -> R) -> R {
        guard let range = range(k) else { return body(nil) }
        return withUTF8 { body(UnsafeBufferPointer(rebasing: $0[range])) }
    }

    /// The high bits of `count` bytes at `base`, ORed together eight bytes at a time: zero when all are ASCII.
    @inline(__always)
    static func highBits(_ base: UnsafePointer<UInt8>, _ count: Int) -> UInt64 {
        let raw = UnsafeRawPointer(base)
        var high: UInt64 = 0
        var i = 0
        while i &+ 8 <= count {
            high |= raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            i &+= 8
        }
        while i < count {
            high |= UInt64(base[i])
            i &+= 1
        }
        return high & 0x8080_8080_8080_8080
    }
}
