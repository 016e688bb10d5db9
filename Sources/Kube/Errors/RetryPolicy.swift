/// When and how long to wait before retrying a failed request.
///
/// Guarantees: only idempotent requests (see `KubeRequest.isIdempotent`) are retried, never a
/// create or a relative patch; only on 429, 5xx that say the server is overloaded or failing, and
/// transport failures. A `Retry-After` from the server wins over the computed backoff (capped at
/// `maxDelay`), as client-go's `checkWait` does. Otherwise the delay is exponential with full
/// jitter, so many clients restarting together do not retry in lockstep.
/// The policy is pure: randomness comes from the caller, so tests are deterministic.
public struct RetryPolicy: Hashable, Sendable {
    /// Retries after the first attempt; client-go uses 10.
    public var maxRetries: Int
    /// Delay scale of the first retry.
    public var initialDelay: Duration
    /// Upper bound of any delay, the server's `Retry-After` included.
    public var maxDelay: Duration

    /// client-go-like defaults: up to 10 retries, 200 ms doubling, at most 30 s.
    public init(maxRetries: Int = 10, initialDelay: Duration = .milliseconds(200), maxDelay: Duration = .seconds(30)) {
        self.maxRetries = maxRetries
        self.initialDelay = initialDelay
        self.maxDelay = maxDelay
    }

    /// No retries at all.
    public static let none = RetryPolicy(maxRetries: 0)

    /// The delay before retry number `attempt` (1-based) of `request` after `error`, or nil when
    /// the request must not be retried.
    public func delay(
        beforeRetry attempt: Int, of request: KubeRequest, after error: KubeError,
        using random: inout some RandomNumberGenerator
    ) -> Duration? {
        guard attempt >= 1, attempt <= maxRetries, request.isIdempotent, request.verb != .watch else { return nil }
        switch error {
        case .tooManyRequests, .transport:
            break
        case .server(let code, _, _) where [500, 502, 503, 504].contains(code):
            break
        default:
            return nil
        }
        if let serverDelay = error.retryAfter { return min(serverDelay, maxDelay) }
        let exponent = min(attempt - 1, 30)
        let ceiling = min(initialDelay * (1 << exponent), maxDelay)
        // Equal jitter: at least half the ceiling, so a retry never comes immediately.
        let fraction = 0.5 + 0.5 * Double.random(in: 0..<1, using: &random)
        return ceiling * fraction
    }
}
