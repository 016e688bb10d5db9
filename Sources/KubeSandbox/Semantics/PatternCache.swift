import Foundation
import Synchronization

/// Compiled regular expressions by pattern, for the CRD schemas' `pattern` keyword.
///
/// Bounded: a sandbox whose CRDs are replaced again and again (tests) must not keep every pattern
/// it ever saw, so the cache starts over once it holds `limit` patterns. A pattern ICU cannot
/// compile is remembered too (as nil), so it is not compiled again on every write.
final class PatternCache: Sendable {
    private let expressions = Mutex<[String: CachedPattern?]>([:])
    private let limit: Int

    init(limit: Int = 1_024) {
        self.limit = limit
    }

    /// The compiled `pattern`, or nil if it is not a valid regular expression.
    func expression(_ pattern: String) -> CachedPattern? {
        if let known = expressions.withLock({ $0[pattern] }) { return known }
        // Compiled outside the lock: two writes compiling the same new pattern at once is cheaper
        // than every write waiting behind one compile.
        let compiled = (try? NSRegularExpression(pattern: pattern)).map { CachedPattern($0) }
        expressions.withLock { cache in
            if cache.count >= limit { cache.removeAll(keepingCapacity: true) }
            cache[pattern] = .some(compiled)
        }
        return compiled
    }

    /// How many patterns are cached (tests).
    var count: Int { expressions.withLock { $0.count } }
}

/// One compiled pattern and the answers it gave for short texts.
///
/// The values a schema pattern checks repeat from object to object (ports, methods, durations,
/// namespace and account names), and ICU's match through `NSString` cost about 60,000
/// instructions per grant where a remembered answer costs one hash lookup (BENCHMARKS.md,
/// "Controller", sixteenth round). A match depends only on the pattern and the text, so an answer
/// never goes stale; the memory is bounded by `answerLimit` texts of at most `textLimit` bytes.
final class CachedPattern: Sendable {
    /// The compiled expression.
    let expression: NSRegularExpression
    private let answers = Mutex<[String: Bool]>([:])
    private let answerLimit: Int
    private let textLimit: Int

    init(_ expression: NSRegularExpression, answerLimit: Int = 4_096, textLimit: Int = 128) {
        self.expression = expression
        self.answerLimit = answerLimit
        self.textLimit = textLimit
    }

    /// Whether `text` contains a match.
    func matches(_ text: String) -> Bool {
        let remembered = text.utf8.count <= textLimit
        if remembered, let known = answers.withLock({ $0[text] }) { return known }
        let found = expression.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
        if remembered {
            answers.withLock { answers in
                if answers.count >= answerLimit { answers.removeAll(keepingCapacity: true) }
                answers[text] = found
            }
        }
        return found
    }

    /// How many answers are remembered (tests).
    var answerCount: Int { answers.withLock { $0.count } }
}
