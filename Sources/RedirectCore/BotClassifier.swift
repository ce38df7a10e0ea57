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

    /// ``classify(method:userAgent:)`` for a request, reading its user agent in place.
    public static func classify(_ request: ClickRequest) -> BotMatch? {
        if request.isHead { return .headRequest }
        return request.fields.withBytes(of: ClickRequest.Parameter.userAgent.rawValue) { agent in
            guard let agent, !agent.isEmpty else { return .noUserAgent }
            return BotMatcher.match(agent)
        }
    }
}
