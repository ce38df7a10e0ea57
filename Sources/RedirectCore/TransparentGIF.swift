/// The image an open pixel answers with: a GIF89a of one pixel whose only colour index is transparent.
///
/// 43 bytes: a two-colour global table (the format's smallest), a graphic control extension that marks index 0
/// transparent, and one LZW-coded pixel. Written out here rather than made at start: it never changes.
public enum TransparentGIF {
    public static let bytes: [UInt8] = [
        // "GIF89a"
        0x47, 0x49, 0x46, 0x38, 0x39, 0x61,
        // Logical screen: 1 × 1, a global colour table of 2 entries, background index 0, no aspect ratio.
        0x01, 0x00, 0x01, 0x00, 0x80, 0x00, 0x00,
        // The colour table: black, white.
        0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF,
        // Graphic control extension: transparency on, no delay, transparent index 0.
        0x21, 0xF9, 0x04, 0x01, 0x00, 0x00, 0x00, 0x00,
        // Image descriptor: at 0,0, 1 × 1, no local table, not interlaced.
        0x2C, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00,
        // Image data: LZW minimum code size 2; one block of 2 bytes holding clear (4), index 0, end (5), each
        // in 3 bits, least significant first; the empty block that ends the data.
        0x02, 0x02, 0x44, 0x01, 0x00,
        // Trailer.
        0x3B,
    ]

    /// `Content-Type` of the answer.
    public static let contentType = "image/gif"
}
