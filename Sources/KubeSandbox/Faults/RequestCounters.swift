import Synchronization
import YAML

/// Counts of API requests by verb and resource (`list configmaps`, `patch widgets.example.com`),
/// so tests and benchmarks can say how many API calls a piece of work cost.
public final class RequestCounters: Sendable {
    private let counts = Mutex<[String: Int]>([:])

    init() {}

    func record(verb: String, resource: String) {
        counts.withLock { $0["\(verb) \(resource)", default: 0] += 1 }
    }

    /// The count for one verb and resource (storage key, e.g. `configmaps` or `widgets.example.com`).
    public func count(verb: String, resource: String) -> Int {
        counts.withLock { $0["\(verb) \(resource)"] ?? 0 }
    }

    /// Every count, keyed `"verb resource"`.
    public var all: [String: Int] { counts.withLock { $0 } }

    /// The total of all counts.
    public var total: Int { counts.withLock { $0.values.reduce(0, +) } }

    /// Sets every count back to zero.
    public func reset() { counts.withLock { $0.removeAll() } }

    var json: JSONValue { .object(all.mapValues { .int(Int64($0)) }) }
}
