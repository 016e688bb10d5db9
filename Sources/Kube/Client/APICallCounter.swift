import Synchronization

/// Counts API calls by verb, every HTTP attempt included (retries count), so the number of calls
/// per reconcile or per grant can be measured and kept minimal.
public final class APICallCounter: Sendable {
    private let counts = Mutex<[KubeRequest.Verb: Int]>([:])
    private let responses = Mutex<[Response: Int]>([:])

    /// A verb and the HTTP status code the API server answered it with.
    public struct Response: Hashable, Sendable {
        public var verb: KubeRequest.Verb
        public var code: Int
    }

    /// A counter at zero.
    public init() {}

    /// Records one call of `verb`.
    public func record(_ verb: KubeRequest.Verb) {
        counts.withLock { $0[verb, default: 0] += 1 }
    }

    /// Records the status code of one answered (non-streaming) call.
    public func recordResponse(_ verb: KubeRequest.Verb, code: Int) {
        responses.withLock { $0[Response(verb: verb, code: code), default: 0] += 1 }
    }

    /// Answered non-streaming calls so far, by verb and status code (watches are not included:
    /// they are counted by `snapshot` only).
    public var responseSnapshot: [Response: Int] { responses.withLock { $0 } }

    /// Calls so far, by verb.
    public var snapshot: [KubeRequest.Verb: Int] { counts.withLock { $0 } }

    /// Calls so far, all verbs together.
    public var total: Int { counts.withLock { $0.values.reduce(0, +) } }
}
