/// The UTM parameters of a `[utm]` table (in a redirect file or `_defaults.toml`), added to the query of every
/// target of a file when the file is read, so that a campaign's links all carry the same ones.
public struct UTMParameters: Equatable, Sendable {
    /// The five parameters, in the order they are added to a URL.
    public enum Key: Int, CaseIterable, Sendable {
        case source, medium, campaign, term, content

        /// The key as written under `[utm]`.
        public var name: String {
            switch self {
            case .source: "source"
            case .medium: "medium"
            case .campaign: "campaign"
            case .term: "term"
            case .content: "content"
            }
        }

        /// The query parameter, which is also the event property's name: `utm_source`.
        public var parameter: String {
            switch self {
            case .source: "utm_source"
            case .medium: "utm_medium"
            case .campaign: "utm_campaign"
            case .term: "utm_term"
            case .content: "utm_content"
            }
        }

        public init?(name: String) {
            guard let key = Key.allCases.first(where: { $0.name == name }) else { return nil }
            self = key
        }
    }

    public var source: String?
    public var medium: String?
    public var campaign: String?
    public var term: String?
    public var content: String?

    public init(
        source: String? = nil, medium: String? = nil, campaign: String? = nil, term: String? = nil,
        content: String? = nil
    ) {
        self.source = source
        self.medium = medium
        self.campaign = campaign
        self.term = term
        self.content = content
    }

    public subscript(key: Key) -> String? {
        get {
            switch key {
            case .source: source
            case .medium: medium
            case .campaign: campaign
            case .term: term
            case .content: content
            }
        }
        set {
            switch key {
            case .source: source = newValue
            case .medium: medium = newValue
            case .campaign: campaign = newValue
            case .term: term = newValue
            case .content: content = newValue
            }
        }
    }

    /// Whether no parameter is set: a file without `[utm]` under defaults without one.
    public var isEmpty: Bool { Key.allCases.allSatisfy { self[$0] == nil } }

    /// These values, and `base`'s where these have none: a file's `[utm]` over the defaults'.
    public func over(_ base: UTMParameters) -> UTMParameters {
        var merged = base
        for key in Key.allCases {
            if let value = self[key] { merged[key] = value }
        }
        return merged
    }

    /// The parameters that are set, as (`utm_source`, value) pairs in ``Key`` order.
    public var parameters: [(name: String, value: String)] {
        Key.allCases.compactMap { key in self[key].map { (key.parameter, $0) } }
    }
}
