import TOML

// toml-test's decoder interface: TOML on standard input; its tagged JSON on standard output and exit 0, or a
// message on standard error and exit 1 when the document is not valid TOML 1.0.
#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Writes `message` and a line end to standard error.
func complain(_ message: String) {
    var line = Array((message + "\n").utf8)
    _ = line.withUnsafeMutableBytes { write(2, $0.baseAddress, $0.count) }
}

var input: [UInt8] = []
var chunk = [UInt8](repeating: 0, count: 65_536)
while true {
    let n = chunk.withUnsafeMutableBytes { read(0, $0.baseAddress, $0.count) }
    if n < 0 && errno == EINTR { continue }
    if n < 0 {
        complain("toml-test-decoder: cannot read standard input: \(String(cString: strerror(errno)))")
        exit(2)
    }
    if n == 0 { break }
    input.append(contentsOf: chunk[..<n])
}

do {
    let table = try TOMLParser().parse(utf8: input)
    print(table.taggedJSON)
    exit(0)
} catch {
    complain("toml-test-decoder: \(error)")
    exit(1)
}
