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

    /// The mesh's authorization objects of `namespace` and of the mesh root namespace, for the guard.
    func guardObjects(namespace: String, rootNamespace: String) -> [JSONValue] {
        let names = namespace == rootNamespace ? [namespace] : [namespace, rootNamespace]
        return names.flatMap { meshObjects.store.byIndex(Self.byNamespace, $0) }.map(\.value.json)
    }
}
