/// What `check --targets` found for one distinct URL.
public struct TargetResult: Equatable, Sendable {
    public var target: CheckedTarget
    /// Every answer on the way, redirects first; a HEAD that a GET replaced is not on it.
    public var hops: [TargetHop]
    public var outcome: TargetOutcome
    /// Whether HEAD was refused somewhere on the chain and GET asked in its place (with the status HEAD got).
    public var headRefused: Int?
    /// The URL of the last request: the last answer's, or the one that got none.
    public var finalURL: String

    public init(
        target: CheckedTarget, hops: [TargetHop], outcome: TargetOutcome, headRefused: Int? = nil,
        finalURL: String? = nil
    ) {
        self.target = target
        self.hops = hops
        self.outcome = outcome
        self.headRefused = headRefused
        self.finalURL = finalURL ?? hops.last?.url ?? target.url
    }

    /// A 2xx at the end of the chain (directly or after redirects).
    public var isHealthy: Bool {
        if case .answered(let status) = outcome { return (200..<300).contains(status) }
        return false
    }

    /// The status of the last answer, if any came.
    public var finalStatus: Int? { hops.last?.status }

    /// What happened, for a person: `404`, `200 after 3 redirects`, `redirect loop back to …`, `timed out …`.
    public var message: String {
        var text: String
        switch outcome {
        case .answered(let status):
            text = "\(status)" + (hops.count > 1 ? " after \(TargetCheckReport.count(hops.count - 1, "redirect"))" : "")
        case .redirectLoop(let url): text = "redirect loop back to \(url)"
        case .tooManyRedirects: text = "more than \(TargetProbe.maximumRedirects) redirects"
        case .badRedirect(let location?): text = "redirect to \(location), which is not an http(s) URL to follow"
        case .badRedirect(nil): text = "redirect (\(finalStatus ?? 0)) without a Location"
        case .failed(let failure):
            text = failure.message
            if !hops.isEmpty { text += " at \(target.url == finalURL ? "the target" : finalURL)" }
        }
        if let headRefused { text += " (HEAD refused with \(headRefused); asked with GET)" }
        return text
    }

    /// The redirect chain, `url 302 → url 301 → url 200`, or nil without redirects.
    public var chain: String? {
        guard hops.count > 1 || outcome.isRedirectEnd else { return nil }
        var parts = hops.map { "\($0.url) \($0.status)" }
        if case .redirectLoop(let url) = outcome { parts.append(url) }
        return parts.joined(separator: " → ")
    }
}

extension TargetOutcome {
    /// Whether the chain ended on a redirect it did not follow (a loop, too many, a bad `Location`).
    var isRedirectEnd: Bool {
        switch self {
        case .redirectLoop, .tooManyRedirects, .badRedirect: true
        case .answered, .failed: false
        }
    }
}
