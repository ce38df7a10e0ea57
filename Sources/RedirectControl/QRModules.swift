/// The square of modules of one QR code, without its quiet zone: the plain value every image format is drawn
/// from, so that the renderers stay pure and the C library's memory never leaves ``QRSymbol``.
public struct QRModules: Equatable, Sendable {
    /// Modules per side (21 for version 1, 4 more per version, up to 177).
    public let size: Int
    /// Row after row, `true` for a dark module.
    public let dark: [Bool]

    /// The light border every reader needs around a code, in modules, as ISO/IEC 18004 asks.
    public static let quietZone = 4

    /// `dark` holds `size * size` modules, row after row.
    public init(size: Int, dark: [Bool]) {
        precondition(size > 0 && dark.count == size * size, "QRModules needs size * size modules")
        self.size = size
        self.dark = dark
    }

    /// Modules per side with the quiet zone on both sides.
    public var sizeWithQuietZone: Int { size + 2 * Self.quietZone }

    /// Whether the module at `row`, `column` is dark; outside the code (in the quiet zone and beyond) it is not.
    public func isDark(row: Int, column: Int) -> Bool {
        guard row >= 0, row < size, column >= 0, column < size else { return false }
        return dark[row * size + column]
    }
}
