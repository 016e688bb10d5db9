import Elevation
import Foundation
import Kube
import Synchronization
import YAML

/// Approvals are owned by their request (API.md, ElevationApproval): each approval bound to a
/// request gets an ownerReference to it, so the garbage collector deletes the approvals with the
/// request instead of leaving them behind.
extension Reconciler {
    /// Whether a 403 on approvals was already logged: an old ClusterRole without `patch` on
    /// approvals costs one warning, not one per reconcile (grants work without the reference).
    private static let ownershipForbiddenLogged = Mutex(false)

    /// Adds the ownerReference to every cached approval of `object` (the request) that is bound
    /// to it and does not carry one yet: one merge patch of `metadata.ownerReferences` per
    /// approval, guarded by the approval's resourceVersion, keeping any other owner it has.
    ///
    /// Guarantees: only an approval in the request's namespace that names the request and whose
    /// `spec.requestUID` is the request's uid is touched, so an approval replayed onto a
    /// re-created request of the same name is never owned by the new one; an approval that has
    /// the reference is not written again. The reference has neither `controller` nor
    /// `blockOwnerDeletion`: the request does not manage its approvals, and deleting it must not
    /// wait for them.
    ///
    /// Throws on a transient failure (the reconcile is retried, after the status is written); an
    /// approval that changed (409) or went (404) meanwhile is looked at again when its change
    /// arrives; a 403 is logged once and skipped.
    func adoptApprovals(of object: RequestObject) async throws {
        let key = Store<RequestObject>.key(of: object)
        let owner = Self.ownerReference(of: object)
        for approval in caches.approvals.store.byIndex(Caches.byRequest, key) where Self.needsOwner(approval, owner: owner, request: object) {
            let references = (approval.metadata.ownerReferences ?? []) + [owner]
            let patch = OwnershipPatch(metadata: .init(ownerReferences: references, resourceVersion: approval.metadata.resourceVersion))
            do {
                _ = try await client.patch(
                    JSONValue.self, ApprovalObject.resourceType, name: approval.name ?? "",
                    namespace: approval.namespace, .merge, try JSONEncoder().encode(patch))
            } catch KubeError.notFound, KubeError.conflict {
                continue
            } catch KubeError.forbidden(let message) {
                let first = Self.ownershipForbiddenLogged.withLock { logged in
                    defer { logged = true }
                    return !logged
                }
                if first {
                    logger.warning(
                        "cannot set the ownerReference of ElevationApprovals to their request: the controller's ClusterRole lacks patch on elevationapprovals; approvals will outlive their requests",
                        metadata: ["error": "\(message)"])
                }
                return
            }
        }
    }

    /// The reference an approval of `request` carries: the request's identity, nothing more.
    static func ownerReference(of request: RequestObject) -> OwnerReference {
        OwnerReference(
            apiVersion: ElevationAPI.apiVersion, kind: "ElevationRequest", name: request.name ?? "",
            uid: request.uid ?? "")
    }

    /// Whether `approval` is bound to `request` (same namespace, its name, its uid) and lacks `owner`.
    static func needsOwner(_ approval: ApprovalObject, owner: OwnerReference, request: RequestObject) -> Bool {
        guard !owner.uid.isEmpty, approval.value.spec.requestUID == owner.uid, approval.value.spec.request == owner.name,
            approval.namespace == request.namespace
        else { return false }
        return !(approval.metadata.ownerReferences ?? []).contains { $0.uid == owner.uid }
    }
}

/// The merge patch that sets an approval's owner references; the resourceVersion makes it fail
/// (409) rather than overwrite references someone added since the cache saw the approval.
private struct OwnershipPatch: Encodable {
    struct Metadata: Encodable {
        var ownerReferences: [OwnerReference]
        var resourceVersion: String?
    }
    var metadata: Metadata
}
