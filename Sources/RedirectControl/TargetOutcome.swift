/// How the requests for one target ended.
public enum TargetOutcome: Equatable, Sendable {
    /// The last URL answered with a status that is no redirect to follow (2xx is healthy, anything else is not).
    case answered(status: Int)
    /// A `Location` led back to a URL already on the chain.
    case redirectLoop(to: String)
    /// The chain was longer than ``TargetProbe/maximumRedirects``.
    case tooManyRedirects
    /// A redirect whose `Location` is missing, unreadable or not http(s) (an app link such as `itms-apps://`).
    case badRedirect(location: String?)
    /// A request got no HTTP answer.
    case failed(TargetFailure)

    /// The outcome's name in JSON output.
    public var name: String {
        switch self {
        case .answered: "answered"
        case .redirectLoop: "redirect_loop"
        case .tooManyRedirects: "too_many_redirects"
        case .badRedirect: "bad_redirect"
        case .failed(let failure): failure.name
        }
    }
}
