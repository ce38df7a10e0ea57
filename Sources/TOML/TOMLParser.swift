/// Parses TOML 1.0 documents.
///
/// A pure function over text: no I/O, no Foundation. Every key and value of the result carries its position;
/// an invalid document gives a ``TOMLError`` with the position and a plain description of the first problem.
///
/// ```swift
/// let table = try TOMLParser().parse("url = \"https://example.com/\"\n")
/// table["url"]?.string  // "https://example.com/"
/// ```
public struct TOMLParser: Sendable {
    public var limits: TOMLLimits

    public init(limits: TOMLLimits = TOMLLimits()) {
        self.limits = limits
    }

    /// Parses a document given as a string.
    public func parse(_ text: String) throws(TOMLError) -> TOMLTable {
        var text = text
        let result = text.withUTF8 { bytes in Result { () throws(TOMLError) in try parse(validUTF8: bytes) } }
        return try result.get()
    }

    /// Parses a document given as bytes, which must be UTF-8.
    public func parse(utf8 bytes: [UInt8]) throws(TOMLError) -> TOMLTable {
        if let fault = Self.firstInvalidUTF8(in: bytes) {
            let position = bytes.withUnsafeBufferPointer { TOMLScanner.position(of: fault, in: $0) }
            let hex = String(bytes[fault], radix: 16, uppercase: true)
            throw TOMLError(
                position: position,
                message:
                    "the document is not valid UTF-8 (byte 0x\(hex.count == 1 ? "0" + hex : hex)); TOML is UTF-8 text")
        }
        let result = bytes.withUnsafeBufferPointer { buffer in
            Result { () throws(TOMLError) in try parse(validUTF8: buffer) }
        }
        return try result.get()
    }

    private func parse(validUTF8 bytes: UnsafeBufferPointer<UInt8>) throws(TOMLError) -> TOMLTable {
        guard bytes.count <= limits.maxBytes else {
            throw TOMLError(
                position: .start,
                message: "the document is \(bytes.count) bytes long, more than the \(limits.maxBytes) allowed")
        }
        var scanner = TOMLScanner(bytes: bytes, limits: limits)
        return try scanner.document()
    }

    /// The offset of the first byte that is not part of valid UTF-8, or nil when all of it is.
    static func firstInvalidUTF8(in bytes: [UInt8]) -> Int? {
        if bytes.allSatisfy({ $0 < 0x80 }) { return nil }
        var parser = Unicode.UTF8.ForwardParser()
        var iterator = bytes.makeIterator()
        var offset = 0
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let encoded): offset += encoded.count
            case .error: return offset
            case .emptyInput: return nil
            }
        }
    }
}
