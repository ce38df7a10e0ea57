/// A TOML table: keys in the order the document gives them, each with the place of the key and of its value.
public struct TOMLTable: Sendable, Equatable {
    /// One key of the table.
    public struct Entry: Sendable, Equatable {
        public var key: String
        /// Where the key is written; for a dotted key (`a.b.c = 1`), where this part of it is.
        public var keyPosition: TOMLPosition
        public var value: TOMLValue
        /// Where the value starts; for a table opened by a header, where the header starts.
        public var valuePosition: TOMLPosition

        public init(key: String, keyPosition: TOMLPosition, value: TOMLValue, valuePosition: TOMLPosition) {
            self.key = key
            self.keyPosition = keyPosition
            self.value = value
            self.valuePosition = valuePosition
        }
    }

    public private(set) var entries: [Entry]
    /// Positions by key, built only for tables too big for a linear search to be the cheaper lookup.
    private var index: [String: Int]?

    /// Above this many keys, lookups go through a hash table.
    static let linearSearchLimit = 12

    public init(entries: [Entry] = []) {
        self.entries = []
        self.entries.reserveCapacity(entries.count)
        for entry in entries { set(entry) }
    }

    /// An empty table for keys known to be distinct (the parser has checked them).
    init(uniqueCapacity: Int) {
        entries = []
        entries.reserveCapacity(uniqueCapacity)
    }

    /// Adds an entry whose key is known not to be in the table.
    mutating func appendUnique(_ entry: Entry) {
        entries.append(entry)
        if index != nil {
            index?[entry.key] = entries.count - 1
        } else if entries.count > Self.linearSearchLimit {
            var built = [String: Int](minimumCapacity: entries.count * 2)
            for (offset, existing) in entries.enumerated() { built[existing.key] = offset }
            index = built
        }
    }

    /// Puts `value` in the entry at `offset`, keeping its key and positions.
    mutating func replaceValue(at offset: Int, with value: TOMLValue) {
        entries[offset].value = value
    }

    public var keys: [String] { entries.map(\.key) }
    public var count: Int { entries.count }
    public var isEmpty: Bool { entries.isEmpty }

    /// The entry for `key`, with its positions.
    public func entry(_ key: String) -> Entry? {
        offset(of: key).map { entries[$0] }
    }

    public subscript(key: String) -> TOMLValue? {
        offset(of: key).map { entries[$0].value }
    }

    /// Adds `entry`, or replaces the entry with the same key in place.
    public mutating func set(_ entry: Entry) {
        if let existing = offset(of: entry.key) {
            entries[existing] = entry
            return
        }
        appendUnique(entry)
    }

    /// The offset in `entries` of the entry for `key`.
    func offset(of key: String) -> Int? {
        if let index { return index[key] }
        // Lengths first: most keys differ in length, and comparing those is one load.
        let length = key.utf8.count
        return entries.firstIndex { $0.key.utf8.count == length && $0.key == key }
    }

    public static func == (a: TOMLTable, b: TOMLTable) -> Bool { a.entries == b.entries }
}
