import JSON

/// Up to ``capacity`` optional text fields, kept one after another in one allocation.
///
/// A click's request fields (method, path, user agent, …) are made on every click and travel into its
/// event. Kept so, they cost one pass over their bytes (a copy that also checks them), one allocation, and
/// one reference count when the request or the event is copied; a string per field would cost a check, an
/// allocation and a reference count per field.
///
/// The bytes are always valid UTF-8, field by field: a field whose bytes were not valid UTF-8 is stored
/// repaired (each invalid sequence becomes U+FFFD), as `String(decoding:as:)` repairs it.
///
/// Sendable: its storage is filled once, when it is made, and only read after that (a field is set by
/// making new storage).
public struct PackedText: @unchecked Sendable {
    /// How many fields a value can hold; a field is named by its index, `0..<capacity`.
    public static let capacity = 9

    /// The present fields' UTF-8, in field order; nil when they have no bytes at all.
    private var storage: Storage?
    /// Where each field ends in the storage (lanes 0 to 8); a field starts where the one before it ends (`0`
    /// for the first). An absent field ends where the one before it ends. (A SIMD vector: a fixed-size
    /// array that builds with Swift 6.0, which `InlineArray` does not.)
    private var ends: SIMD16<Int32>
    /// Bit `k` is set when field `k` is present.
    private var present: UInt16

    /// Field `k` is `values[k]`, and absent for nil or past the end of `values`.
    public init(_ values: [String?]) {
        precondition(values.count <= Self.capacity, "PackedText holds at most \(Self.capacity) fields")
        var ends = SIMD16<Int32>()
        var present: UInt16 = 0
        var end = 0
        for k in 0..<Self.capacity {
            if k < values.count, let value = values[k] {
                end += value.utf8.count
                present |= 1 << k
            }
            ends[k] = Int32(truncatingIfNeeded: end)
        }
        precondition(end <= Int(Int32.max), "PackedText holds at most 2 GiB")
        let storage =
            end == 0
            ? nil
            : Storage.make(count: end) { base in
                var at = 0
                for case let value? in values {
                    at += JSONWriter.withUTF8(of: value) { bytes in
                        if let start = bytes.baseAddress { (base + at).update(from: start, count: bytes.count) }
                        return bytes.count
                    }
                }
            }
        self.init(storage: storage, ends: ends, present: present)
    }

    /// Field `k` is the `counts[k]` bytes at address `starts[k]` when bit `k` of `present` is set (absent
    /// otherwise), decoded as UTF-8. The bytes are copied in one pass that also checks that they are ASCII,
    /// which a request's fields nearly always are; otherwise each field is decoded (and repaired) on its own.
    /// A present field has a start unless its count is 0; all of them together are under 2 GiB (a FastCGI
    /// request's parameters are far smaller).
    init(starts: SIMD16<UInt>, counts: SIMD16<Int>, present: UInt16) {
        precondition(present >> Self.capacity == 0, "PackedText holds at most \(Self.capacity) fields")
        var ends = SIMD16<Int32>()
        var end = 0
        for k in 0..<Self.capacity {
            if present & (1 << k) != 0 { end += counts[k] }
            ends[k] = Int32(truncatingIfNeeded: end)
        }
        var high: UInt64 = 0
        let storage =
            end == 0 || end > Int(Int32.max)
            ? nil
            : Storage.make(count: end) { base in
                var at = 0
                for k in 0..<Self.capacity where present & (1 << k) != 0 {
                    precondition(counts[k] >= 0 && (counts[k] == 0 || starts[k] != 0), "field \(k) has no bytes")
                    if let start = UnsafePointer<UInt8>(bitPattern: starts[k]) {
                        high |= Self.copy(counts[k], from: start, to: base + at)
                    }
                    at += counts[k]
                }
            }
        guard high == 0, end <= Int(Int32.max) else {
            // Repaired field by field, so that no replacement straddles two fields.
            var strings: [String?] = []
            for k in 0..<Self.capacity {
                strings.append(
                    present & (1 << k) == 0
                        ? nil
                        : String(
                            decoding: UnsafeBufferPointer(
                                start: UnsafePointer<UInt8>(bitPattern: starts[k]), count: counts[k]),
                            as: UTF8.self))
            }
            self.init(strings)
            return
        }
        self.init(storage: storage, ends: ends, present: present)
    }

    private init(storage: Storage?, ends: SIMD16<Int32>, present: UInt16) {
        self.storage = storage
        self.ends = ends
        self.present = present
    }

    /// Bytes of the packed UTF-8, absent fields' included: no field is longer.
    var byteCount: Int { Int(ends[Self.capacity - 1]) }

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
        get { withBytes(of: k) { $0.map { String(decoding: $0, as: UTF8.self) } } }
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
        guard let storage else { return body(UnsafeBufferPointer(start: nil, count: 0)) }
        return storage.withUnsafeMutablePointers { count, bytes in
            body(UnsafeBufferPointer(start: bytes, count: count.pointee))
        }
    }

    /// Runs `body` on the bytes of field `k`, or on nil when it is absent.
    @inline(__always)
    package func withBytes<R>(of k: Int, _ body: (UnsafeBufferPointer<UInt8>?) -> R) -> R {
        guard let range = range(k) else { return body(nil) }
        return withUTF8 { body(UnsafeBufferPointer(rebasing: $0[range])) }
    }

    /// Copies `count` bytes from `source` to `target`, eight at a time, and returns their high bits ORed
    /// together: zero when all are ASCII.
    @inline(__always)
    static func copy(_ count: Int, from source: UnsafePointer<UInt8>, to target: UnsafeMutablePointer<UInt8>)
        -> UInt64
    {
        let from = UnsafeRawPointer(source)
        let to = UnsafeMutableRawPointer(target)
        var high: UInt64 = 0
        var i = 0
        while i &+ 8 <= count {
            let word = from.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            to.storeBytes(of: word, toByteOffset: i, as: UInt64.self)
            high |= word
            i &+= 8
        }
        while i < count {
            target[i] = source[i]
            high |= UInt64(source[i])
            i &+= 1
        }
        return high & 0x8080_8080_8080_8080
    }

    /// The packed bytes: one allocation, its byte count in the header. Filled by ``make(count:fill:)`` and
    /// never changed after.
    final class Storage: ManagedBuffer<Int, UInt8> {
        static func make(count: Int, fill: (UnsafeMutablePointer<UInt8>) -> Void) -> Storage {
            let buffer = Storage.create(minimumCapacity: count) { _ in count }
            buffer.withUnsafeMutablePointerToElements { fill($0) }
            return unsafeDowncast(buffer, to: Storage.self)
        }
    }
}
