/// A table while the document is being read: it can still grow, and it remembers how it came to exist,
/// which decides what may add to it later (TOML's rules against defining a table twice).
///
/// Builders live inside one parse on one thread, and no access to their properties overlaps another (nothing
/// holds `table` in place while calling out), so the properties skip the run-time exclusivity bookkeeping,
/// which cost about a tenth of a redirect file's parse.
final class TOMLTableBuilder {
    /// How the table came to exist.
    enum Origin: Equatable {
        /// The document's top level.
        case root
        /// Named by a `[header]` or as an element of `[[header]]`: defined, keys follow the header.
        case header
        /// Created as the parent of a header (`a` for `[a.b]`): a later `[a]` may still define it.
        case implicit
        /// Created by a dotted key (`a.b = 1` creates `a`): dotted keys may add to it, no header may define it.
        case dotted
        /// An inline table while it is being read; closed for good at its `}`.
        case inline
    }

    /// What a key holds while the document is being read.
    enum Node {
        case value(TOMLValue)
        case table(TOMLTableBuilder)
        case tableArray(TOMLTableArrayBuilder)
    }

    struct Slot {
        var key: String
        var keyPosition: TOMLPosition
        var node: Node
        var valuePosition: TOMLPosition
    }

    @exclusivity(unchecked) var origin: Origin
    /// Levels below the document's top level.
    let depth: Int
    /// The table as read so far. An entry whose value is a table still being read holds a placeholder until
    /// `finish()`, and its builder is in `children`.
    @exclusivity(unchecked) private var table = TOMLTable(uniqueCapacity: 8)
    /// For each entry of `table`, by offset, its builder's index in `children`, or -1 for a plain value;
    /// nil while no entry has a builder.
    @exclusivity(unchecked) private var childOf: [Int32]?
    @exclusivity(unchecked) private var children: [Node] = []

    init(origin: Origin, depth: Int) {
        self.origin = origin
        self.depth = depth
    }

    /// The slot of `key` itself, or nil when the table does not have it.
    func slot(named key: String) -> Slot? {
        guard let offset = table.offset(of: key) else { return nil }
        let entry = table.entries[offset]
        let child = childOf.map { Int($0[offset]) } ?? -1
        return Slot(
            key: entry.key, keyPosition: entry.keyPosition, node: child < 0 ? .value(entry.value) : children[child],
            valuePosition: entry.valuePosition)
    }

    /// Adds a key that is not in the table yet.
    func append(_ slot: Slot) {
        let value: TOMLValue
        if case .value(let plain) = slot.node {
            value = plain
            childOf?.append(-1)
        } else {
            if childOf == nil { childOf = [Int32](repeating: -1, count: table.count) }
            childOf?.append(Int32(children.count))
            children.append(slot.node)
            value = .boolean(false)
        }
        table.appendUnique(
            TOMLTable.Entry(
                key: slot.key, keyPosition: slot.keyPosition, value: value, valuePosition: slot.valuePosition))
    }

    /// The finished table; the builder is not used afterwards. The entries move into the result as they are;
    /// only the tables still being read are finished and put in place.
    func finish() -> TOMLTable {
        var finished = TOMLTable()
        swap(&finished, &table)
        guard let childOf else { return finished }
        for (offset, child) in childOf.enumerated() where child >= 0 {
            switch children[Int(child)] {
            case .table(let builder): finished.replaceValue(at: offset, with: .table(builder.finish()))
            case .tableArray(let builder): finished.replaceValue(at: offset, with: .array(builder.finish()))
            case .value: break
            }
        }
        return finished
    }
}
