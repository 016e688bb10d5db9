/// Exponential backoff with jitter that resets after a quiet period: client-go's reflector
/// backoff (0.8 s ×2 up to 30 s, jitter 1.0, reset after 2 min), as a pure value.
///
/// Each delay is the current base plus up to one base of jitter (`[base, 2·base)`), as client-go's
/// `wait.Jitter(d, 1.0)`; the base doubles after each failure up to `maxDelay`. When the previous
/// failure is more than `resetAfter` ago, the base starts over, so a watch that ran well for a
/// while recovers quickly from a single blip.
public struct Backoff<Instant: InstantProtocol>: Sendable where Instant.Duration == Duration {
    public var initialDelay: Duration
    public var factor: Int
    public var maxDelay: Duration
    /// Jitter as a fraction of the base delay; 1.0 as client-go.
    public var jitter: Double
    public var resetAfter: Duration

    private var base: Duration
    private var lastFailure: Instant?

    /// client-go's reflector defaults.
    public init(
        initialDelay: Duration = .milliseconds(800), factor: Int = 2, maxDelay: Duration = .seconds(30),
        jitter: Double = 1.0, resetAfter: Duration = .seconds(120)
    ) {
        self.initialDelay = initialDelay
        self.factor = factor
        self.maxDelay = maxDelay
        self.jitter = jitter
        self.resetAfter = resetAfter
        self.base = initialDelay
    }

    /// The delay to wait after a failure at `now`, advancing the backoff.
    public mutating func next(at now: Instant, using random: inout some RandomNumberGenerator) -> Duration {
        if let lastFailure, lastFailure.duration(to: now) >= resetAfter { base = initialDelay }
        lastFailure = now
        let delay = base + base * (jitter * Double.random(in: 0..<1, using: &random))
        base = min(base * factor, maxDelay)
        return delay
    }

    /// Forgets all failures.
    public mutating func reset() {
        base = initialDelay
        lastFailure = nil
    }
}
