import Elevation
import Foundation

/// What `elevator controller` was told by its flags; every field has the documented default.
public struct ControllerOptions: Sendable {
    /// Watch one namespace only; nil: all namespaces.
    public var namespace: String?
    /// `--trust-domain` and `--mesh-root-namespace`, for the Istio backend and the guard.
    public var mesh: MeshOptions
    /// `--allow-unverified-identity`: grant even when the identity admission policies are missing.
    public var allowUnverifiedIdentity: Bool
    /// `--retain-finished`: how long finished requests are kept; 0 keeps them for ever.
    public var retainFinished: Duration
    /// `--sweep-interval`: how often orphaned mesh objects are looked for.
    public var sweepInterval: Duration
    /// How many requests are reconciled at once (each request by one worker at a time). A
    /// reconcile mostly waits for the API server (two to four round trips), so the default is
    /// well above the number of cores: with 4, a burst of 1,000 expiries took 2.2 s to revoke
    /// (BENCHMARKS.md, "Controller").
    public var workers: Int
    /// The name Events are published from (`reportingInstance`), e.g. the pod name.
    public var instance: String
    /// `--notify-url`: where to POST a notification on every transition that needs a person; nil
    /// sends none.
    public var notify: NotifierConfig?

    /// Options with the defaults of API.md.
    public init(
        namespace: String? = nil, mesh: MeshOptions = MeshOptions(), allowUnverifiedIdentity: Bool = false,
        retainFinished: Duration = .seconds(720 * 3600), sweepInterval: Duration = .seconds(30), workers: Int = 16,
        instance: String = ProcessInfo.processInfo.hostName, notify: NotifierConfig? = nil
    ) {
        self.namespace = namespace
        self.mesh = mesh
        self.allowUnverifiedIdentity = allowUnverifiedIdentity
        self.retainFinished = retainFinished
        self.sweepInterval = sweepInterval
        self.workers = workers
        self.instance = instance
        self.notify = notify
    }
}
