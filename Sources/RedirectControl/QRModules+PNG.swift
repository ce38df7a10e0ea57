import CZlib

extension QRModules {
    /// Pixels per module in a PNG `width` pixels wide: the largest whole number that fits the code and its quiet
    /// zone, or nil when not even one does.
    public func pngPixelsPerModule(width: Int) -> Int? {
        let scale = width / sizeWithQuietZone
        return scale >= 1 ? scale : nil
    }

    /// The code as a 1-bit grayscale PNG, `width` pixels wide and high (nil: 8 pixels per module).
    ///
    /// Modules are whole pixels, so scanners see sharp square modules: the largest whole module size that fits is
    /// used, and the pixels left over widen the quiet zone, half on each side. The file has IHDR, one IDAT (zlib
    /// at level 9) and IEND, and no time or text chunk, so the same code always gives the same bytes.
    public func png(width: Int? = nil) throws(QRImageError) -> [UInt8] {
        let side = sizeWithQuietZone
        let pixels = width ?? side * Self.defaultPixelsPerModule
        guard let scale = pngPixelsPerModule(width: pixels) else { throw .tooNarrow(width: pixels, modules: side) }
        let margin = (pixels - scale * size) / 2

        // Each row: filter type 0 (none), then 8 pixels a byte, most significant bit first, 1 for white. Bits past
        // the last pixel are padding, left 1 like the quiet zone.
        let rowBytes = (pixels + 7) / 8
        func row(ofModuleRow moduleRow: Int) -> [UInt8] {
            var line = [UInt8](repeating: 0xFF, count: rowBytes + 1)
            line[0] = 0
            for x in margin..<(margin + scale * size) where isDark(row: moduleRow, column: (x - margin) / scale) {
                line[1 + x / 8] &= ~(0x80 >> UInt8(x % 8))
            }
            return line
        }
        let blank = row(ofModuleRow: -1)
        var raw: [UInt8] = []
        raw.reserveCapacity((rowBytes + 1) * pixels)
        for _ in 0..<margin { raw += blank }
        for moduleRow in 0..<size {
            let line = row(ofModuleRow: moduleRow)
            for _ in 0..<scale { raw += line }
        }
        for _ in (margin + scale * size)..<pixels { raw += blank }

        var png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        var header: [UInt8] = []
        header.appendBigEndian(UInt32(pixels))
        header.appendBigEndian(UInt32(pixels))
        header += [1, 0, 0, 0, 0]  // bit depth 1, grayscale, deflate, adaptive filtering, no interlace
        png.appendChunk("IHDR", header)
        png.appendChunk("IDAT", try Self.deflate(raw))
        png.appendChunk("IEND", [])
        return png
    }

    /// `bytes` in the zlib format PNG's IDAT wants. The corresponding C function is `compress2`.
    private static func deflate(_ bytes: [UInt8]) throws(QRImageError) -> [UInt8] {
        var length = compressBound(uLong(bytes.count))
        var out = [UInt8](repeating: 0, count: Int(length))
        let status = out.withUnsafeMutableBufferPointer { target in
            bytes.withUnsafeBufferPointer { source in
                compress2(target.baseAddress, &length, source.baseAddress, uLong(source.count), Z_BEST_COMPRESSION)
            }
        }
        guard status == Z_OK else { throw .compression(status) }
        return Array(out.prefix(Int(length)))
    }
}

extension [UInt8] {
    fileprivate mutating func appendBigEndian(_ value: UInt32) {
        append(contentsOf: [
            UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF),
        ])
    }

    /// Length, type, data, and the CRC-32 (zlib's `crc32`) of type and data.
    fileprivate mutating func appendChunk(_ type: String, _ data: [UInt8]) {
        appendBigEndian(UInt32(data.count))
        let typed = Array(type.utf8) + data
        append(contentsOf: typed)
        let crc = typed.withUnsafeBufferPointer { crc32(0, $0.baseAddress, uInt($0.count)) }
        appendBigEndian(UInt32(truncatingIfNeeded: crc))
    }
}
