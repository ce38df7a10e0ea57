import CountryCodes
import DeviceDetection
import JSON
import Timestamps

/// The packing of the redirect cache: lengths and counts as LEB128 (one byte below 128), strings as their
/// UTF-8 bytes, an optional string as a length one more than its own (0: nil), property values behind a
/// one-byte kind. Rules are packed so that they can be evaluated where they lie (``PackedRules``).
package struct PackedBytes {
    package var bytes: [UInt8] = []

    package init() {}

    enum Kind {
        static let null: UInt8 = 0
        static let `false`: UInt8 = 1
        static let `true`: UInt8 = 2
        static let int: UInt8 = 3
        static let double: UInt8 = 4
        static let string: UInt8 = 5
        static let array: UInt8 = 6
        static let object: UInt8 = 7
    }

    package mutating func count(_ value: Int) {
        var v = UInt(value)
        while v >= 0x80 {
            bytes.append(UInt8(v & 0x7F) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    package mutating func string(_ s: String) {
        count(s.utf8.count)
        bytes.append(contentsOf: s.utf8)
    }

    package mutating func optionalString(_ s: String?) {
        guard let s else { return count(0) }
        count(s.utf8.count + 1)
        bytes.append(contentsOf: s.utf8)
    }

    mutating func fixed(_ value: UInt64) {
        for shift in stride(from: 0, to: 64, by: 8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
    }

    package mutating func members(_ members: [(key: String, value: JSONValue)]) {
        count(members.count)
        for member in members {
            string(member.key)
            value(member.value)
        }
    }

    mutating func value(_ value: JSONValue) {
        switch value {
        case .null: bytes.append(Kind.null)
        case .bool(let b): bytes.append(b ? Kind.true : Kind.false)
        case .int(let i):
            bytes.append(Kind.int)
            fixed(UInt64(bitPattern: Int64(i)))
        case .double(let d):
            bytes.append(Kind.double)
            fixed(d.bitPattern)
        case .string(let s):
            bytes.append(Kind.string)
            string(s)
        case .array(let items):
            bytes.append(Kind.array)
            count(items.count)
            for item in items { self.value(item) }
        case .object(let members):
            bytes.append(Kind.object)
            self.members(members)
        }
    }

    /// `body`'s bytes behind their length, so that a reader can step over them.
    mutating func record(_ body: (inout PackedBytes) -> Void) {
        var inner = PackedBytes()
        body(&inner)
        count(inner.bytes.count)
        bytes += inner.bytes
    }

    /// Rules, then the file's variants. Each rule is a record: its conditions first, in the order they are
    /// evaluated, then its variants, then its name, target, status (0: the file's), event type and properties
    /// (what only the winner needs comes last). Each
    /// variant is a record: its weight first, then its name, target and properties.
    package mutating func rules(_ rules: [RedirectRule], variants: [RedirectVariant]) {
        count(rules.count)
        for rule in rules {
            record { packed in
                let conditions = rule.conditions
                packed.count(conditions.bot.map { $0 ? 2 : 1 } ?? 0)
                packed.optionalTime(conditions.from)
                packed.optionalTime(conditions.until)
                packed.count(conditions.devices.count)
                for device in conditions.devices { packed.count(DeviceOS.allCases.firstIndex(of: device) ?? 0) }
                packed.count(conditions.forms.count)
                for form in conditions.forms { packed.count(FormFactor.allCases.firstIndex(of: form) ?? 0) }
                packed.count(conditions.languages.count)
                for language in conditions.languages { packed.fixed(language.packed) }
                packed.count(conditions.countries.count)
                for country in conditions.countries { packed.count(Int(country.rawValue)) }
                packed.count(conditions.query.count)
                for parameter in conditions.query {
                    packed.string(parameter.name)
                    packed.string(parameter.value)
                }
                packed.variants(rule.variants)
                packed.string(rule.name)
                packed.string(rule.url)
                packed.count(rule.status?.rawValue ?? 0)
                packed.optionalString(rule.eventType)
                packed.members(rule.properties)
            }
        }
        self.variants(variants)
    }

    mutating func variants(_ variants: [RedirectVariant]) {
        count(variants.count)
        for variant in variants {
            record { packed in
                packed.fixed(UInt64(bitPattern: variant.weight))
                packed.string(variant.name)
                packed.string(variant.url)
                packed.members(variant.properties)
            }
        }
    }

    mutating func optionalTime(_ time: Timestamp?) {
        guard let time else { return count(0) }
        count(1)
        fixed(UInt64(bitPattern: time.millisecondsSinceEpoch))
    }
}

/// Reads what ``PackedBytes`` wrote. The bytes were written by this process, so they are trusted.
package struct PackedReader {
    let bytes: UnsafeBufferPointer<UInt8>
    package var offset: Int

    package init(bytes: UnsafeBufferPointer<UInt8>, offset: Int) {
        self.bytes = bytes
        self.offset = offset
    }

    package mutating func count() -> Int {
        var value = 0
        var shift = 0
        while true {
            let byte = bytes[offset]
            offset += 1
            value |= Int(byte & 0x7F) << shift
            if byte < 0x80 { return value }
            shift += 7
        }
    }

    mutating func text(_ length: Int) -> String {
        let s = String(decoding: UnsafeBufferPointer(rebasing: bytes[offset..<offset + length]), as: UTF8.self)
        offset += length
        return s
    }

    package mutating func string() -> String { text(count()) }

    /// The next string's bytes, in place.
    mutating func stringBytes() -> UnsafeBufferPointer<UInt8> {
        let length = count()
        defer { offset += length }
        return UnsafeBufferPointer(rebasing: bytes[offset..<offset + length])
    }

    package mutating func optionalString() -> String? {
        let n = count()
        return n == 0 ? nil : text(n - 1)
    }

    mutating func fixed() -> UInt64 {
        var value: UInt64 = 0
        for shift in stride(from: 0, to: 64, by: 8) {
            value |= UInt64(bytes[offset]) << UInt64(shift)
            offset += 1
        }
        return value
    }

    package mutating func members() -> [(key: String, value: JSONValue)] {
        let n = count()
        if n == 0 { return [] }
        var members: [(key: String, value: JSONValue)] = []
        members.reserveCapacity(n)
        for _ in 0..<n {
            let key = string()
            members.append((key, value()))
        }
        return members
    }

    mutating func value() -> JSONValue {
        let kind = bytes[offset]
        offset += 1
        switch kind {
        case PackedBytes.Kind.false: return .bool(false)
        case PackedBytes.Kind.true: return .bool(true)
        case PackedBytes.Kind.int: return .int(Int(Int64(bitPattern: fixed())))
        case PackedBytes.Kind.double: return .double(Double(bitPattern: fixed()))
        case PackedBytes.Kind.string: return .string(string())
        case PackedBytes.Kind.array:
            let n = count()
            var items: [JSONValue] = []
            items.reserveCapacity(n)
            for _ in 0..<n { items.append(value()) }
            return .array(items)
        case PackedBytes.Kind.object: return .object(members())
        default: return .null
        }
    }

    mutating func optionalTime() -> Timestamp? {
        count() == 0 ? nil : Timestamp(millisecondsSinceEpoch: Int64(bitPattern: fixed()))
    }

    /// The conditions of the rule record at the reader's offset, read into values (for unpacking).
    mutating func conditions() -> RuleConditions {
        var conditions = RuleConditions()
        let bot = count()
        conditions.bot = bot == 0 ? nil : bot == 2
        conditions.from = optionalTime()
        conditions.until = optionalTime()
        conditions.devices = (0..<count()).map { _ in DeviceOS.allCases[count()] }
        conditions.forms = (0..<count()).map { _ in FormFactor.allCases[count()] }
        conditions.languages = (0..<count()).map { _ in PrimaryLanguage(packed: fixed()) }
        conditions.countries = (0..<count()).compactMap { _ in
            let code = count()
            return CountryCode(UInt8(truncatingIfNeeded: code >> 8), UInt8(truncatingIfNeeded: code))
        }
        conditions.query = (0..<count()).map { _ in
            let name = string()
            return (name, string())
        }
        return conditions
    }

    /// Whether the conditions at the reader's offset hold of `context`, read in place: no allocation. The
    /// offset is left anywhere in the record; the caller steps over the record by its length.
    mutating func conditionsHold(in context: RuleContext) -> Bool {
        let bot = count()
        if bot != 0 && (bot == 2) != context.isBot { return false }
        if let from = optionalTime(), context.now < from { return false }
        if let until = optionalTime(), context.now >= until { return false }
        var n = count()
        if n > 0 {
            guard let device = context.device, let wanted = DeviceOS.allCases.firstIndex(of: device) else {
                return false
            }
            var found = false
            for _ in 0..<n where count() == wanted { found = true }
            if !found { return false }
        }
        n = count()
        if n > 0 {
            guard let form = context.form, let wanted = FormFactor.allCases.firstIndex(of: form) else { return false }
            var found = false
            for _ in 0..<n where count() == wanted { found = true }
            if !found { return false }
        }
        n = count()
        if n > 0 {
            guard let language = context.language else { return false }
            var found = false
            for _ in 0..<n where fixed() == language.packed { found = true }
            if !found { return false }
        }
        n = count()
        if n > 0 {
            guard let country = context.country else { return false }
            var found = false
            for _ in 0..<n where count() == Int(country.rawValue) { found = true }
            if !found { return false }
        }
        n = count()
        for _ in 0..<n {
            let name = stringBytes()
            let value = stringBytes()
            guard let pair = context.query.pairs.first(where: { Self.equal($0.name, name) }),
                Self.equal(pair.value, value)
            else { return false }
        }
        return true
    }

    /// Steps over the conditions at the reader's offset without making values.
    mutating func skipConditions() {
        _ = count()
        _ = optionalTime()
        _ = optionalTime()
        for _ in 0..<count() { _ = count() }
        for _ in 0..<count() { _ = count() }
        offset += 8 * count()
        for _ in 0..<count() { _ = count() }
        for _ in 0..<count() * 2 { offset += count() }
    }

    /// Steps over the record at the reader's offset.
    mutating func skipRecord() {
        let length = count()
        offset += length
    }

    /// The index of the variant `draw` picks in the list at the reader's offset (nil when it is empty), as
    /// ``SplitDraw/pick(weights:)`` picks it; the reader is left after the list.
    mutating func pickVariant(_ draw: SplitDraw) -> Int? {
        let n = count()
        if n == 0 { return nil }
        let start = offset
        var total: UInt64 = 0
        for _ in 0..<n {
            let length = count()
            var weight = self
            total &+= UInt64(max(0, Int64(bitPattern: weight.fixed())))
            offset += length
        }
        let end = offset
        offset = start
        var target = draw.target(total: total)
        var picked = n - 1
        for index in 0..<n {
            let length = count()
            var weight = self
            let w = UInt64(max(0, Int64(bitPattern: weight.fixed())))
            offset += length
            if target < w {
                picked = index
                break
            }
            target -= w
        }
        offset = end
        return picked
    }

    /// The variants of the list at the reader's offset, as values.
    mutating func variants() -> [RedirectVariant] {
        let n = count()
        if n == 0 { return [] }
        var variants: [RedirectVariant] = []
        variants.reserveCapacity(n)
        for _ in 0..<n {
            _ = count()
            let weight = Int64(bitPattern: fixed())
            let name = string()
            let url = string()
            variants.append(RedirectVariant(name: name, weight: weight, url: url, properties: members()))
        }
        return variants
    }

    /// Whether `s` is `bytes`, without copying `s` (a native string's bytes are contiguous).
    static func equal(_ s: String, _ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard s.utf8.count == bytes.count else { return false }
        return s.utf8.withContiguousStorageIfAvailable { $0.elementsEqual(bytes) } ?? s.utf8.elementsEqual(bytes)
    }
}
