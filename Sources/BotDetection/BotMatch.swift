/// Why a click looks automated: the event's `bot` and `bot_category`.
public struct BotMatch: Equatable, Hashable, Sendable {
    /// Names what matched, e.g. `googlebot`, `slack-preview`, `head-request`.
    public var label: String
    public var category: BotCategory

    public init(label: String, category: BotCategory) {
        self.label = label
        self.category = category
    }

    /// A `HEAD` request: link previewers and link checkers ask for the headers only.
    public static let headRequest = BotMatch(label: "head-request", category: .preview)
    /// A request without a user agent: no browser sends one.
    public static let noUserAgent = BotMatch(label: "no-user-agent", category: .other)
}
