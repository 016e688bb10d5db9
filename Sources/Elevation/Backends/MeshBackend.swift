import YAML

/// Renders grants into one mesh's authorization objects and checks a policy against what the
/// mesh already has. One conformance per mesh (`IstioBackend`; Linkerd comes as one more file).
///
/// Guarantees every conformance must keep: the objects allow exactly the grant's subject and
/// rules on exactly its target; a subject list is never empty; objects carry the managed-by
/// label and the `elevator.dev/request-uid` annotation so the sweep can find orphans.
public protocol MeshBackend: Sendable {
    /// The mesh this backend writes for.
    var mesh: Mesh { get }
    /// The objects a grant produces, as listed in the request's `status.grant`.
    func references(for grant: Grant) -> [ObjectReference]
    /// The objects to server-side apply for `grant`, in the grant's namespace.
    func render(_ grant: Grant) throws(ElevationError) -> [JSONValue]
    /// Whether granting under `policy` is safe given the mesh objects that exist (`existing`:
    /// the mesh's own policy objects in the policy's namespace and the mesh root namespace).
    func assess(_ policy: ElevationPolicy, existing: [JSONValue]) -> MeshAssessment
    /// What the mesh reported about a written object (its status conditions), for the request's
    /// `Granted` message; nil when the mesh wrote nothing yet.
    func observedStatus(of object: JSONValue) -> String?
}

/// The outcome of `MeshBackend.assess`.
public struct MeshAssessment: Hashable, Sendable {
    /// Nil when granting is safe; otherwise the `Ready=False` reason and message.
    public var problem: PolicyProblem?
    /// Warnings that do not stop grants (a DENY policy that would beat them), for the message.
    public var warnings: [String]

    /// An assessment.
    public init(problem: PolicyProblem? = nil, warnings: [String] = []) {
        self.problem = problem
        self.warnings = warnings
    }
}

/// Settings the backends share, from the controller's flags.
public struct MeshOptions: Hashable, Sendable {
    /// `--trust-domain`, default `cluster.local`.
    public var trustDomain: String
    /// `--mesh-root-namespace`, default `istio-system`.
    public var meshRootNamespace: String

    /// Options with the documented defaults.
    public init(trustDomain: String = "cluster.local", meshRootNamespace: String = "istio-system") {
        self.trustDomain = trustDomain
        self.meshRootNamespace = meshRootNamespace
    }
}

/// Labels and annotations every managed object carries.
enum ManagedMetadata {
    static let managedByKey = "app.kubernetes.io/managed-by"
    static let managedByValue = "elevator"

    static func labels(for grant: Grant) -> JSONValue {
        .object([
            managedByKey: .string(managedByValue),
            "elevator.dev/request": .string(ObjectName.labelValue(grant.requestName)),
            "elevator.dev/policy": .string(ObjectName.labelValue(grant.policyName)),
        ])
    }

    static func annotations(for grant: Grant) -> JSONValue {
        .object([
            "elevator.dev/expires-at": .string(RFC3339.format(grant.expiresAt)),
            "elevator.dev/requester": .string(grant.requester),
            "elevator.dev/request-uid": .string(grant.requestUID),
        ])
    }

    static func ownerReferences(for grant: Grant) -> JSONValue {
        .array([
            .object([
                "apiVersion": .string(ElevationAPI.apiVersion), "kind": .string("ElevationRequest"),
                "name": .string(grant.requestName), "uid": .string(grant.requestUID),
                "controller": .bool(true), "blockOwnerDeletion": .bool(true),
            ])
        ])
    }
}
