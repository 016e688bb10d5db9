import Synchronization

/// Compiled `autoApprove.reasonPattern`s, by pattern text.
///
/// Why: every decision about a pending request under an auto-approving policy validates the
/// pattern and matches the reason against it; compiling it both times (`Regex(String)` parses
/// the pattern every time) was 3.6% of the controller's CPU at 500 grants/s (BENCHMARKS.md,
/// "Controller", sixth round). A pattern's compiled form depends on its text alone, so caching
/// it changes no decision; a pattern that does not compile keeps its error.
///
/// Bounded: policies edited again and again must not keep every pattern they ever had, so the
/// cache starts over once it holds `limit` patterns.
final class ReasonPatterns: Sendable {
    /// The cache `decide` and policy validation share.
    static let shared = ReasonPatterns()

    /// One compiled pattern. `Regex` is Sendable only for Sendable outputs, and `AnyRegexOutput`
    /// (what a pattern given as text produces) is not; the compiled program it wraps is immutable
    /// once built and matched from any thread, and nothing here hands out a match's output.
    private struct Compiled: @unchecked Sendable {
        var regex: Result<Regex<AnyRegexOutput>, any Error>
    }

    private let compiled = Mutex<[String: Compiled]>([:])
    private let limit: Int

    init(limit: Int = 256) {
        self.limit = limit
    }

    /// `pattern` compiled, or the error `Regex` gives for it.
    func regex(_ pattern: String) throws -> Regex<AnyRegexOutput> {
        if let known = compiled.withLock({ $0[pattern] }) { return try known.regex.get() }
        // Compiled outside the lock: patterns are short, and two decisions compiling the same new
        // one at once is cheaper than every decision waiting behind a compile.
        let result = Compiled(regex: Result { try Regex(pattern) })
        compiled.withLock { cache in
            if cache.count >= limit { cache.removeAll(keepingCapacity: true) }
            cache[pattern] = result
        }
        return try result.regex.get()
    }

    /// How many patterns are cached (tests).
    var count: Int { compiled.withLock { $0.count } }
}
