/// The keys of redirect files and of `_defaults.toml`.
///
/// A file's keys are matched to these once, in one pass over the table (``RedirectTableReader/index(_:allowed:)``);
/// every typed read afterwards is an array access.
enum FileKey: Int, CaseIterable, Sendable {
    case url, status, eventType, source, name, description, tags, properties, forwardQuery, validFrom, validUntil
    case expiredURL, enabled, notFoundURL, anonymizeIP, honorPrivacySignals, baseURL, rules, variants, utm
    case kind

    /// The keys a redirect file may hold.
    static let redirect: [FileKey] = [
        .url, .status, .eventType, .source, .name, .description, .tags, .properties, .forwardQuery, .validFrom,
        .validUntil, .expiredURL, .enabled, .rules, .variants, .utm, .kind,
    ]
    /// The keys a pixel's file (`kind = "pixel"`) may not hold: they shape a target, and a pixel has none.
    static let notForPixels: [FileKey] = [.url, .status, .forwardQuery, .expiredURL, .rules, .variants]
    /// The keys `_defaults.toml` may hold.
    static let defaults: [FileKey] = [
        .source, .eventType, .properties, .notFoundURL, .anonymizeIP, .honorPrivacySignals, .baseURL, .utm,
    ]

    /// The key as written in a file.
    var name: String {
        switch self {
        case .url: "url"
        case .status: "status"
        case .eventType: "event_type"
        case .source: "source"
        case .name: "name"
        case .description: "description"
        case .tags: "tags"
        case .properties: "properties"
        case .forwardQuery: "forward_query"
        case .validFrom: "valid_from"
        case .validUntil: "valid_until"
        case .expiredURL: "expired_url"
        case .enabled: "enabled"
        case .notFoundURL: "not_found_url"
        case .anonymizeIP: "anonymize_ip"
        case .honorPrivacySignals: "honor_privacy_signals"
        case .baseURL: "base_url"
        case .rules: "rules"
        case .variants: "variants"
        case .utm: "utm"
        case .kind: "kind"
        }
    }

    /// The key written as `name`, or nil for a name no file may use. Sorted by length first, so that a name
    /// is compared with at most four others.
    init?(name: String) {
        let key: FileKey?
        switch name.utf8.count {
        case 3: key = name == "url" ? .url : name == "utm" ? .utm : nil
        case 4: key = name == "name" ? .name : name == "tags" ? .tags : name == "kind" ? .kind : nil
        case 5: key = name == "rules" ? .rules : nil
        case 6: key = name == "source" ? .source : name == "status" ? .status : nil
        case 7: key = name == "enabled" ? .enabled : nil
        case 8: key = name == "base_url" ? .baseURL : name == "variants" ? .variants : nil
        case 10:
            key =
                name == "event_type"
                ? .eventType
                : name == "properties"
                    ? .properties
                    : name == "valid_from" ? .validFrom : nil
        case 11:
            key =
                name == "description"
                ? .description
                : name == "valid_until"
                    ? .validUntil
                    : name == "expired_url" ? .expiredURL : nil
        case 12: key = name == "anonymize_ip" ? .anonymizeIP : nil
        case 13: key = name == "forward_query" ? .forwardQuery : name == "not_found_url" ? .notFoundURL : nil
        case 21: key = name == "honor_privacy_signals" ? .honorPrivacySignals : nil
        default: key = nil
        }
        guard let key else { return nil }
        self = key
    }
}
