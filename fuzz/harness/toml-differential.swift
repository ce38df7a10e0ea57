// Fuzz target "toml-differential": documents our TOML parser accepts go to toml++ (through TOMLKit) as well,
// and both readings must be the same values (TOMLOracle's canonical tagged JSON). toml++ sees only what we
// accept: if it refuses one, or aborts on one (its assertions), we accepted something it holds invalid,
// and that is a finding, to be settled against the TOML 1.0 specification.
#if canImport(Glibc)
import Glibc
#endif
import TOML
import TOMLOracle

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTOMLDifferential(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = size > 0 ? Array(UnsafeBufferPointer(start: data, count: size)) : []
    guard let table = try? TOMLParser().parse(utf8: bytes) else { return 0 }
    let text = String(decoding: bytes, as: UTF8.self)
    // toml++ takes U+FEFF for whitespace after a line-ending backslash in a multi-line string; TOML's
    // whitespace is space and tab only, so we keep it. A known difference: not reported.
    if text.unicodeScalars.dropFirst().contains("\u{FEFF}") { return 0 }
    // toml++ refuses numbers of more than 128 digits and second fractions of more than 64, limits of its own
    // (TOML has none): documents with long digit runs are not compared.
    var run = 0
    for b in bytes {
        run = (b >= 0x30 && b <= 0x39) || b == UInt8(ascii: "_") || b == UInt8(ascii: ".") ? run + 1 : 0
        if run > 60 { return 0 }
    }
    let context = quoted(text)
    let ours = TOMLKitOracle.canonicalJSON(of: table)
    switch TOMLKitOracle.canonicalJSON(parsing: text) {
    case .success(let theirs):
        require(theirs == ours, "toml++ reads \(theirs), we read \(ours) [\(context)]")
    case .failure(let refusal):
        require(false, "toml++ refuses what we accept: \(refusal) [\(context)]")
    }
    return 0
}
