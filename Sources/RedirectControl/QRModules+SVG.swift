extension QRModules {
    /// The code as an SVG document, `width` user units wide and high (nil: 8 per module).
    ///
    /// The viewBox counts modules, quiet zone included, so the picture scales to any size; one `<path>` draws
    /// every dark run of a row as a rectangle, and `crispEdges` asks renderers not to blur the edges between
    /// modules. Nothing in it depends on time or locale: the same code gives the same bytes.
    public func svg(width: Int? = nil) -> String {
        let side = sizeWithQuietZone
        let pixels = width ?? side * Self.defaultPixelsPerModule
        var path = ""
        for row in 0..<size {
            var column = 0
            while column < size {
                guard isDark(row: row, column: column) else {
                    column += 1
                    continue
                }
                var end = column
                while end < size, isDark(row: row, column: end) { end += 1 }
                let x = column + Self.quietZone
                let y = row + Self.quietZone
                path += "M\(x) \(y)h\(end - column)v1h-\(end - column)z"
                column = end
            }
        }
        return """
            <?xml version="1.0" encoding="UTF-8"?>
            <svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="\(pixels)" height="\(pixels)" \
            viewBox="0 0 \(side) \(side)" shape-rendering="crispEdges">
            <rect width="\(side)" height="\(side)" fill="#fff"/>
            <path fill="#000" d="\(path)"/>
            </svg>

            """
    }

    /// Pixels (or SVG units) per module when no width is asked for: big enough for a phone at arm's length on a
    /// screen, small enough for a page.
    public static let defaultPixelsPerModule = 8
}
