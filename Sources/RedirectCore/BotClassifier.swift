/// Recognises clicks that look automated: link previews, crawlers, monitors, scripts, and HEAD requests.
///
/// Such clicks are flagged in the event's `bot` and `bot_category` fields, never dropped: the visitor still
/// gets the redirect. The user agent goes through ``BotMatcher``, the one matcher every reader uses.
public enum BotClassifier {
    /// Why the request looks automated, or nil when it looks like a person.
    public static func classify(method: String, userAgent: String?) -> BotMatch? {
        if method == "HEAD" { return .headRequest }
        guard let userAgent, !userAgent.isEmpty else { return .noUserAgent }
        return BotMatcher.match(userAgent: userAgent)
    }
}
