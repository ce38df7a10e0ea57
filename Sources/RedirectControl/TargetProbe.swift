import Foundation

/// The requests for one target as a state machine: which URL to ask next and with which method, and when the
/// answers so far settle the outcome. A plain value, so following redirects is tested without a network.
///
/// HEAD first. A HEAD answered 405 or 501 (method not allowed or not implemented) is asked again with GET, and so
/// is one answered 400 or 403: servers and CDNs refuse HEAD with those too (signed storage URLs, firewalls), and a
/// page that is really forbidden costs one extra request. Redirects (301, 302, 303, 307, 308) are followed up to
/// ``maximumRedirects``, a relative `Location` resolved against the URL that sent it.
public struct TargetProbe: Sendable {
    /// Browsers follow about 20; a link that needs more than a few redirects is worth a look anyway.
    public static let maximumRedirects = 5
    /// Statuses after which HEAD is asked again with GET.
    public static let headRefusals: Set<Int> = [400, 403, 405, 501]
    static let redirects: Set<Int> = [301, 302, 303, 307, 308]

    public let target: CheckedTarget
    /// The URL to request next.
    public private(set) var url: String
    public private(set) var method = TargetMethod.head
    private var hops: [TargetHop] = []
    private var headRefused: Int?

    /// What to do after an answer.
    public enum Step: Equatable, Sendable {
        /// Request ``TargetProbe/url`` with ``TargetProbe/method``.
        case request
        case finished(TargetResult)
    }

    public init(target: CheckedTarget) {
        self.target = target
        url = target.url
    }

    /// An answer came with `status` and, for a redirect, `location`.
    public mutating func answered(status: Int, location: String?) -> Step {
        if method == .head && Self.headRefusals.contains(status) {
            headRefused = status
            method = .get
            return .request
        }
        hops.append(TargetHop(url: url, method: method, status: status))
        guard Self.redirects.contains(status) else { return finish(.answered(status: status)) }
        guard let location, let next = Self.resolve(location, against: url) else {
            return finish(.badRedirect(location: location))
        }
        if hops.contains(where: { $0.url == next }) { return finish(.redirectLoop(to: next)) }
        guard hops.count <= Self.maximumRedirects else { return finish(.tooManyRedirects) }
        url = next
        method = .head
        return .request
    }

    /// The request for ``url`` got no answer.
    public mutating func failed(_ failure: TargetFailure) -> TargetResult {
        TargetResult(
            target: target, hops: hops, outcome: .failed(failure), headRefused: headRefused, finalURL: url)
    }

    private func finish(_ outcome: TargetOutcome) -> Step {
        .finished(TargetResult(target: target, hops: hops, outcome: outcome, headRefused: headRefused))
    }

    /// `location` as an absolute http(s) URL, resolved against `base` when it is relative (RFC 3986, section 5);
    /// nil when it is unreadable or names another scheme.
    static func resolve(_ location: String, against base: String) -> String? {
        guard let baseURL = URL(string: base), let resolved = URL(string: location, relativeTo: baseURL) else {
            return nil
        }
        let absolute = resolved.absoluteURL
        guard let scheme = absolute.scheme?.lowercased(), scheme == "http" || scheme == "https",
            absolute.host?.isEmpty == false
        else { return nil }
        return absolute.absoluteString
    }
}
