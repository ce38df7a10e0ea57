import CountryCodes
import DeviceDetection
import Timestamps

@testable import RedirectCore
@testable import RedirectFiles

// Fuzz target "redirect-file": a redirect file's bytes, as a redirect and as `_defaults.toml`, through
// the parser (our TOML parser + the model), through RedirectStore reading it from disk, and through the
// responder with hostile requests.
#if canImport(Glibc)
    import Glibc
#endif

private let now = Timestamp(year: 2026, month: 6, day: 1, hour: 12)

/// Hostile requests each file is answered for: CR/LF, quotes and backslashes in every field.
private let requests: [ClickRequest] = [
    ClickRequest(
        method: "GET", pathInfo: "/fuzz/s-1", query: "utm_source=%0d%0aSet-Cookie:%20x&a=%22%5c&a=2&x=%FF",
        remoteAddress: "203.0.113.7", userAgent: "Mozilla \"quoted\" \\ \r\n", referer: "\u{2028}",
        acceptLanguage: "de\u{0}", host: "go.example.com\r\nX: y"),
    ClickRequest(method: "HEAD", pathInfo: "/fuzz/\u{FFFD}..%2f", query: "session=%7Bsession%7D&%7Bq%7D"),
]

private func checkResponse(
    _ decision: ClickDecision, allowedTemplates: [String], _ context: @autoclosure () -> String
) {
    let response = decision.response
    require(
        [301, 302, 303, 307, 308, 404, 405, 410].contains(response.status), "status \(response.status) [\(context())]")
    if let location = response.location {
        require(
            allowedTemplates.contains { browserOrigin(of: $0) == browserOrigin(of: location) },
            "location \(quoted(location)) is not on a host the file names \(allowedTemplates) [\(context())]")
        if let template = allowedTemplates.first(where: { browserOrigin(of: $0) == browserOrigin(of: location) }) {
            checkTarget(location, template: template, context())
        }
    }
    // The CGI header block: every line is `Name: value` with no CR or LF inside, then a blank line.
    let bytes = response.cgiBytes(includeBody: true)
    var lines: [ArraySlice<UInt8>] = []
    var start = 0
    var k = 0
    while k + 1 < bytes.count {
        if bytes[k] == 0x0D && bytes[k + 1] == 0x0A {
            lines.append(bytes[start..<k])
            start = k + 2
            if lines.last?.isEmpty == true { break }
            k += 2
        } else {
            k += 1
        }
    }
    require(lines.last?.isEmpty == true, "no end of headers [\(context())]")
    for line in lines.dropLast() {
        require(!line.contains(0x0D) && !line.contains(0x0A), "header with CR or LF [\(context())]")
        require(
            line.firstIndex(of: UInt8(ascii: ":")).map { $0 > line.startIndex } ?? false,
            "header line \(quoted(String(decoding: line, as: UTF8.self))) [\(context())]")
    }
    if let event = decision.event { checkEventLine(event.jsonLine(), context()) }
}

private let directory: String = {
    var template = Array("/tmp/redirectd-fuzz-XXXXXX".utf8CString)
    guard let made = mkdtemp(&template) else { fatalError("mkdtemp") }
    return String(cString: made)
}()

