import CQREncode

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One QR code as libqrencode made it, owning the C library's `QRcode` until it goes out of scope.
///
/// Non-copyable, so the pointer is freed exactly once. Read ``modules`` to keep the code as a plain value.
public struct QRSymbol: ~Copyable {
    private let code: UnsafeMutablePointer<QRcode>

    /// Encodes `text` in the smallest version that holds it, all of it in 8-bit (byte) mode, case kept.
    ///
    /// The corresponding C function is `QRcode_encodeString` (version 0 picks the smallest version). Byte mode for
    /// the whole text keeps the code what a reader returns byte for byte, at the cost of a few modules that mixed
    /// modes would save on an upper-case run.
    public init(text: String, correction: QRErrorCorrection) throws(QREncodingError) {
        let level: QRecLevel
        switch correction {
        case .low: level = QR_ECLEVEL_L
        case .medium: level = QR_ECLEVEL_M
        case .quartile: level = QR_ECLEVEL_Q
        case .high: level = QR_ECLEVEL_H
        }
        errno = 0
        guard let code = QRcode_encodeString(text, 0, level, QR_MODE_8, 1) else {
            if errno == ERANGE { throw .tooLong(bytes: text.utf8.count, correction: correction) }
            throw .failed(errno)
        }
        self.code = code
    }

    deinit {
        QRcode_free(code)
    }

    /// The QR version, 1 to 40.
    public var version: Int { Int(code.pointee.version) }

    /// The modules as a value; libqrencode's bit 0 of each byte says dark.
    public var modules: QRModules {
        let size = Int(code.pointee.width)
        let data = UnsafeBufferPointer(start: code.pointee.data, count: size * size)
        return QRModules(size: size, dark: data.map { $0 & 1 == 1 })
    }
}
