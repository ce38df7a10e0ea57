import Foundation

/// The figures of a report page as a browser test reads them: per `data-scope`, per `data-figure` table, per row
/// `data-key`, per `data-col` the integer in `data-value`. A small reader of our own markup (optional end tags
/// left out, plain attribute values unquoted), not a general HTML parser.
struct ReportTables {
    /// scope → figure → key → column → value.
    var scopes: [String: [String: [String: [String: Int]]]] = [:]
    /// Each figure's keys in page order.
    var order: [String: [String: [String]]] = [:]

    init(html: String) throws {
        let attribute = try NSRegularExpression(pattern: #"<(section|table|tr|td)\b([^>]*)>"#)
        let pair = try NSRegularExpression(pattern: #"(data-[a-z]+)(?:="([^"]*)"|=([^\s"'>]+))?"#)
        var scope: String?
        var figure: String?
        var key: String?
        let text = html as NSString
        for match in attribute.matches(in: html, range: NSRange(location: 0, length: text.length)) {
            let tag = text.substring(with: match.range(at: 1))
            let rest = text.substring(with: match.range(at: 2))
            var attributes: [String: String] = [:]
            for found in pair.matches(in: rest, range: NSRange(location: 0, length: (rest as NSString).length)) {
                let name = (rest as NSString).substring(with: found.range(at: 1))
                let quoted = found.range(at: 2)
                let bare = found.range(at: 3)
                var value = ""
                if quoted.location != NSNotFound {
                    value = (rest as NSString).substring(with: quoted)
                } else if bare.location != NSNotFound {
                    value = (rest as NSString).substring(with: bare)
                }
                attributes[name] = Self.unescape(value)
            }
            switch tag {
            case "section":
                scope = attributes["data-scope"]
                figure = nil
            case "table":
                figure = attributes["data-figure"]
                key = nil
            case "tr":
                key = attributes["data-key"]
                if let scope, let figure, let key {
                    order[scope, default: [:]][figure, default: []].append(key)
                    scopes[scope, default: [:]][figure, default: [:]][key] = [:]
                }
            default:
                if let scope, let figure, let key, let column = attributes["data-col"],
                    let value = attributes["data-value"].flatMap({ Int($0) })
                {
                    scopes[scope, default: [:]][figure, default: [:]][key, default: [:]][column] = value
                }
            }
        }
    }

    /// The value of one cell, nil when the page has none.
    func value(_ scope: String, _ figure: String, _ key: String, _ column: String = "value") -> Int? {
        scopes[scope]?[figure]?[key]?[column]
    }

    static func unescape(_ text: String) -> String {
        text.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&#39;", with: "'")
            .replacingOccurrences(of: "&amp;", with: "&")
    }
}
