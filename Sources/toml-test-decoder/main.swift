import SystemIO
import SystemPackage
import TOML

// toml-test's decoder interface: TOML on standard input; its tagged JSON on standard output and exit 0, or a
// message on standard error and exit 1 when the document is not valid TOML 1.0.
#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

let input: [UInt8]
do {
    input = try FileDescriptor.standardInput.readToEnd()
} catch {
    StandardError.log("toml-test-decoder: cannot read standard input: \(error)")
    exit(2)
}

do {
    let table = try TOMLParser().parse(utf8: input)
    print(table.taggedJSON)
    exit(0)
} catch {
    StandardError.log("toml-test-decoder: \(error)")
    exit(1)
}
