import RedirectControl
import Testing

/// libqrencode through ``QRSymbol``, and the three drawings of its modules, as plain values.
@Suite struct QRModulesTests {
    static let link = "https://go.example.com/redirect/spring-sale?_via=qr"

    @Test(arguments: QRErrorCorrection.allCases)
    func smallestVersionHoldsTheLink(_ correction: QRErrorCorrection) throws {
        let symbol = try QRSymbol(text: Self.link, correction: correction)
        let modules = symbol.modules
        #expect(modules.size == 17 + 4 * symbol.version)
        // 51 bytes fit version 3 at L, 4 at M, 5 at Q, 6 at H (ISO/IEC 18004's byte-mode capacities).
        #expect(Self.link.utf8.count == 51)
        let expected: [QRErrorCorrection: Int] = [.low: 3, .medium: 4, .quartile: 5, .high: 6]
        #expect(symbol.version == expected[correction])
        // The three finder patterns: dark corners of 7 by 7 modules, light inside their outer ring.
        for (row, column) in [(0, 0), (0, modules.size - 7), (modules.size - 7, 0)] {
            #expect(modules.isDark(row: row, column: column))
            #expect(modules.isDark(row: row + 6, column: column + 6))
            #expect(!modules.isDark(row: row + 1, column: column + 1))
            #expect(modules.isDark(row: row + 3, column: column + 3))
        }
    }

    @Test func tooLongForTheLargestCode() throws {
        // Version 40 holds 2953 bytes at L and 1273 at H.
        #expect(try QRSymbol(text: String(repeating: "a", count: 2953), correction: .low).version == 40)
        #expect(throws: QREncodingError.tooLong(bytes: 2954, correction: .low)) {
            _ = try QRSymbol(text: String(repeating: "a", count: 2954), correction: .low)
        }
        #expect(throws: QREncodingError.tooLong(bytes: 1274, correction: .high)) {
            _ = try QRSymbol(text: String(repeating: "a", count: 1274), correction: .high)
        }
    }

    /// The SVG's runs, read back, are the modules; one path on a white square, the viewBox in modules.
    @Test func svgRunsAreTheModules() throws {
        let modules = try QRSymbol(text: Self.link, correction: .medium).modules
        let side = modules.size + 8
        let svg = modules.svg(width: 300)
        #expect(svg.contains("width=\"300\" height=\"300\" viewBox=\"0 0 \(side) \(side)\""))
        #expect(svg.contains("shape-rendering=\"crispEdges\""))
        #expect(svg.contains("<rect width=\"\(side)\" height=\"\(side)\" fill=\"#fff\"/>"))
        #expect(svg.split(separator: "<path", omittingEmptySubsequences: false).count == 2)
        #expect(modules.svg().contains("width=\"\(side * 8)\""))

        let path = try #require(svg.split(separator: "d=\"").last?.split(separator: "\"").first)
        var dark = [Bool](repeating: false, count: modules.size * modules.size)
        for run in path.split(separator: "z") {
            // M<x> <y>h<n>v1h-<n>
            let numbers = run.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
            let (x, y, length) = (numbers[0] - 4, numbers[1] - 4, numbers[2])
            #expect(run == "M\(x + 4) \(y + 4)h\(length)v1h-\(length)")
            for column in x..<(x + length) { dark[y * modules.size + column] = true }
        }
        #expect(QRModules(size: modules.size, dark: dark) == modules)
    }

    /// IHDR, one IDAT, IEND and nothing else (no time, no text): 1-bit grayscale, the width asked for.
    @Test func pngChunks() throws {
        let modules = try QRSymbol(text: Self.link, correction: .medium).modules
        let side = modules.size + 8
        let png = try modules.png(width: 300)
        #expect(Array(png.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        var chunks: [String] = []
        var offset = 8
        while offset < png.count {
            let length = png[offset..<offset + 4].reduce(0) { $0 << 8 | Int($1) }
            chunks.append(String(decoding: png[offset + 4..<offset + 8], as: UTF8.self))
            if chunks.last == "IHDR" {
                let header = Array(png[offset + 8..<offset + 8 + length])
                #expect(header[0..<4].reduce(0) { $0 << 8 | Int($1) } == 300)
                #expect(header[4..<8].reduce(0) { $0 << 8 | Int($1) } == 300)
                #expect(Array(header[8...]) == [1, 0, 0, 0, 0])
            }
            offset += 12 + length
        }
        #expect(chunks == ["IHDR", "IDAT", "IEND"])
        #expect(offset == png.count)
        #expect(modules.pngPixelsPerModule(width: 300) == 300 / side)
        #expect(modules.pngPixelsPerModule(width: side) == 1)
        #expect(throws: QRImageError.tooNarrow(width: side - 1, modules: side)) { try modules.png(width: side - 1) }
    }

    /// Two module rows a line, light modules drawn, the quiet zone all around, no trailing spaces.
    @Test func terminalTextShape() throws {
        let modules = try QRSymbol(text: Self.link, correction: .medium).modules
        let side = modules.size + 8
        let lines = modules.terminalText().split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        #expect(lines.count == (side + 1) / 2)
        #expect(lines.allSatisfy { $0.count == side && !$0.hasSuffix(" ") })
        #expect(lines[0] == Substring(String(repeating: "\u{2588}", count: side)))
        // The last line's lower half lies past the code: only the quiet zone's upper halves.
        #expect(lines.last == Substring(String(repeating: "\u{2580}", count: side)))
        // Line 2 holds module rows 0 and 1 (after 4 quiet rows). In column 0 both are the finder's dark ring (no
        // glyph); in column 1 row 0 is the ring, row 1 the light inside (a lower half).
        let line = Array(lines[2])
        #expect(line[4] == " ")
        #expect(line[5] == "\u{2584}")
    }
}
