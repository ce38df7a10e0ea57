/// A table while the document is being read: it can still grow, and it remembers how it came to exist,
/// which decides what may add to it later (TOML's rules against defining a table twice).
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

    var origin: Origin
    /// Levels below the document's top level.
    let depth: Int
    private(set) var slots: [Slot] = []
    private var index: [String: Int]?

    init(origin: Origin, depth: Int) {
        self.origin = origin
        self.depth = depth
        slots.reserveCapacity(8)
    }

    /// The slot of `key`, or nil when the table does not have it.
    func lookup(_ key: String) -> Int? {
        if let index { return index[key] }
        let length = key.utf8.count
        return slots.firstIndex { $0.key.utf8.count == length && $0.key == key }
    }

    /// The slot of `key` itself, or nil.
    func slot(named key: String) -> Slot? {
        lookup(key).map { slots[$0] }
    }

    /// Adds a key that is not in the table yet.
    func append(_ slot: Slot) {
        slots.append(slot)
        if index != nil {
            index?[slot.key] = slots.count - 1
        } else if slots.count > TOMLTable.linearSearchLimit {
            var built = [String: Int](minimumCapacity: slots.count * 2)
            for (offset, existing) in slots.enumerated() { built[existing.key] = offset }
            index = built
        }
    }

    /// The finished table; the builder is not used afterwards.
    func finish() -> TOMLTable {
        var table = TOMLTable(uniqueCapacity: slots.count)
        for slot in slots {
            let value: TOMLValue
            switch slot.node {
            case .value(let v): value = v
            case .table(let builder): value = .table(builder.finish())
            case .tableArray(let builder): value = .array(builder.finish())
            }
            table.appendUnique(
                TOMLTable.Entry(
                    key: slot.key, keyPosition: slot.keyPosition, value: value, valuePosition: slot.valuePosition))
        }
        return table
    }
}
