import BotDetection

extension BotCategory {
    /// The category of a recorded click, from its event's fields; nil when the click was not flagged.
    ///
    /// Events carry `bot_category`; for lines written before that field existed, the category is worked out
    /// again from `bot` and the request (`head-request`, `no-user-agent`, else the user agent; a label the
    /// matcher no longer gives counts as a crawler).
    public static func of(bot: String?, category: String?, method: String?, userAgent: String?) -> BotCategory? {
        guard let bot else { return nil }
        if let category, let known = BotCategory(rawValue: category) { return known }
        switch bot {
        case BotMatch.headRequest.label: return .preview
        case BotMatch.noUserAgent.label: return .other
        default:
            guard let userAgent, !userAgent.isEmpty else { return .crawler }
            return BotMatcher.match(userAgent: userAgent)?.category ?? .crawler
        }
    }
}
