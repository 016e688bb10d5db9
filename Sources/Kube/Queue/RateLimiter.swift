/// How long a failed key waits before its next attempt: client-go's default controller rate
/// limiter, `MaxOf(ItemExponentialFailureRateLimiter(5ms, 1000s), BucketRateLimiter(10 qps, 100))`.
///
/// The per-item part doubles the delay with each consecutive failure of that key (5 ms, 10 ms, …,
/// capped at 1000 s) until `forget`; the overall token bucket keeps a storm of failing keys from
/// exceeding `qps` retries per second after an initial `burst`. Pure: time is passed in.
public struct RateLimiter<Key: Hashable & Sendable, Instant: InstantProtocol>: Sendable
where Instant.Duration == Duration {
    public var baseDelay: Duration
    public var maxDelay: Duration
    public var qps: Double
    public var burst: Double

    private var failures: [Key: Int] = [:]
    private var tokens: Double
    private var lastRefill: Instant?

    /// client-go's defaults.
    public init(baseDelay: Duration = .milliseconds(5), maxDelay: Duration = .seconds(1000), qps: Double = 10, burst: Int = 100) {
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.qps = qps
        self.burst = Double(burst)
        self.tokens = Double(burst)
    }

    /// The delay before retrying `key` after one more failure at `now`.
    public mutating func when(_ key: Key, now: Instant) -> Duration {
        let count = failures[key, default: 0]
        failures[key] = count + 1
        let itemDelay = count >= 40 ? maxDelay : min(baseDelay * (1 << count), maxDelay)
        return max(itemDelay, reserveToken(now: now))
    }

    /// Consecutive failures of `key` since it was last forgotten.
    public func retries(_ key: Key) -> Int { failures[key, default: 0] }

    /// Resets `key`'s failure count (after a success).
    public mutating func forget(_ key: Key) { failures.removeValue(forKey: key) }

    /// Takes one token, possibly from the future; returns how long until that token exists.
    private mutating func reserveToken(now: Instant) -> Duration {
        guard qps > 0 else { return .zero }
        if let lastRefill {
            let elapsed = lastRefill.duration(to: now)
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            if seconds > 0 { tokens = min(burst, tokens + seconds * qps) }
        }
        lastRefill = now
        tokens -= 1
        return tokens >= 0 ? .zero : .seconds(-tokens / qps)
    }
}
