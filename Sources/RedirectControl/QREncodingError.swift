/// Why libqrencode made no code of a text.
public enum QREncodingError: Error, Equatable, Sendable, CustomStringConvertible {
    /// More bytes than the largest code (version 40) holds at this level: 2953 at L down to 1273 at H.
    case tooLong(bytes: Int, correction: QRErrorCorrection)
    /// libqrencode failed otherwise (the errno it set).
    case failed(Int32)

    public var description: String {
        switch self {
        case .tooLong(let bytes, let correction):
            return
                "the text is \(bytes) bytes, more than a QR code holds at error correction \(correction.rawValue)"
        case .failed(let errno): return "libqrencode could not encode the text (errno \(errno))"
        }
    }
}
