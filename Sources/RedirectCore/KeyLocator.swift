/// Finds where a key is written in a TOML text, for messages that point at the right line.
///
/// TOMLKit reports positions for syntax errors only; a wrong type or an unknown key is found after parsing,
/// so its place is looked up in the text.
struct KeyLocator {
    private let lines: [Substring]

    init(text: String) {
        lines = text.split(separator: "\n", omittingEmptySubsequences: false)
    }

    /// Line and column (both 1-based) of `key` in table `table` (nil for the top level), or 1:1 if not found.
    func position(ofKey key: String, inTable table: String? = nil) -> (line: Int, column: Int) {
        var current: String? = nil
        for (index, line) in lines.enumerated() {
            let trimmed = line.drop { $0 == " " || $0 == "\t" }
            if trimmed.hasPrefix("[") {
                let name = trimmed.drop { $0 == "[" }.prefix { $0 != "]" }
                current = name.trimmingSpaces
                continue
            }
            let column = line.count - trimmed.count + 1
            guard let eq = trimmed.firstIndex(of: "=") else { continue }
            var written = trimmed[..<eq].trimmingSpaces
            if written.hasPrefix("\"") || written.hasPrefix("'") { written = String(written.dropFirst().dropLast()) }
            if current == table && written == key { return (index + 1, column) }
            if current == nil, let table, written == "\(table).\(key)" { return (index + 1, column) }
        }
        if let table {
            for (index, line) in lines.enumerated() where line.trimmingSpaces == "[\(table)]" {
                return (index + 1, 1)
            }
        }
        return (1, 1)
    }
}

extension Substring {
    var trimmingSpaces: String {
        String(self.drop { $0 == " " || $0 == "\t" || $0 == "\r" }.reversed().drop { $0 == " " || $0 == "\t" || $0 == "\r" }.reversed())
    }
}
