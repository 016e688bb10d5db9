import Elevation
import Foundation
import Kube

/// How soon a change to a request must be reconciled, and the deadline its expiry must be looked
/// at whatever its place in the queue.
///
/// Why: a reconcile of a request whose status already says what `decide` would say again (an
/// Active grant whose generation was observed, or any finished request, not being deleted) only
/// confirms it; at a start with 10,000 such requests, or under a stream of new requests, those confirmations
/// must not stand between a new request and its grant, and no grant's expiry may wait behind
/// either. So: an expiry that has come is `urgent`, a settled request is `background` (with an
/// `urgent` deadline at its `expiresAt`), anything else (new, pending, changed spec, deletion)
/// is `normal`.
struct ReconcilePriority: Equatable {
    typealias Priority = WorkQueue<String, ContinuousClock>.Priority

    /// The queue priority of the change.
    var priority: Priority
    /// When the request must be reconciled again at `urgent` priority (its grant's expiry), if
    /// that is still to come.
    var expiry: Date?

    /// The priority of a change to `object`, seen at `now`.
    init(_ object: RequestObject, now: Date) {
        // The request's own metadata, not `object.metadata`: that one is built whole on each read
        // (a start reads 10,000 of them here), and the two agree on these fields.
        let request = object.value
        let isDeleting = request.metadata.deletionTimestamp != nil
        let settled = !isDeleting
            && request.status?.observedGeneration != nil
            && request.status?.observedGeneration == request.metadata.generation
        expiry = nil
        switch request.phase {
        case .active:
            guard let expiresAt = request.status?.expiresAt else {
                priority = .normal
                return
            }
            if expiresAt <= now {
                priority = .urgent
            } else {
                priority = settled ? .background : .normal
                expiry = expiresAt
            }
        case .expired, .revoked, .denied:
            // A finished request's status never changes again (`decide`); only a deletion (the
            // finalizer to remove) is new work.
            priority = isDeleting ? .normal : .background
        case .pending:
            priority = .normal
        }
    }
}
