import Foundation
import Synchronization
import YAML

/// The faults a real cluster throws at a controller, switched on and off by tests.
///
/// Settable in-process (`SandboxServer.faults`) and over the admin path `/sandbox/faults`.
/// Injected errors are spread evenly, not randomly: a share of 0.25 fails exactly every fourth
/// request, so tests that count failures are deterministic.
public final class FaultSwitchboard: Sendable {
    /// The settings in force.
    public struct Settings: Sendable, Equatable {
        /// Added to every API request before it is answered.
        public var latency: Duration = .zero
        /// Share of API requests (0...1) answered with `errorCode` instead.
        public var errorRate: Double = 0
        /// 500 (InternalError) or 429 (TooManyRequests, with `Retry-After`).
        public var errorCode: Int = 500
        /// The `Retry-After` seconds of an injected 429.
        public var retryAfterSeconds: Int = 1
        /// New connections are closed at once until this instant.
        public var refuseConnectionsUntil: ContinuousClock.Instant?
        /// Storage keys (`configmaps`, `widgets.example.com`) whose writes are refused with 503.
        public var frozenResources: Set<String> = []

        /// No faults.
        public init() {}
    }

    private let settings = Mutex(Settings())
    private let errorCredit = Mutex(0.0)
    private let store: ObjectStore

    init(store: ObjectStore) { self.store = store }

    /// The settings in force.
    public var current: Settings { settings.withLock { $0 } }

    /// Replaces the settings.
    public func set(_ new: Settings) {
        settings.withLock { $0 = new }
        errorCredit.withLock { $0 = 0 }
    }

    /// Changes some settings.
    public func update(_ change: (inout Settings) -> Void) {
        settings.withLock { change(&$0) }
    }

    /// Removes every fault.
    public func reset() { set(Settings()) }

    /// Refuses new connections for `duration`.
    public func refuseConnections(for duration: Duration) {
        update { $0.refuseConnectionsUntil = .now + duration }
    }

    /// Closes every open watch now.
    public func closeAllWatches() { store.closeAllWatches() }

    /// Compacts the event history now: the next resume from an older resourceVersion is 410.
    public func compactHistory() { store.compact() }

    /// Whether new connections are refused at this moment.
    var refusingConnections: Bool {
        guard let until = settings.withLock({ $0.refuseConnectionsUntil }) else { return false }
        return ContinuousClock.now < until
    }

    /// The injected error for the next API request, if its turn has come.
    func injectedError() -> SandboxError? {
        let (rate, code, retry) = settings.withLock { ($0.errorRate, $0.errorCode, $0.retryAfterSeconds) }
        guard rate > 0 else { return nil }
        let fire = errorCredit.withLock { credit -> Bool in
            credit += min(rate, 1)
            if credit >= 1 - 1e-9 {
                credit -= 1
                return true
            }
            return false
        }
        guard fire else { return nil }
        return code == 429
            ? .tooManyRequests(retryAfterSeconds: retry)
            : .internalError("Internal error occurred: injected by the sandbox fault switchboard")
    }

    func isFrozen(_ storageKey: String) -> Bool { settings.withLock { $0.frozenResources.contains(storageKey) } }

    var latency: Duration { settings.withLock { $0.latency } }

    /// The settings as the admin path shows them.
    var json: JSONValue {
        let now = settings.withLock { $0 }
        var refuse = 0.0
        if let until = now.refuseConnectionsUntil {
            let left = ContinuousClock.now.duration(to: until)
            refuse = max(0, Double(left.components.seconds) + Double(left.components.attoseconds) / 1e18)
        }
        let latency = now.latency.components
        return .object([
            "latencyMilliseconds": .int(latency.seconds * 1000 + latency.attoseconds / 1_000_000_000_000_000),
            "errorRate": .double(now.errorRate),
            "errorCode": .int(Int64(now.errorCode)),
            "retryAfterSeconds": .int(Int64(now.retryAfterSeconds)),
            "refuseConnectionsSeconds": .double(refuse),
            "frozenResources": .array(now.frozenResources.sorted().map { .string($0) }),
        ])
    }

    /// Applies the members present in an admin request body; absent members keep their value.
    func apply(_ body: JSONValue) throws(SandboxError) {
        guard case .object(let members) = body else { throw .badRequest("the fault settings must be a JSON object") }
        var new = current
        for (key, value) in members {
            switch (key, value) {
            case ("latencyMilliseconds", .int(let ms)): new.latency = .milliseconds(ms)
            case ("errorRate", .int(let rate)): new.errorRate = Double(rate)
            case ("errorRate", .double(let rate)): new.errorRate = rate
            case ("errorCode", .int(let code)) where code == 500 || code == 429: new.errorCode = Int(code)
            case ("retryAfterSeconds", .int(let seconds)): new.retryAfterSeconds = Int(seconds)
            case ("refuseConnectionsSeconds", .int(let seconds)): new.refuseConnectionsUntil = .now + .seconds(seconds)
            case ("refuseConnectionsSeconds", .double(let seconds)):
                new.refuseConnectionsUntil = .now + .milliseconds(Int64(seconds * 1000))
            case ("frozenResources", .array(let list)): new.frozenResources = Set(list.compactMap(\.stringValue))
            default:
                throw .badRequest("unknown or invalid fault setting \"\(key)\"; known: latencyMilliseconds, errorRate, errorCode (500 or 429), retryAfterSeconds, refuseConnectionsSeconds, frozenResources")
            }
        }
        set(new)
    }
}
