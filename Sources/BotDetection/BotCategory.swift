/// What kind of automated client a flagged click came from: the event's `bot_category`.
public enum BotCategory: String, CaseIterable, Sendable {
    /// Search engines, SEO tools, archivers, ad and research crawlers.
    case crawler
    /// Link previewers (chat apps, social networks, mail clients) and `HEAD` requests.
    case preview
    /// Uptime and link checkers.
    case monitor
    /// Crawlers and fetchers of AI companies.
    case ai
    /// HTTP libraries, command-line tools and headless browsers: scripts, not people.
    case library
    /// Security scanners, mail gateways among them, that open links to look behind them.
    case scanner
    /// Feed readers and podcast apps.
    case feed
    /// A request without a user agent.
    case other

    /// The categories in a comma-separated list such as `preview,scanner`; empty parts are ignored.
    public static func parseList(_ text: String) throws(BotCategoryError) -> Set<BotCategory> {
        var categories: Set<BotCategory> = []
        for part in text.split(separator: ",") {
            let name = String(part.drop(while: { $0 == " " }).reversed().drop(while: { $0 == " " }).reversed())
            if name.isEmpty { continue }
            guard let category = BotCategory(rawValue: name.lowercased()) else {
                throw BotCategoryError(name: name)
            }
            categories.insert(category)
        }
        return categories
    }
}

/// A bot category name that is not one of ``BotCategory``'s.
public struct BotCategoryError: Error, Equatable, CustomStringConvertible {
    public var name: String

    public var description: String {
        let known = BotCategory.allCases.map(\.rawValue).joined(separator: ", ")
        return "unknown bot category \"\(name)\": expected one or more of \(known), separated by commas"
    }
}
