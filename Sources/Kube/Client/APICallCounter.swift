import Synchronization

/// Counts API calls by verb, every HTTP attempt included (retries count), so the number of calls
/// per reconcile or per grant can be measured and kept minimal.
public final class APICallCounter: Sendable {
    private let counts = Mutex<[KubeRequest.Verb: Int]>([:])

    /// A counter at zero.
    public init() {}

    /// Records one call of `verb`.
    public func record(_ verb: KubeRequest.Verb) {
        counts.withLock { $0[verb, default: 0] += 1 }
    }

    /// Calls so far, by verb.
    public var snapshot: [KubeRequest.Verb: Int] { counts.withLock { $0 } }

    /// Calls so far, all verbs together.
    public var total: Int { counts.withLock { $0.values.reduce(0, +) } }
}
