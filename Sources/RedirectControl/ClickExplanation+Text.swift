import RedirectCore

extension ClickExplanation {
    /// The explanation as `redirectctl explain` prints it: one fact a line, a label in the first ten columns
    /// (docs/redirectctl.md shows the layout, which scripts may rely on).
    public var lines: [String] {
        var lines: [String] = []
        func add(_ label: String, _ text: String) { lines.append(Self.line(label, text)) }
        let event = decision.event
        add("redirect", "\(id) (\(file))")
        add(
            "time",
            "\(event?.time.iso8601 ?? "-"), \(request.method)" + (request.query.isEmpty ? "" : " ?\(request.query)"))

        if let agent = request.userAgent {
            add("agent", agent)
        } else {
            add("agent", "none sent (pass --user-agent to give one)")
        }
        add(
            "device",
            "\(device?.os?.rawValue ?? "not recognised"), form \(device?.form?.rawValue ?? "not recognised")")
        add("bot", bot.map { "yes, \($0.label) (\($0.category.rawValue))" } ?? "no")
        if let accept = request.acceptLanguage {
            add(
                "language",
                language.map { "\($0) (first choice of \"\(accept)\")" } ?? "none (first choice of \"\(accept)\")")
        } else {
            add("language", "none (no --language)")
        }
        add("country", countryText)
        switch decision.event?.sessionStatus {
        case .valid?: add("session", event?.session ?? "")
        case .malformed?: add("session", "not a session id: the click counts as without one")
        default: add("session", "none")
        }
        if request.globalPrivacyControl {
            add(
                "privacy",
                honorsPrivacySignal
                    ? "Sec-GPC honoured: no address, agent or referer in the event"
                    : "Sec-GPC sent, not honoured (honor_privacy_signals = false)")
        }

        if let event, event.request.query != request.query {
            add(
                "via",
                event.via.map {
                    "\($0.rawValue) (\(ClickVia.parameter) taken out of the query before anything reads it)"
                }
                    ?? "none (\(ClickVia.parameter) has a value redirectd does not know; taken out of the query)")
        } else if let via = event?.via {
            add("via", via.rawValue)
        }

        switch event?.outcome {
        case .opened?: add("link", "open pixel: answers a 1x1 transparent GIF, the open is recorded")
        case .disabled?: add("link", "disabled (enabled = false): rules not tried")
        case .expired?: add("link", "outside valid_from/valid_until: rules not tried")
        case .notFound?: add("link", "not found")
        default:
            if let rules { lines += ruleLines(rules) } else { add("rules", "none in this file") }
        }

        let location =
            decision.response.location.map { " " + $0 }
            ?? (decision.response.content == .transparentGIF ? " " + TransparentGIF.contentType : "")
        lines.append("→ \(decision.response.status)\(location)")
        add("event", eventLine.isEmpty ? "none (not a click)" : eventLine)
        return lines
    }

    /// `text` behind `label`, padded to ten columns.
    static func line(_ label: String, _ text: String) -> String {
        label + String(repeating: " ", count: max(1, 10 - label.count)) + text
    }

    var countryText: String {
        let code = country?.description ?? ""
        switch countrySource {
        case .given: return "\(code) (--country, as nginx's REDIRECT_COUNTRY)"
        case .database(let path): return "\(code) (\(request.remoteAddress ?? "") in \(path))"
        case .notInDatabase(let path): return "unknown (\(request.remoteAddress ?? "") is not in \(path))"
        case .noAddress: return "unknown (no --ip to look up)"
        case .none: return "unknown (no --country, and no --geoip with --ip)"
        }
    }

    /// A line per rule tried, then the variant when a split chose one.
    func ruleLines(_ explanation: RuleExplanation) -> [String] {
        var lines: [String] = []
        func add(_ label: String, _ text: String) { lines.append(Self.line(label, text)) }
        let all = redirect.rules
        for attempt in explanation.tried {
            let label = "rule \(attempt.rule + 1)"
            if attempt.failures.isEmpty {
                add(label, "\(attempt.name): matches")
            } else {
                add(label, "\(attempt.name): no, " + attempt.failures.map(\.reason).joined(separator: "; "))
            }
        }
        if all.isEmpty {
            add("rules", "none in this file")
        } else if explanation.match.rule == nil {
            add("rules", "none matched")
        }
        let variants = explanation.match.rule.map { all[$0].variants } ?? redirect.variants
        if let index = explanation.match.variant, variants.indices.contains(index) {
            let total = variants.reduce(Int64(0)) { $0 + $1.weight }
            add(
                "variant",
                "\(variants[index].name), weight \(variants[index].weight) of \(total), chosen by \(splitText)")
        }
        return lines
    }

    var splitText: String {
        switch splitSource {
        case .session(let session): return "session \(session), the same on every click"
        case .visitor: return "address network and agent, the same for this visitor"
        case .random: return "a fresh draw per click, as Sec-GPC is honoured without a session"
        }
    }
}
