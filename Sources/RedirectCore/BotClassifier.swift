/// Recognises clicks that look automated: link previews, crawlers, scripts, and HEAD requests.
///
/// Such clicks are flagged in the event's `bot` field, never dropped: the visitor still gets the redirect.
public enum BotClassifier {
    /// Known automated user agents: a lowercase substring and the label the event carries.
    ///
    /// Kept as data in one place so that adding an agent is one line and one test case. The first match
    /// wins, so more specific entries come before the ones they contain.
    public static let userAgentPatterns: [(substring: String, label: String)] = [
        ("slackbot", "slack"),
        ("slack-imgproxy", "slack"),
        ("facebookexternalhit", "facebook"),
        ("facebookcatalog", "facebook"),
        ("meta-externalagent", "facebook"),
        // Telegram's agent says "like TwitterBot": it must come first.
        ("telegrambot", "telegram"),
        ("twitterbot", "twitter"),
        ("linkedinbot", "linkedin"),
        ("whatsapp", "whatsapp"),
        ("discordbot", "discord"),
        ("skypeuripreview", "skype"),
        ("microsoftpreview", "microsoft-preview"),
        ("bingpreview", "bing-preview"),
        ("bingbot", "bing"),
        ("googlebot", "google"),
        ("google-inspectiontool", "google"),
        ("googleother", "google"),
        ("adsbot-google", "google"),
        ("mediapartners-google", "google"),
        ("applebot", "apple"),
        ("yandexbot", "yandex"),
        ("baiduspider", "baidu"),
        ("duckduckbot", "duckduckgo"),
        ("pinterestbot", "pinterest"),
        ("redditbot", "reddit"),
        ("embedly", "embedly"),
        ("iframely", "iframely"),
        ("mattermost", "mattermost"),
        ("ahrefsbot", "ahrefs"),
        ("semrushbot", "semrush"),
        ("petalbot", "petal"),
        ("gptbot", "openai"),
        ("barracuda", "mail-scanner"),
        ("proofpoint", "mail-scanner"),
        ("mimecast", "mail-scanner"),
        ("curl/", "curl"),
        ("wget/", "wget"),
        ("python-requests", "python-requests"),
        ("python-urllib", "python-urllib"),
        ("aiohttp", "aiohttp"),
        ("httpx", "httpx"),
        ("go-http-client", "go-http-client"),
        ("java/", "java"),
        ("okhttp", "okhttp"),
        ("libwww-perl", "libwww-perl"),
        ("node-fetch", "node-fetch"),
        ("axios/", "axios"),
        ("headlesschrome", "headless-chrome"),
        ("phantomjs", "phantomjs"),
        ("bot/", "generic-bot"),
        ("crawler", "generic-crawler"),
        ("spider", "generic-spider"),
    ]

    /// Why the request looks automated, or nil when it looks like a person.
    public static func classify(method: String, userAgent: String?) -> String? {
        if method == "HEAD" { return "head-request" }
        guard let userAgent, !userAgent.isEmpty else { return "no-user-agent" }
        let lowered = userAgent.lowercased()
        for pattern in userAgentPatterns where lowered.contains(pattern.substring) {
            return pattern.label
        }
        return nil
    }
}
