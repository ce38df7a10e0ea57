// Fuzz target "toml": any bytes through our TOML parser. It must refuse or accept without crashing, hanging or
// growing without bound (the depth and size limits); a refusal points into the document; an acceptance gives
// values whose positions are in the document and whose tagged JSON is well-formed and stable.
#if canImport(Glibc)
import Glibc
#endif
import TOML

/// Lines of `bytes` (split at LF) and the Unicode scalars on each, for position checks.
private func scalarsPerLine(_ bytes: [UInt8]) -> [Int] {
    // Split the scalars, not the characters: "\r\n" is one Character, and would hide a line.
    String(decoding: bytes, as: UTF8.self).unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false)
        .map(\.count)
}

private func checkPositions(_ table: TOMLTable, lines: [Int], _ context: @autoclosure () -> String) {
    func check(_ position: TOMLPosition, _ what: String) {
        require(position.line >= 1 && position.line <= lines.count, "\(what) at line \(position) [\(context())]")
        require(position.column >= 1 && position.column <= lines[position.line - 1] + 1,
                "\(what) at column \(position) [\(context())]")
    }
    func walk(_ value: TOMLValue) {
        switch value {
        case .table(let table):
            for entry in table.entries {
                check(entry.keyPosition, "key \(quoted(entry.key))")
                check(entry.valuePosition, "value of \(quoted(entry.key))")
                walk(entry.value)
            }
        case .array(let array):
            for element in array.elements {
                check(element.position, "array element")
                walk(element.value)
            }
        default: break
        }
    }
    walk(.table(table))
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTOML(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = size > 0 ? Array(UnsafeBufferPointer(start: data, count: size)) : []
    let context = quoted(String(decoding: bytes, as: UTF8.self))
    let lines = scalarsPerLine(bytes)
    do {
        let table = try TOMLParser().parse(utf8: bytes)
        checkPositions(table, lines: lines, context)
        let json = table.taggedJSON
        do {
            _ = try JSONChecker.parse(json.utf8)
        } catch {
            require(false, "tagged JSON \(error) [\(context)]")
        }
        // The same text as a String gives the same document.
        let again = try TOMLParser().parse(String(decoding: bytes, as: UTF8.self))
        require(again.taggedJSON == json, "parsing bytes and text differ [\(context)]")
    } catch {
        require(!error.message.isEmpty, "empty message [\(context)]")
        require(error.line >= 1 && error.line <= lines.count, "error line \(error) [\(context)]")
        require(error.column >= 1 && error.column <= lines[error.line - 1] + 1, "error column \(error) [\(context)]")
    }
    return 0
}
