import Elevation
import Foundation
import Kube
import Logging
import Synchronization
import YAML

/// The controller's informers (the three Elevation kinds, and one per kind a mesh backend writes
/// or reads) and the indexes that map a change to the requests it affects.
///
/// Reconciles read only from here, never from the API server; a change to a policy enqueues the
/// requests filed under it, an approval its request, a mesh object the request of its uid.
final class Caches: Sendable {
    static let byPolicy = "policy"
    static let byRequest = "request"
    static let byUID = "uid"
    /// Active requests by `namespace/policy`: what the grant limits count.
    static let activeByPolicy = "active-policy"
    /// Requests by `namespace/<spec.extends>`: the extensions of a request.
    static let byExtends = "extends"
    /// Mesh objects Elevator does not manage, by namespace (a Namespace by its own name): what the default-deny guard reads.
    static let unmanagedByNamespace = "unmanaged-namespace"

    let requests: Informer<RequestObject>
    /// The requests as this controller last wrote them (the Reconciler's), whose watch events
    /// the requests' informer then takes from here instead of decoding them.
    let writtenRequests = WrittenObjects<RequestObject>()
    let policies: Informer<PolicyObject>
    let approvals: Informer<ApprovalObject>
    /// Every mesh backend of this build, in `MeshBackends.all` order.
    let backends: [any MeshBackend]
    /// One informer per resource the backends watch (all namespaces), by resource.
    let meshInformers: [MeshResource: Informer<MeshObject>]
    /// The mesh resources the cluster does not serve (found at start); their informers never run.
    private let unserved = Mutex<Set<MeshResource>>([])

    init(client: KubeClient, namespace: String?, backends: [any MeshBackend], logger: Logger) {
        self.backends = backends
        requests = Informer(
            client: client, namespace: namespace,
            // From the value's own metadata (the same document's): `Watched.metadata` would be
            // derived whole for each of them, for every object of every event.
            indexers: [
                Self.byPolicy: { ["\($0.value.metadata.namespace ?? "")/\($0.value.spec.policy)"] },
                Self.byUID: { $0.value.metadata.uid.map { [$0] } ?? [] },
                Self.activeByPolicy: { $0.value.phase == .active ? ["\($0.value.metadata.namespace ?? "")/\($0.value.spec.policy)"] : [] },
                Self.byExtends: { request in request.value.spec.extends.map { ["\(request.value.metadata.namespace ?? "")/\($0)"] } ?? [] },
            ], written: writtenRequests, logger: logger)
        policies = Informer(client: client, namespace: namespace, logger: logger)
        approvals = Informer(
            client: client, namespace: namespace,
            indexers: [Self.byRequest: { ["\($0.value.metadata.namespace ?? "")/\($0.value.spec.request)"] }], logger: logger)
        // All objects of each kind, not only managed ones: the default-deny guard reads the
        // namespace's own ALLOW policies and the mesh root namespace's, through an index of the
        // unmanaged ones so that a namespace with many grants costs nothing there. Cluster-scoped
        // objects (Namespaces) are filed under their own name, so a namespace's lookup finds its
        // Namespace.
        var informers: [MeshResource: Informer<MeshObject>] = [:]
        for resource in backends.flatMap(\.watchedResources) where informers[resource] == nil {
            informers[resource] = Informer(
                client: client, namespace: nil, resource: resource.resourceType,
                config: WatchConfig(labelSelector: resource.labelSelector),
                indexers: [
                    Self.byUID: { $0.value.managedRequestUID.map { [$0] } ?? [] },
                    Self.unmanagedByNamespace: {
                        guard !$0.value.isManaged else { return [] }
                        let identity = $0.identity
                        return [identity.namespace ?? identity.name ?? ""]
                    },
                ], logger: logger)
        }
        meshInformers = informers
    }

    /// True once every informer that runs has stored its first list.
    var hasSynced: Bool {
        let skipped = unserved.withLock { $0 }
        return requests.hasSynced && policies.hasSynced && approvals.hasSynced
            && meshInformers.allSatisfy { skipped.contains($0.key) || $0.value.hasSynced }
    }

    /// Marks `resource` as not served by the cluster: its informer does not run and counts as
    /// synced and empty.
    func markUnserved(_ resource: MeshResource) {
        _ = unserved.withLock { $0.insert(resource) }
    }

