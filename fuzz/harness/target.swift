// Fuzz target "target": TargetBuilder.build with placeholders and a forwarded query.
//
// Input: fields split at 0xFE: template, session (0xFD alone: none), redirect id, click id, raw query string,
// flags (bit 0: forward_query, bit 1: "override" rather than true). Only templates that a redirect file may hold (TargetURL.problem == nil, known
// placeholders) are built, as in the responder.
@testable import RedirectCore

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTarget(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    var fields = FuzzFields(data, size)
    let template = fields.string()
    let session = fields.optionalString()
    let redirect = fields.string()
    let clickID = fields.string()
    let query = fields.string()
    let flags = fields.byte()
    let forward = flags & 1 == 1
    let mode: ForwardQuery = forward ? (flags & 2 == 2 ? .override : .merge) : .off
    // What RedirectFileParser accepts as a url: a valid target whose placeholders are all known.
    guard TargetURL.problem(with: template) == nil,
        Placeholders.names(in: template).allSatisfy(Placeholders.isKnown)
    else { return 0 }
    let values = PlaceholderValues(
        session: session, redirect: redirect, clickID: clickID, query: QueryString(parsing: query))
    let result = TargetBuilder.build(template: template, values: values, forwardQuery: mode)
    require(result.utf8.count <= TargetBuilder.maxLength, "target of \(result.utf8.count) bytes")
    checkTarget(result, template: template,
                "session \(quoted(session ?? "nil")) redirect \(quoted(redirect)) click \(quoted(clickID)) "
                    + "query \(quoted(query)) forward \(forward)")
    // Every value is percent-encoded, so none can add a query parameter or a fragment of its own: with no
    // forwarded query, the result has as many `?` and `#` as the template.
    if !forward || values.query.pairs.isEmpty {
        for mark in ["?", "#"] {
            require(result.filter { String($0) == mark }.count == template.filter { String($0) == mark }.count,
                    "\(quoted(result)) has a different number of \(mark) than \(quoted(template))")
        }
    }
    // A forwarded query shows up in the target: each incoming name is there. Unless it would have made the
    // target longer than TargetBuilder.maxLength: then it is left out on purpose.
    let withoutQuery = TargetBuilder.build(template: template, values: values, forwardQuery: false)
    let leftOut = result == withoutQuery
        && TargetBuilder.merge(query: values.query, into: withoutQuery, visitorWins: mode == .override).utf8.count
            > TargetBuilder.maxLength
    if forward, !values.query.pairs.isEmpty, result != template, !leftOut {
        let fragmentless = result.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)[0]
        let queryPart = fragmentless.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        require(queryPart.count == 2, "forwarded query missing from \(quoted(result))")
        let merged = QueryString(parsing: String(queryPart.count == 2 ? queryPart[1] : ""))
        for pair in values.query.pairs {
            require(merged.pairs.contains { $0.name == pair.name },
                    "forwarded parameter \(quoted(pair.name)) missing from \(quoted(result))")
        }
    }
    return 0
}
