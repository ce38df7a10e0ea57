/// An array of tables (`[[name]]`) while the document is being read: every header adds a table.
final class TOMLTableArrayBuilder {
    /// Unchecked for exclusivity, as `TOMLTableBuilder`'s properties are.
    @exclusivity(unchecked) private(set) var tables: [(table: TOMLTableBuilder, position: TOMLPosition)]

    init(first: TOMLTableBuilder, at position: TOMLPosition) {
        tables = [(first, position)]
    }

    /// The table the latest header opened; headers below this array's name add to it.
    var last: TOMLTableBuilder { tables[tables.count - 1].table }

    func append(_ table: TOMLTableBuilder, at position: TOMLPosition) {
        tables.append((table, position))
    }

    func finish() -> TOMLArray {
        TOMLArray(elements: tables.map { TOMLArray.Element(value: .table($0.table.finish()), position: $0.position) })
    }
}
