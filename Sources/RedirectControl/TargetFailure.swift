/// Why a request got no HTTP answer.
public enum TargetFailure: Equatable, Sendable {
    /// No answer head within `--timeout` seconds (connecting included).
    case timeout(seconds: Double)
    /// The host name did not resolve.
    case dns(host: String, detail: String)
    /// The TLS handshake failed: a bad or expired certificate, a name mismatch, no TLS on the port.
    case tls(detail: String)
    /// Nothing listens on the port.
    case connectionRefused(host: String, port: Int)
    /// Anything else: a reset connection, a malformed answer, no route to the host.
    case other(detail: String)

    /// The outcome's name in JSON output.
    public var name: String {
        switch self {
        case .timeout: "timeout"
        case .dns: "dns"
        case .tls: "tls"
        case .connectionRefused: "connection_refused"
        case .other: "error"
        }
    }

    /// What happened, for a person.
    public var message: String {
        switch self {
        case .timeout(let seconds): "timed out (no answer within \(TargetCheckReport.seconds(seconds)) s)"
        case .dns(let host, let detail): "DNS lookup of \(host) failed (\(detail))"
        case .tls(let detail): "TLS failure: \(detail)"
        case .connectionRefused(let host, let port): "connection refused by \(host):\(port)"
        case .other(let detail): detail
        }
    }
}
