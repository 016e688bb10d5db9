import YAML

/// Renders grants into one mesh's authorization objects and checks a policy against what the
/// mesh already has. One conformance per mesh (`IstioBackend`, `LinkerdBackend`); a third mesh is
/// one more file and one more entry in `MeshBackends.all`.
///
/// The controller knows no mesh's object shapes: it caches the kinds `watchedResources` names,
/// hands those objects to `assess`, server-side applies what `render` returns, compares live
/// objects with `matches`, and deletes what carries Elevator's labels.
///
/// Guarantees every conformance must keep: the objects allow exactly the grant's subject and
/// rules on exactly its target; a subject list is never empty; objects carry the managed-by
/// label and the `elevator.dev/request-uid` annotation so the sweep can find orphans.
public protocol MeshBackend: Sendable {
    /// The mesh this backend writes for.
    var mesh: Mesh { get }
    /// The kinds `render` produces; each is also in `watchedResources` (drift repair needs them).
    var writtenResources: [MeshResource] { get }
    /// Every kind the controller must cache for this backend (all namespaces): what it writes and
    /// what `assess` reads. A cluster that does not serve one of them cannot use this mesh.
    var watchedResources: [MeshResource] { get }
    /// The objects a grant produces, as listed in the request's `status.grant`.
    func references(for grant: Grant) -> [ObjectReference]
    /// The objects to server-side apply for `grant`, in the grant's namespace.
    func render(_ grant: Grant) throws(ElevationError) -> [JSONValue]
    /// Whether granting under `policy` is safe and effective given the objects that exist
    /// (`existing`: objects of `watchedResources` not managed by Elevator, in the policy's namespace
    /// and the mesh root namespace, plus the cluster-scoped ones). Re-checked at every grant.
    func assess(_ policy: ElevationPolicy, existing: [JSONValue]) -> MeshAssessment
    /// What the mesh reported about a written object (its status conditions), for the request's
    /// `Granted` message; nil when the mesh wrote nothing (or never does).
    func observedStatus(of object: JSONValue) -> String?
    /// Whether the live object `live` already has everything `desired` sets (drift check); when
    /// false the controller applies `desired` again and says so in an Event. Of an object it
    /// wrote, the controller passes only the `spec` and the metadata's labels and annotations.
    func matches(live: JSONValue, desired: JSONValue) -> Bool
}

extension MeshBackend {
    /// Default drift check: the same `spec`, and every label and annotation `desired` sets.
    /// Fields others add (status, other labels, managedFields) are not drift.
    public func matches(live: JSONValue, desired: JSONValue) -> Bool {
        guard live["spec"] == desired["spec"] else { return false }
        for field in ["labels", "annotations"] {
            for (key, value) in desired["metadata"]?[field]?.objectValue ?? [:]
            where live["metadata"]?[field]?[key] != value {
                return false
            }
        }
        return true
    }

    /// Whether `object` is of one of `resources`, by group and kind (any version: versions of a
    /// kind are conversions of the same objects).
    func isOne(of resources: [MeshResource], _ object: JSONValue) -> Bool {
        let apiVersion = object["apiVersion"]?.stringValue ?? ""
        let group = apiVersion.containsASCII("/") ? String(apiVersion.prefix { $0 != "/" }) : ""
        let kind = object["kind"]?.stringValue
        return resources.contains { $0.group == group && $0.kind == kind }
    }
}

/// One kind of object as the API server serves it: what a backend writes or reads.
public struct MeshResource: Hashable, Sendable, CustomStringConvertible {
    /// The API group, e.g. `security.istio.io`; empty for the core group.
    public var group: String
    public var version: String
    public var kind: String
    /// The lower-case plural of the URL, e.g. `authorizationpolicies`.
    public var plural: String
    /// False for cluster-scoped kinds.
    public var namespaced: Bool
    /// Cache only objects matching this label selector (nil: all).
    public var labelSelector: String?
    /// True when the backend works without it (the cluster may not serve it): it then counts as
    /// having no objects. A required resource that is not served disables the backend.
    public var optional: Bool

    /// A resource; see the properties.
    public init(
        group: String, version: String, kind: String, plural: String, namespaced: Bool = true,
        labelSelector: String? = nil, optional: Bool = false
    ) {
        self.group = group
        self.version = version
        self.kind = kind
        self.plural = plural
        self.namespaced = namespaced
        self.labelSelector = labelSelector
        self.optional = optional
    }

    /// `group/version` (just `version` for the core group), as objects carry it.
    public var apiVersion: String { group.isEmpty ? version : "\(group)/\(version)" }

    public var description: String { group.isEmpty ? "\(plural)/\(version)" : "\(plural).\(version).\(group)" }
}

/// The backends this build supports.
public enum MeshBackends {
    /// One backend per supported mesh, configured with `options`.
    public static func all(options: MeshOptions = MeshOptions()) -> [any MeshBackend] {
        [IstioBackend(options: options), LinkerdBackend(options: options)]
    }
}

/// The outcome of `MeshBackend.assess`.
public struct MeshAssessment: Hashable, Sendable {
    /// Nil when granting is safe; otherwise the `Ready=False` reason and message.
    public var problem: PolicyProblem?
    /// Warnings that do not stop grants (a DENY policy that would beat them), for the message.
    public var warnings: [String]
    /// Extra policy conditions the backend reports (e.g. Istio's `HTTPRulesIgnored`), written
    /// beside `Ready` on the ElevationPolicy.
    public var conditions: [MeshCondition]

    /// An assessment.
    public init(problem: PolicyProblem? = nil, warnings: [String] = [], conditions: [MeshCondition] = []) {
        self.problem = problem
        self.warnings = warnings
        self.conditions = conditions
    }
}

/// A policy condition a backend asks for besides `Ready` (type, status, reason, message).
public struct MeshCondition: Hashable, Sendable {
    public var type: String
    public var status: Condition.Status
    public var reason: String
    public var message: String

    /// A condition; see the properties.
    public init(type: String, status: Condition.Status, reason: String, message: String) {
        self.type = type
        self.status = status
        self.reason = reason
        self.message = message
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

    /// The object's `metadata`: name, namespace, labels, annotations and the owner reference.
    static func metadata(for grant: Grant) -> JSONValue {
        .object([
            "name": .string(grant.objectName), "namespace": .string(grant.namespace),
            "labels": labels(for: grant), "annotations": annotations(for: grant),
            "ownerReferences": ownerReferences(for: grant),
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

    /// Whether `object` carries Elevator's managed-by label.
    static func isManaged(_ object: JSONValue) -> Bool {
        object["metadata"]?["labels"]?[managedByKey]?.stringValue == managedByValue
    }
}
