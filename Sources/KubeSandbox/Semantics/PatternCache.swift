import Foundation
import Synchronization

/// Compiled regular expressions by pattern, for the CRD schemas' `pattern` keyword.
///
/// Bounded: a sandbox whose CRDs are replaced again and again (tests) must not keep every pattern
/// it ever saw, so the cache starts over once it holds `limit` patterns. A pattern ICU cannot
/// compile is remembered too (as nil), so it is not compiled again on every write.
final class PatternCache: Sendable {
    private let expressions = Mutex<[String: NSRegularExpression?]>([:])
    private let limit: Int

    init(limit: Int = 1_024) {
        self.limit = limit
    }

    /// The compiled `pattern`, or nil if it is not a valid regular expression.
    func expression(_ pattern: String) -> NSRegularExpression? {
        if let known = expressions.withLock({ $0[pattern] }) { return known }
        // Compiled outside the lock: two writes compiling the same new pattern at once is cheaper
        // than every write waiting behind one compile.
        let compiled = try? NSRegularExpression(pattern: pattern)
        expressions.withLock { cache in
            if cache.count >= limit { cache.removeAll(keepingCapacity: true) }
            cache[pattern] = .some(compiled)
        }
        return compiled
    }

    /// How many patterns are cached (tests).
    var count: Int { expressions.withLock { $0.count } }
}
