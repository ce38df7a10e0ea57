/// The limits of `check --targets`.
public struct TargetCheckOptions: Equatable, Sendable {
    /// Requests in flight at once.
    public var concurrency: Int
    /// Requests in flight to one host at once: kind to the sites a campaign links to.
    public var perHost: Int
    /// Seconds a request may take, from connecting to the answer's head.
    public var timeoutSeconds: Double

    public static let defaultConcurrency = 16
    public static let defaultPerHost = 4
    public static let defaultTimeoutSeconds = 10.0

    public init(
        concurrency: Int = defaultConcurrency, perHost: Int = defaultPerHost,
        timeoutSeconds: Double = defaultTimeoutSeconds
    ) {
        self.concurrency = concurrency
        self.perHost = perHost
        self.timeoutSeconds = timeoutSeconds
    }
}
