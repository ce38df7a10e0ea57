import TOML

extension RedirectTableReader {
    /// Why a file may not name `_via`: the responder takes it out of every query before anything reads it.
    static let reservedParameterMessage =
        "the query parameter \(ClickVia.parameter) is reserved (redirectd takes it out of every query and "
        + "records it as the event's via), so no file can read or set it"

    /// An error when target `url` sets `_via` in its own query, or reads it with a `{query._via}` placeholder.
    mutating func checkReservedParameter(in url: String, label: String, at position: TOMLPosition) {
        checkReservedPlaceholder(in: url, label: label, at: position)
        guard let question = url.firstIndex(of: "?") else { return }
        let query = url[url.index(after: question)...].prefix { $0 != "#" }
        for part in query.split(separator: "&") {
            let name = part.firstIndex(of: "=").map { part[..<$0] } ?? part
            if ClickVia.isReserved(PercentEncoding.decode(name)) {
                report(position, "\(label) sets \(name): \(Self.reservedParameterMessage)")
                return
            }
        }
    }

    /// An error when `text` holds the placeholder `{query._via}`, which would always be empty.
    mutating func checkReservedPlaceholder(in text: String, label: String, at position: TOMLPosition) {
        for name in Placeholders.names(in: text)
        where name.hasPrefix("query.") && ClickVia.isReserved(name.dropFirst(6)) {
            report(position, "\(label) has the placeholder {\(name)}: \(Self.reservedParameterMessage)")
        }
    }
}
