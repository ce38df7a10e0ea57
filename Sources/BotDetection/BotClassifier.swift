/// Recognises clicks that look automated: link previews, crawlers, monitors, scripts, and HEAD requests.
///
/// Such clicks are flagged in the event's `bot` and `bot_category` fields, never dropped: the visitor still
/// gets the redirect. The user agent goes through ``BotMatcher``, the one matcher every reader uses.
public enum BotClassifier {
    /// Why the request looks automated, or nil when it looks like a person.
    public static func classify(method: String, userAgent: String?) -> BotMatch? {
        guard var agent = userAgent else { return classify(isHead: method == "HEAD", userAgent: nil) }
        return agent.withUTF8 { classify(isHead: method == "HEAD", userAgent: $0) }
    }

    /// The rule every `classify` takes: a HEAD request, then a missing or empty user agent, then ``BotMatcher``.
    ///
    /// For a caller that holds the user agent as bytes (the core's request, without copying it to a string).
    public static func classify(isHead: Bool, userAgent: UnsafeBufferPointer<UInt8>?) -> BotMatch? {
        if isHead { return .headRequest }
        guard let userAgent, !userAgent.isEmpty else { return .noUserAgent }
        return BotMatcher.match(userAgent)
    }
}
