/// How much of a QR code may be damaged or covered and still read: L about 7 %, M 15 %, Q 25 %, H 30 %.
///
/// A higher level makes the code denser for the same link, so M (the usual default) suits print and screens;
/// H is for codes with a logo over them or printed on rough surfaces. The raw values are the standard's letters.
public enum QRErrorCorrection: String, Sendable, CaseIterable {
    case low = "L"
    case medium = "M"
    case quartile = "Q"
    case high = "H"

    /// The level a letter names, in either case (`--ecc h` as well as `--ecc H`).
    public init?(letter: String) {
        self.init(rawValue: letter.uppercased())
    }
}
