/// A TOML array (`[1, 2]`) or array of tables (`[[products]]`), each element with the place it was written.
public struct TOMLArray: Sendable, Equatable {
    /// One element and where it starts (for an array of tables, the `[[` of its header).
    public struct Element: Sendable, Equatable {
        public var value: TOMLValue
        public var position: TOMLPosition

        public init(value: TOMLValue, position: TOMLPosition) {
            self.value = value
            self.position = position
        }
    }

    public var elements: [Element]

    public init(elements: [Element] = []) {
        self.elements = elements
    }

    /// The values without their positions.
    public var values: [TOMLValue] { elements.map(\.value) }
    public var count: Int { elements.count }
}
