/// Bounds that keep hostile input cheap to refuse.
///
/// Parsing is linear in the size of the document; these bounds cap the size itself and the nesting, whose
/// depth would otherwise be paid for in stack (the parser and the value's destruction recurse once per level).
public struct TOMLLimits: Sendable, Equatable {
    /// Most bytes a document may have.
    public var maxBytes: Int
    /// Most levels of nesting: tables inside tables (by headers, dotted keys or inline tables) and arrays
    /// inside arrays, counted together.
    public var maxDepth: Int

    public init(maxBytes: Int = 1 << 20, maxDepth: Int = 64) {
        self.maxBytes = maxBytes
        self.maxDepth = maxDepth
    }
}
