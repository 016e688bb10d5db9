import Elevation
import Foundation
import Kube
import Logging
import YAML

/// The controller's four informers and the indexes that map a change to the requests it affects.
///
/// Reconciles read only from here, never from the API server; a change to a policy enqueues the
/// requests filed under it, an approval its request, a mesh object the request of its uid.
final class Caches: Sendable {
    static let byPolicy = "policy"
    static let byRequest = "request"
    static let byUID = "uid"
    static let byNamespace = "namespace"
    /// Active requests by `namespace/policy`: what the grant limits count.
    static let activeByPolicy = "active-policy"
    /// Requests by `namespace/<spec.extends>`: the extensions of a request.
    static let byExtends = "extends"
    /// AuthorizationPolicies Elevator does not manage, by namespace: what the default-deny guard reads.
    static let unmanagedByNamespace = "unmanaged-namespace"

    let requests: Informer<RequestObject>
    let policies: Informer<PolicyObject>
    let approvals: Informer<ApprovalObject>
    let meshObjects: Informer<MeshObject>

    init(client: KubeClient, namespace: String?, logger: Logger) {
        requests = Informer(
            client: client, namespace: namespace,
            indexers: [
                Self.byPolicy: { ["\($0.metadata.namespace ?? "")/\($0.value.spec.policy)"] },
                Self.byUID: { $0.metadata.uid.map { [$0] } ?? [] },
                Self.byNamespace: { [$0.metadata.namespace ?? ""] },
                Self.activeByPolicy: { $0.value.phase == .active ? ["\($0.metadata.namespace ?? "")/\($0.value.spec.policy)"] : [] },
                Self.byExtends: { request in request.value.spec.extends.map { ["\(request.metadata.namespace ?? "")/\($0)"] } ?? [] },
            ], logger: logger)
        policies = Informer(client: client, namespace: namespace, logger: logger)
        approvals = Informer(
            client: client, namespace: namespace,
            indexers: [Self.byRequest: { ["\($0.metadata.namespace ?? "")/\($0.value.spec.request)"] }], logger: logger)
        // All AuthorizationPolicies, not only managed ones: the default-deny guard reads the
        // namespace's own ALLOW policies and the mesh root namespace's.
        meshObjects = Informer(
            client: client, namespace: nil,
            indexers: [
                Self.byUID: { $0.value.managedRequestUID.map { [$0] } ?? [] },
                Self.byNamespace: { [$0.metadata.namespace ?? ""] },
                Self.unmanagedByNamespace: {
                    $0.value.json["metadata"]?["labels"]?["app.kubernetes.io/managed-by"]?.stringValue == "elevator"
                        ? [] : [$0.metadata.namespace ?? ""]
                },
            ], logger: logger)
    }

    /// True once every informer has stored its first list.
    var hasSynced: Bool {
        requests.hasSynced && policies.hasSynced && approvals.hasSynced && meshObjects.hasSynced
    }

    /// The keys (`namespace/name`) of the requests a change to `policy` concerns.
    func requestKeys(forPolicy namespace: String, _ name: String) -> [String] {
        requests.store.byIndex(Self.byPolicy, "\(namespace)/\(name)").map(Store<RequestObject>.key(of:))
    }

    /// The key of the request an approval names.
    func requestKey(forApproval approval: ApprovalObject) -> String {
        "\(approval.metadata.namespace ?? "")/\(approval.value.spec.request)"
    }

    /// The key of the request a managed mesh object belongs to, if that request is cached.
    func requestKey(forMeshObject object: MeshObject) -> String? {
        guard let uid = object.value.managedRequestUID else { return nil }
        return requests.store.byIndex(Self.byUID, uid).first.map(Store<RequestObject>.key(of:))
    }

    /// The managed mesh objects written for the request with `uid`.
    func meshObjects(ofRequestUID uid: String) -> [MeshObject] {
        meshObjects.store.byIndex(Self.byUID, uid)
    }

    /// The AuthorizationPolicies Elevator does not manage in `namespace` and in the mesh root
    /// namespace: what the default-deny guard reads. From an index, so a namespace with many
    /// grants costs nothing here.
    func guardObjects(namespace: String, rootNamespace: String) -> [JSONValue] {
        let names = namespace == rootNamespace ? [namespace] : [namespace, rootNamespace]
        return names.flatMap { meshObjects.store.byIndex(Self.unmanagedByNamespace, $0) }.map(\.value.json)
    }

    /// The other requests `decide` needs to see for `request`: the Active ones under its policy
    /// when the policy limits active grants, the request it extends, and those extending it.
    /// `decide` reads other requests only for these, so it decides as with every request of the
    /// namespace, without a reconcile costing time in proportion to the namespace's grants.
    func relatedGrants(of request: RequestObject, policy: ElevationPolicy?) -> [ElevationRequest] {
        let namespace = request.metadata.namespace ?? ""
        var related: [RequestObject] = []
        if let limits = policy?.spec, (limits.maxActiveGrants ?? 0) > 0 || (limits.maxActivePerRequester ?? 0) > 0 {
            related += requests.store.byIndex(Self.activeByPolicy, "\(namespace)/\(request.value.spec.policy)")
        }
        if let extends = request.value.spec.extends, let target = requests.store.get(name: extends, namespace: namespace) {
            related.append(target)
        }
        related += requests.store.byIndex(Self.byExtends, "\(namespace)/\(request.value.metadata.name)")
        var seen: Set<String> = [request.metadata.uid ?? ""]
        return related.filter { seen.insert($0.metadata.uid ?? "").inserted }.map(\.value)
    }
}
