/// Why a QR code could not be drawn as asked.
public enum QRImageError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A PNG's modules are whole pixels: the width holds fewer than one pixel per module and quiet zone.
    case tooNarrow(width: Int, modules: Int)
    /// zlib's `compress2` failed (its return code).
    case compression(Int32)

    public var description: String {
        switch self {
        case .tooNarrow(let width, let modules):
            return
                "a PNG \(width) pixels wide is too narrow for this code: it needs at least \(modules) pixels "
                + "(\(modules) modules with the quiet zone, one pixel each)"
        case .compression(let code): return "zlib could not compress the image (compress2 returned \(code))"
        }
    }
}
