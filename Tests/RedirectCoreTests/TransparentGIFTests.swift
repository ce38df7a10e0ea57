import Testing

@testable import RedirectCore

/// The pixel's image, read back as a GIF decoder reads it: header, screen, colour table, transparency, and the
/// LZW-coded image data decoded to its pixels.
@Suite struct TransparentGIFTests {
    let gif = TransparentGIF.bytes

    func uint16(at offset: Int) -> Int { Int(gif[offset]) | Int(gif[offset + 1]) << 8 }

    @Test func theHeaderAndScreenSayGIF89aOfOneByOnePixel() {
        #expect(Array(gif[0..<6]) == Array("GIF89a".utf8))
        #expect(uint16(at: 6) == 1)
        #expect(uint16(at: 8) == 1)
        #expect(gif[10] & 0x80 != 0, "a global colour table")
        #expect(gif.count == 43)
        #expect(gif.last == 0x3B, "the trailer ends the file")
    }

    @Test func itDecodesToOnePixelOfTheTransparentIndex() throws {
        let decoded = try #require(Self.decode(gif))
        #expect(decoded.width == 1 && decoded.height == 1)
        #expect(decoded.pixels.count == 1)
        let transparent = try #require(decoded.transparentIndex, "no graphic control extension marks transparency")
        #expect(decoded.pixels == [transparent])
    }

    /// A GIF decoder for one image: walks the blocks, reads the graphic control extension and LZW-decodes the
    /// image data. Nil for anything malformed.
    static func decode(_ bytes: [UInt8]) -> (width: Int, height: Int, transparentIndex: UInt8?, pixels: [UInt8])? {
        guard bytes.count > 13, Array(bytes[0..<6]) == Array("GIF89a".utf8) else { return nil }
        var i = 13
        if bytes[10] & 0x80 != 0 { i += 3 * (1 << (Int(bytes[10] & 0x07) + 1)) }
        var transparent: UInt8? = nil
        func subBlocks() -> [UInt8]? {
            var data: [UInt8] = []
            while i < bytes.count {
                let size = Int(bytes[i])
                i += 1
                if size == 0 { return data }
                guard i + size <= bytes.count else { return nil }
                data += bytes[i..<i + size]
                i += size
            }
            return nil
        }
        while i < bytes.count {
            switch bytes[i] {
            case 0x21:
                guard i + 2 < bytes.count else { return nil }
                let label = bytes[i + 1]
                i += 2
                guard let data = subBlocks() else { return nil }
                if label == 0xF9, data.count == 4, data[0] & 1 != 0 { transparent = data[3] }
            case 0x2C:
                guard i + 10 < bytes.count else { return nil }
                let width = Int(bytes[i + 5]) | Int(bytes[i + 6]) << 8
                let height = Int(bytes[i + 7]) | Int(bytes[i + 8]) << 8
                guard bytes[i + 9] & 0x80 == 0 else { return nil }
                let minimum = Int(bytes[i + 10])
                i += 11
                guard let data = subBlocks(), let pixels = lzw(data, minimumCodeSize: minimum) else { return nil }
                guard pixels.count == width * height, bytes[i] == 0x3B else { return nil }
                return (width, height, transparent, pixels)
            default: return nil
            }
        }
        return nil
    }

    /// GIF's variable-width LZW, codes packed least significant bit first.
    static func lzw(_ data: [UInt8], minimumCodeSize: Int) -> [UInt8]? {
        let clear = 1 << minimumCodeSize
        let end = clear + 1
        var table: [[UInt8]] = []
        func reset() { table = (0..<clear).map { [UInt8($0)] } + [[], []] }
        reset()
        var codeSize = minimumCodeSize + 1
        var bitOffset = 0
        var previous: [UInt8]? = nil
        var out: [UInt8] = []
        while bitOffset + codeSize <= data.count * 8 {
            var code = 0
            for bit in 0..<codeSize where data[(bitOffset + bit) / 8] & (1 << ((bitOffset + bit) % 8)) != 0 {
                code |= 1 << bit
            }
            bitOffset += codeSize
            if code == clear {
                reset()
                codeSize = minimumCodeSize + 1
                previous = nil
                continue
            }
            if code == end { return out }
            let entry: [UInt8]
            if code < table.count {
                entry = table[code]
            } else if let previous, code == table.count {
                entry = previous + [previous[0]]
            } else {
                return nil
            }
            out += entry
            if let previous { table.append(previous + [entry[0]]) }
            if table.count == 1 << codeSize && codeSize < 12 { codeSize += 1 }
            previous = entry
        }
        return nil
    }
}
