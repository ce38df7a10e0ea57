/// The visitor's first-choice language from an `Accept-Language` header, as rules match it.
///
/// The first choice is the language range with the highest quality (`q`, 1 when absent), the first of
/// equals. Only its primary subtag counts: `de-AT,en;q=0.8` chooses `de`. The wildcard `*` and ranges with
/// `q=0` choose nothing, so a first choice of `*` matches no rule; malformed ranges are skipped.
public enum AcceptLanguage {
    /// The primary subtag of the first choice in `header`, or nil when there is none.
    public static func firstChoice(_ header: some StringProtocol) -> PrimaryLanguage? {
        var header = String(header)
        return header.withUTF8 { firstChoice(bytes: $0) }
    }

    /// ``firstChoice(_:)`` over the header's bytes in place: no allocation, for the click path.
    public static func firstChoice(bytes: UnsafeBufferPointer<UInt8>) -> PrimaryLanguage? {
        var best: PrimaryLanguage? = nil
        var bestQuality = 0
        var start = 0
        while start <= bytes.count {
            var end = start
            while end < bytes.count && bytes[end] != UInt8(ascii: ",") { end += 1 }
            if let (language, quality) = range(bytes, start..<end), quality > bestQuality {
                best = language
                bestQuality = quality
                // Nothing later can be preferred to a range of q=1 (the first of equals wins): most headers
                // are decided by their first range, without reading the rest.
                if quality == 1000 { break }
            }
            start = end + 1
        }
        return best
    }

    /// One language range (`de-AT;q=0.8`) with its quality in thousandths: the subtag is nil for `*`. Nil for
    /// a malformed range.
    private static func range(
        _ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>
    ) -> (PrimaryLanguage?, Int)? {
        var k = skipBlanks(bytes, range.lowerBound, range.upperBound)
        let tagStart = k
        while k < range.upperBound, bytes[k] != UInt8(ascii: ";"), !isBlank(bytes[k]) { k += 1 }
        let tag = UnsafeBufferPointer(rebasing: bytes[tagStart..<k])
        if tag.isEmpty { return nil }
        var language: PrimaryLanguage? = nil
        if !(tag.count == 1 && tag[0] == UInt8(ascii: "*")) {
            // The primary subtag ends at the first `-`; the rest (region, script) must be letters, digits
            // and hyphens, as in `de-AT` or `zh-Hant-TW`.
            let primaryEnd = tag.firstIndex(of: UInt8(ascii: "-")) ?? tag.count
            guard let primary = PrimaryLanguage(bytes: tag[0..<primaryEnd]),
                tag[primaryEnd...].allSatisfy({ isAlphanumeric($0) || $0 == UInt8(ascii: "-") })
            else { return nil }
            language = primary
        }
        k = skipBlanks(bytes, k, range.upperBound)
        var quality = 1000
        while k < range.upperBound {
            // A parameter: `;q=0.8`; other parameters are not in the grammar any more and are skipped.
            guard bytes[k] == UInt8(ascii: ";") else { return nil }
            k = skipBlanks(bytes, k + 1, range.upperBound)
            let nameStart = k
            while k < range.upperBound, bytes[k] != UInt8(ascii: "="), bytes[k] != UInt8(ascii: ";") { k += 1 }
            let isQuality =
                k - nameStart >= 1 && bytes[nameStart] | 0x20 == UInt8(ascii: "q")
                && bytes[(nameStart + 1)..<k].allSatisfy(isBlank)
            guard k < range.upperBound, bytes[k] == UInt8(ascii: "=") else { return nil }
            k = skipBlanks(bytes, k + 1, range.upperBound)
            let valueStart = k
            while k < range.upperBound, bytes[k] != UInt8(ascii: ";"), !isBlank(bytes[k]) { k += 1 }
            if isQuality {
                guard let q = qualityValue(UnsafeBufferPointer(rebasing: bytes[valueStart..<k])) else { return nil }
                quality = q
            }
            k = skipBlanks(bytes, k, range.upperBound)
        }
        return (language, quality)
    }

    /// `0`, `0.5`, `1.000` as thousandths; nil for anything RFC 9110's `qvalue` does not allow.
    static func qualityValue(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        guard let first = bytes.first, first == UInt8(ascii: "0") || first == UInt8(ascii: "1"),
            bytes.count <= 5
        else { return nil }
        var value = Int(first - UInt8(ascii: "0")) * 1000
        guard bytes.count > 1 else { return value }
        guard bytes[1] == UInt8(ascii: ".") else { return nil }
        var scale = 100
        for byte in bytes.dropFirst(2) {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            value += Int(byte - UInt8(ascii: "0")) * scale
            scale /= 10
        }
        return value <= 1000 ? value : nil
    }

    private static func isBlank(_ byte: UInt8) -> Bool { byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        let lower = byte | 0x20
        return (lower >= UInt8(ascii: "a") && lower <= UInt8(ascii: "z"))
            || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
    }

    private static func skipBlanks(_ bytes: UnsafeBufferPointer<UInt8>, _ from: Int, _ end: Int) -> Int {
        var k = from
        while k < end && isBlank(bytes[k]) { k += 1 }
        return k
    }
}
