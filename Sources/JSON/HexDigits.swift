/// `0123456789abcdef`, for the `\u00XX` escapes of JSON strings and the digits of event ids.
package enum HexDigits {
    /// Never freed: it lives as long as the process. A pointer rather than an array, so that a lookup in the
    /// escaping loop costs no bounds check or reference count.
    nonisolated(unsafe) package static let lowercase: UnsafeBufferPointer<UInt8> = {
        let table = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: 16)
        _ = table.initialize(from: "0123456789abcdef".utf8)
        return UnsafeBufferPointer(table)
    }()
}
