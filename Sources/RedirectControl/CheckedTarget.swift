/// One distinct URL `check --targets` requests, with every place that sends a visitor there.
public struct CheckedTarget: Equatable, Sendable {
    /// The URL as requested: the file's text with placeholders filled with sample values.
    public var url: String
    /// Every place it is written, in file order.
    public var places: [TargetPlace]

    public init(url: String, places: [TargetPlace]) {
        self.url = url
        self.places = places
    }
}
