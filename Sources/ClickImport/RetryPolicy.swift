/// How long to wait before retrying a request the sink could not take right now.
///
/// Exponential backoff with jitter: the n-th retry waits between half and all of `base · 2ⁿ⁻¹` (capped at
/// `maximum`), so importers on many hosts that lost the sink at the same moment do not come back in step.
public struct RetryPolicy: Sendable, Equatable {
    /// Retries after the first attempt.
    public var retries: Int
    public var baseDelaySeconds: Double
    public var maximumDelaySeconds: Double

    public init(retries: Int, baseDelaySeconds: Double, maximumDelaySeconds: Double) {
        self.retries = max(0, retries)
        self.baseDelaySeconds = max(0, baseDelaySeconds)
        self.maximumDelaySeconds = max(0, maximumDelaySeconds)
    }

    /// The delay before retry number `retry` (1 for the first retry).
    public func delay<G: RandomNumberGenerator>(beforeRetry retry: Int, using generator: inout G) -> Double {
        let exponent = Double(min(max(retry - 1, 0), 30))
        let ceiling = min(maximumDelaySeconds, baseDelaySeconds * pow2(exponent))
        guard ceiling > 0 else { return 0 }
        return ceiling / 2 + Double.random(in: 0...(ceiling / 2), using: &generator)
    }

    public func delay(beforeRetry retry: Int) -> Double {
        var generator = SystemRandomNumberGenerator()
        return delay(beforeRetry: retry, using: &generator)
    }

    private func pow2(_ e: Double) -> Double {
        var v = 1.0
        for _ in 0..<Int(e) { v *= 2 }
        return v
    }
}
