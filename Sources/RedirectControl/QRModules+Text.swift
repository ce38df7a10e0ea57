extension QRModules {
    /// The code for a terminal, two module rows per line in Unicode half blocks, for light text on a dark
    /// background: the glyphs draw the light modules and the quiet zone, the terminal's dark background shows
    /// through as the dark modules.
    ///
    /// Light-on-dark is what most terminal emulators and remote consoles show by default. On a dark-on-light
    /// terminal the code appears inverted, which many phone cameras do not read: use `--format png` or `svg`
    /// there. Each line ends with the quiet zone's glyphs, never a space, so copying the text keeps its width.
    public func terminalText() -> String {
        let side = sizeWithQuietZone
        let offset = Self.quietZone
        func isLight(_ row: Int, _ column: Int) -> Bool {
            row < side && !isDark(row: row - offset, column: column - offset)
        }
        var text = ""
        for top in stride(from: 0, to: side, by: 2) {
            for column in 0..<side {
                switch (isLight(top, column), isLight(top + 1, column)) {
                case (true, true): text += "\u{2588}"
                case (true, false): text += "\u{2580}"
                case (false, true): text += "\u{2584}"
                case (false, false): text += " "
                }
            }
            text += "\n"
        }
        return text
    }
}
