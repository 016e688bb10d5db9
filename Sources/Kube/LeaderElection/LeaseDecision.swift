/// What a candidate should do with the Lease it just read: client-go's `tryAcquireOrRenew` as a
/// pure function.
///
/// Expiry is judged on the candidate's own monotonic clock from when it last saw the record
/// change (`observedAt`), never from the record's timestamps, so clock skew between nodes does
/// not matter (only skew *rate* does).
public enum LeaseDecision: Hashable, Sendable {
    /// No Lease exists: create this one.
    case create(Lease)
    /// Write this Lease (carrying the read resourceVersion, so a concurrent writer gets a conflict).
    case update(Lease)
    /// Another holder's lease is still valid: wait.
    case wait(holder: String)

    /// Decides for `identity`. `observedAt` is when the current record was first seen unchanged
    /// (monotonic), `elapsed` the time since then; `now` is the wall clock for the record's times.
    public static func decide(
        current: Lease?, identity: String, leaseDuration: Duration, elapsedSinceObserved elapsed: Duration, now: MicroTime
    ) -> LeaseDecision {
        let seconds = Int32(leaseDuration.components.seconds.clamped(to: 1...Int64(Int32.max)))
        guard var lease = current else {
            return .create(
                Lease(
                    metadata: ObjectMeta(),
                    spec: .init(
                        holderIdentity: identity, leaseDurationSeconds: seconds, acquireTime: now, renewTime: now,
                        leaseTransitions: 0)))
        }
        var spec = lease.spec ?? Lease.Spec()
        let holder = spec.holderIdentity ?? ""
        let recordDuration = spec.leaseDurationSeconds.map { Duration.seconds(Int64($0)) } ?? leaseDuration
        if !holder.isEmpty, holder != identity, elapsed < recordDuration {
            return .wait(holder: holder)
        }
        if holder != identity {
            spec.acquireTime = now
            spec.leaseTransitions = (spec.leaseTransitions ?? 0) + 1
        }
        spec.holderIdentity = identity
        spec.leaseDurationSeconds = seconds
        spec.renewTime = now
        lease.spec = spec
        return .update(lease)
    }
}

extension Comparable {
    fileprivate func clamped(to range: ClosedRange<Self>) -> Self { min(max(self, range.lowerBound), range.upperBound) }
}