    /// Whether the cluster serves every resource `backend` needs (its optional ones aside).
    func serves(_ backend: any MeshBackend) -> Bool {
        let skipped = unserved.withLock { $0 }
        return backend.watchedResources.allSatisfy { $0.optional || !skipped.contains($0) }
    }

    /// The informers that run (of served resources).
    var servedMeshInformers: [(MeshResource, Informer<MeshObject>)] {
        let skipped = unserved.withLock { $0 }
        return meshInformers.filter { !skipped.contains($0.key) }.map { ($0.key, $0.value) }
    }

    /// The keys (`namespace/name`) of the requests a change to `policy` concerns.
    func requestKeys(forPolicy namespace: String, _ name: String) -> [String] {
        requests(forPolicy: namespace, name).map(Store<RequestObject>.key(of:))
    }

    /// The work-queue keys of the policies whose mesh check may read `object`: those of its
    /// namespace; every policy for an object of the mesh root namespace; for a cluster-scoped
    /// object (a Namespace), those of the namespace it names.
    func policyKeys(concerning object: MeshObject, rootNamespace: String) -> [String] {
        let namespace = object.namespace ?? object.name ?? ""
        return policies.store.list()
            .filter { namespace == rootNamespace || $0.namespace == namespace }
            .map { Reconciler.policyKeyPrefix + Store<PolicyObject>.key(of: $0) }
    }

    /// The key of the request an approval names.
    func requestKey(forApproval approval: ApprovalObject) -> String {
        "\(approval.namespace ?? "")/\(approval.value.spec.request)"
    }

    /// The requests filed under `policy`.
    func requests(forPolicy namespace: String, _ name: String) -> [RequestObject] {
        requests.store.byIndex(Self.byPolicy, "\(namespace)/\(name)")
    }

    /// The request a managed mesh object belongs to, if that request is cached.
    func request(forMeshObject object: MeshObject) -> RequestObject? {
        guard let uid = object.value.managedRequestUID else { return nil }
        return requests.store.byIndex(Self.byUID, uid).first
    }

    /// The managed mesh objects written for the request with `uid`, of every kind.
    func meshObjects(ofRequestUID uid: String) -> [MeshObject] {
        meshInformers.flatMap { resource, informer in informer.store.byIndex(Self.byUID, uid).map { Self.stamped($0, resource) } }
    }

    /// `object` with the `apiVersion` and `kind` of the resource it was listed as (list items of
    /// built-in kinds may lack them; writes and deletes find the resource by them).
    static func stamped(_ object: MeshObject, _ resource: MeshResource) -> MeshObject {
        var object = object
        object.value.stamp(apiVersion: resource.apiVersion, kind: resource.kind)
        return object
    }

    /// What a backend's `assess` reads: the objects not managed by Elevator in `namespace` and the
    /// mesh root namespace (and their Namespace objects), each with `apiVersion` and `kind` set
    /// (list items of built-in kinds may lack them). From an index, so a namespace with many
    /// grants costs nothing here.
    func guardObjects(namespace: String, rootNamespace: String) -> [JSONValue] {
        let names = namespace == rootNamespace ? [namespace] : [namespace, rootNamespace]
        return meshInformers.flatMap { resource, informer in
            names.flatMap { informer.store.byIndex(Self.unmanagedByNamespace, $0) }.map { Self.stamped($0, resource).value.json }
        }
    }

    /// The other requests `decide` needs to see for `request`: the Active ones under its policy
    /// when the policy limits active grants, the request it extends, and those extending it.
    /// `decide` reads other requests only for these, so it decides as with every request of the
    /// namespace, without a reconcile costing time in proportion to the namespace's grants.
    func relatedGrants(of request: RequestObject, policy: ElevationPolicy?) -> [ElevationRequest] {
        let namespace = request.namespace ?? ""
        var related: [RequestObject] = []
        if let limits = policy?.spec, (limits.maxActiveGrants ?? 0) > 0 || (limits.maxActivePerRequester ?? 0) > 0 {
            related += requests.store.byIndex(Self.activeByPolicy, "\(namespace)/\(request.value.spec.policy)")
        }
        if let extends = request.value.spec.extends, let target = requests.store.get(name: extends, namespace: namespace) {
            related.append(target)
        }
        related += requests.store.byIndex(Self.byExtends, "\(namespace)/\(request.value.metadata.name)")
        var seen: Set<String> = [request.uid ?? ""]
        return related.filter { seen.insert($0.uid ?? "").inserted }.map(\.value)
    }
}
