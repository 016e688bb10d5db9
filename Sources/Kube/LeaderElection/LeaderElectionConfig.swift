/// Settings of Lease-based leader election, with controller-runtime's defaults.
public struct LeaderElectionConfig: Hashable, Sendable {
    public var leaseName: String
    public var namespace: String
    /// This candidate's unique identity (pod name plus a random suffix, as controller-runtime).
    public var identity: String
    /// How long a lease stays valid after its holder's last renewal, as seen by other candidates.
    public var leaseDuration: Duration
    /// The leader gives up if it could not renew for this long; must be below `leaseDuration`.
    public var renewDeadline: Duration
    /// Interval between attempts to acquire or renew.
    public var retryPeriod: Duration
    /// Clears the holder on shutdown so a successor takes over at once.
    public var releaseOnCancel: Bool

    /// Election on Lease `leaseName` in `namespace` with 15/10/2 s timings.
    public init(
        leaseName: String, namespace: String, identity: String, leaseDuration: Duration = .seconds(15),
        renewDeadline: Duration = .seconds(10), retryPeriod: Duration = .seconds(2), releaseOnCancel: Bool = true
    ) {
        self.leaseName = leaseName
        self.namespace = namespace
        self.identity = identity
        self.leaseDuration = leaseDuration
        self.renewDeadline = renewDeadline
        self.retryPeriod = retryPeriod
        self.releaseOnCancel = releaseOnCancel
    }

    /// Checks client-go's rules: leaseDuration > renewDeadline > 1.2 × retryPeriod.
    public func validate() throws(KubeError) {
        guard leaseDuration > renewDeadline else {
            throw KubeError.configuration("leader election: leaseDuration must be greater than renewDeadline")
        }
        guard renewDeadline > retryPeriod * 1.2 else {
            throw KubeError.configuration("leader election: renewDeadline must be greater than 1.2 × retryPeriod")
        }
        guard !identity.isEmpty else { throw KubeError.configuration("leader election: the identity is empty") }
    }
}
