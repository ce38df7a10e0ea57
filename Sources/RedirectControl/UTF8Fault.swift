/// The place of the first byte that is not valid UTF-8, so a message can point at it like an editor would.
struct UTF8Fault: Equatable {
    /// 1-based line.
    var line: Int
    /// 1-based column, counted in characters (Unicode scalars) before the bad byte.
    var column: Int
    /// The offending byte.
    var byte: UInt8

    /// Where decoding `bytes` first fails; 1:1 and byte 0 if it never does.
    static func locate(in bytes: [UInt8]) -> UTF8Fault {
        var line = 1
        var column = 1
        var offset = 0
        var parser = Unicode.UTF8.ForwardParser()
        var iterator = bytes.makeIterator()
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let encoded):
                if encoded.count == 1 && encoded.first == UInt8(ascii: "\n") {
                    line += 1
                    column = 1
                } else {
                    column += 1
                }
                offset += encoded.count
            case .error:
                return UTF8Fault(line: line, column: column, byte: bytes[offset])
            case .emptyInput:
                return UTF8Fault(line: 1, column: 1, byte: 0)
            }
        }
    }
}