/// Writes `bytes` as `<directory>/fuzz.toml`, replacing the last input's file.
private func writeFile(_ bytes: [UInt8]) {
    let path = directory + "/fuzz.toml"
    unlink(path)
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
    guard fd >= 0 else { fatalError("cannot create \(path)") }
    var offset = 0
    while offset < bytes.count {
        let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + offset, bytes.count - offset) }
        guard n > 0 else { fatalError("cannot write \(path)") }
        offset += n
    }
    close(fd)
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRedirectFile(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = size > 0 ? Array(UnsafeBufferPointer(start: data, count: size)) : []
    let text = String(decoding: bytes, as: UTF8.self)
    let context = quoted(text)

    let result = RedirectFileParser.parseRedirect(text: text, id: "fuzz", file: "fuzz.toml")
    for problem in result.problems {
        require(problem.line >= 1 && problem.column >= 1, "position of \(problem) [\(context)]")
        require(!problem.message.isEmpty, "empty message [\(context)]")
    }
    require((result.value == nil) == !result.errors.isEmpty, "value and errors disagree [\(context)]")
    let defaultsResult = RedirectFileParser.parseDefaults(text: text, file: "_defaults.toml")
    require((defaultsResult.value == nil) == !defaultsResult.errors.isEmpty, "defaults value/errors [\(context)]")
    let defaults = defaultsResult.value ?? RedirectDefaults()
    // Every finding points into the file: a line it has, a column on that line (or just after its end).
    // (Scalars, not characters: "\r\n" is one Character.)
    let lines = text.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false)
    for problem in result.problems + defaultsResult.problems {
        require(problem.line <= lines.count, "line of \(problem) beyond the file [\(context)]")
        require(
            problem.column <= lines[problem.line - 1].count + 1,
            "column of \(problem) beyond its line [\(context)]")
    }
    if let url = defaults.notFoundURL { require(TargetURL.problem(with: url) == nil, "not_found_url [\(context)]") }

    if let redirect = result.value {
        require(TargetURL.problem(with: redirect.url) == nil, "url \(quoted(redirect.url)) accepted [\(context)]")
        if let expired = redirect.expiredURL {
            require(TargetURL.problem(with: expired) == nil, "expired_url accepted [\(context)]")
        }
        for name in Placeholders.names(in: redirect.url) {
            require(Placeholders.isKnown(name), "unknown placeholder {\(name)} accepted [\(context)]")
        }
        if let from = redirect.validFrom, let until = redirect.validUntil {
            require(from < until, "valid_from >= valid_until accepted [\(context)]")
        }
        // Every target of a rule or variant passed the checks `url` passes, and a split's weights fit.
        let ruleTargets = redirect.rules.flatMap { rule in
            (rule.variants.isEmpty ? [rule.url] : []) + rule.variants.map(\.url)
        } + redirect.variants.map(\.url)
        for target in ruleTargets {
            require(TargetURL.problem(with: target) == nil, "rule target \(quoted(target)) accepted [\(context)]")
            for name in Placeholders.names(in: target) {
                require(Placeholders.isKnown(name), "unknown placeholder {\(name)} in a rule accepted [\(context)]")
            }
        }
        for list in redirect.rules.map(\.variants) + [redirect.variants] {
            var total: Int64 = 0
            for variant in list {
                require(variant.weight > 0, "weight \(variant.weight) accepted [\(context)]")
                let (sum, overflow) = total.addingReportingOverflow(variant.weight)
                require(!overflow, "weights overflowing accepted [\(context)]")
                total = sum
            }
        }
        var allowed = [redirect.url]
        if let expired = redirect.expiredURL { allowed.append(expired) }
        if let notFound = defaults.notFoundURL { allowed.append(notFound) }
        for request in requests {
            for lookupFinds in [true, false] {
                let decision = ClickDecider.decide(
                    for: request, defaults: defaults, now: now, clickID: "01a2256d-9f98-77af-9da3-2ebfc2723450",
                    lookup: { _ in lookupFinds ? .found(redirect) : .notFound })
                checkResponse(decision, allowedTemplates: allowed, context)
            }
        }
    } else if defaultsResult.value != nil {
        let decision = ClickDecider.decide(
            for: requests[0], defaults: defaults, now: now, clickID: "x", lookup: { _ in .notFound })
        checkResponse(decision, allowedTemplates: defaults.notFoundURL.map { [$0] } ?? [], context)
    }

    // The same bytes read from disk by RedirectStore: the same answer as parsing the text, up to the size cap.
    writeFile(bytes)
    let store = RedirectStore(directory: directory, log: { _ in })
    let found: Redirect?
    if case .found(let r) = store.lookup("fuzz") { found = r } else { found = nil }
    if bytes.count <= Int(RedirectFileLimits.maxFileSize) {
        // The store keeps what clicks use: `name`, `description` and `tags` are for people, not kept.
        var clickFields = result.value
        clickFields?.name = nil
        clickFields?.description = nil
        clickFields?.tags = []
        require(found == clickFields, "RedirectStore disagrees with the parser [\(context)]")
        // Rules the cache keeps packed choose as the parsed values do, and every choice is a valid target.
        if let found, let parsed = clickFields {
            for (k, device) in ([nil] + DeviceOS.allCases.map { Optional($0) }).enumerated() {
                let ruleContext = RuleContext(
                    device: device, form: FormFactor.allCases[k % 3], language: PrimaryLanguage(k % 2 == 0 ? "de" : "en"),
                    country: CountryCode(k % 2 == 0 ? "DE" : "US"), query: QueryString(parsing: "utm_content=b&a=1"),
                    now: Timestamp(millisecondsSinceEpoch: Int64(k) * 86_400_000 * 365), isBot: k % 3 == 0,
                    draw: SplitDraw(value: UInt64(k) &* 0x9E37_79B9_7F4A_7C15))
                let match = RuleEvaluator.evaluate(found, in: ruleContext)
                require(match == RuleEvaluator.evaluate(parsed, in: ruleContext), "packed rules disagree [\(context)]")
                let outcome = found.outcome(for: match)
                require(outcome.url == parsed.outcome(for: match).url, "packed outcome disagrees [\(context)]")
                require(TargetURL.problem(with: outcome.url) == nil, "rule outcome \(quoted(outcome.url)) [\(context)]")
            }
        }
    } else {
        require(found == nil, "a file over the size cap was served [\(context)]")
    }
    return 0
}
