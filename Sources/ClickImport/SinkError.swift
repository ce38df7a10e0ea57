import RedirectCore

/// Why a sink did not take a batch, sorted by what the person running the import should do about it.
public enum SinkError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Network errors, timeouts, 408, 429 and 5xx, still failing after every retry.
    case unavailable(url: String, attempts: Int, lastProblem: String)
    /// An answer that no retry can change: 401/403 (credentials), 404 (wrong URL), a redirect, 413, ….
    case misconfigured(url: String, status: Int?, detail: String)
    /// A 400/422 that does not say which events it objects to, so none can be set aside.
    case refused(url: String, status: Int, detail: String)

    /// The message, with control characters in what it quotes from outside (a sink's answer, a file name, a
    /// header) escaped: it goes to a terminal or to cron's mail.
    public var description: String { message.escapingControlCharacters }

    private var message: String {
        switch self {
        case .unavailable(let url, let attempts, let lastProblem):
            return "sink unavailable: \(url): \(lastProblem) (\(attempts) attempt\(attempts == 1 ? "" : "s")); "
                + "nothing unacknowledged was moved, run the import again later"
        case .misconfigured(let url, let status, let detail):
            let advice: String
            switch status {
            case 401, 403:
                advice = "check the credentials (--header, REDIRECTCTL_IMPORT_HEADERS, REDIRECTCTL_IMPORT_TOKEN)"
            case 404: advice = "check the URL (--tracardi takes the API base URL, --ndjson the collector's endpoint)"
            case 413: advice = "the sink takes smaller requests: lower --batch-size"
            case .some(300..<400): advice = "the sink redirects: pass the final URL"
            case nil: advice = "fix the URL"
            default: advice = "check the sink's configuration"
            }
            let answer = status.map { "HTTP \($0)" } ?? "bad URL"
            return "sink misconfigured: \(url): \(answer)\(detail.isEmpty ? "" : ": " + detail); \(advice)"
        case .refused(let url, let status, let detail):
            return
                "sink refused a batch: \(url): HTTP \(status)\(detail.isEmpty ? "" : ": " + detail); it named no event "
                + "to set aside, so the run stopped: check that the sink expects this format"
        }
    }

    /// The exit status a run that ends on this error returns.
    public var exitCode: ImportExitCode {
        switch self {
        case .unavailable: return .sinkUnavailable
        case .misconfigured: return .misconfiguration
        case .refused: return .failure
        }
    }
}
