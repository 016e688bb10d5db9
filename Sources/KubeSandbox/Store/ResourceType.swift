import YAML

/// One kind of object the sandbox serves: a built-in resource or a custom resource of a CRD.
///
/// Objects are stored generically as `JSONValue`; this type carries what the server needs to
/// route, discover, validate and describe them. Storage is keyed by `storageKey` (group and
/// plural), so every served version of a CRD shares one set of objects, as in kube-apiserver.
public struct ResourceType: Sendable, Hashable {
    /// API group; empty for the core group.
    public var group: String
    /// Served version, e.g. `v1`.
    public var version: String
    /// Plural resource name used in paths, e.g. `configmaps`.
    public var plural: String
    /// Singular name, e.g. `configmap`.
    public var singular: String
    /// Kind, e.g. `ConfigMap`.
    public var kind: String
    /// Whether objects live in namespaces.
    public var namespaced: Bool
    /// Short names for kubectl, e.g. `cm`.
    public var shortNames: [String]
    /// Whether the `status` subresource is served (spec and status are written separately).
    public var hasStatus: Bool
    /// The CRD's `openAPIV3Schema` for this version; nil for built-ins (not validated).
    public var schema: JSONValue? {
        get { compiledSchema?.source }
        set { compiledSchema = newValue.map(CompiledSchema.init) }
    }
    /// `schema` as admission reads it, compiled when the schema is set so every write shares it.
    /// The only storage of the schema, so the two cannot disagree; equal and hashed by the JSON.
    private(set) var compiledSchema: CompiledSchema?
    /// Whether the type is a custom resource (strict unknown-field rules and schema apply).
    public var isCustom: Bool
    /// Verbs advertised in discovery.
    public var verbs: [String]
    /// Categories advertised in discovery (`kubectl get all` and friends).
    public var categories: [String]

    /// Creates a resource type.
    public init(
        group: String, version: String, plural: String, singular: String, kind: String,
        namespaced: Bool, shortNames: [String] = [], hasStatus: Bool = false, schema: JSONValue? = nil,
        isCustom: Bool = false,
        verbs: [String] = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"],
        categories: [String] = []
    ) {
        self.group = group
        self.version = version
        self.plural = plural
        self.singular = singular
        self.kind = kind
        self.namespaced = namespaced
        self.shortNames = shortNames
        self.hasStatus = hasStatus
        self.compiledSchema = schema.map(CompiledSchema.init)
        self.isCustom = isCustom
        self.verbs = verbs
        self.categories = categories
    }

    /// `group/version`, or just `version` for the core group: the `apiVersion` of objects.
    public var apiVersion: String { group.isEmpty ? version : "\(group)/\(version)" }

    /// The key objects are stored under: `plural.group` (or `plural` for the core group).
    public var storageKey: String { group.isEmpty ? plural : "\(plural).\(group)" }

    /// The path prefix of the group-version: `/api/v1` or `/apis/G/V`.
    public var groupVersionPath: String { group.isEmpty ? "/api/\(version)" : "/apis/\(group)/\(version)" }
}

extension ResourceType {
    /// The built-in resources of SANDBOX.md, stored generically.
    public static let builtIns: [ResourceType] = [
        ResourceType(group: "", version: "v1", plural: "namespaces", singular: "namespace", kind: "Namespace",
                     namespaced: false, shortNames: ["ns"], hasStatus: true),
        ResourceType(group: "", version: "v1", plural: "configmaps", singular: "configmap", kind: "ConfigMap",
                     namespaced: true, shortNames: ["cm"]),
        ResourceType(group: "", version: "v1", plural: "secrets", singular: "secret", kind: "Secret", namespaced: true),
        ResourceType(group: "", version: "v1", plural: "serviceaccounts", singular: "serviceaccount",
                     kind: "ServiceAccount", namespaced: true, shortNames: ["sa"]),
        ResourceType(group: "", version: "v1", plural: "events", singular: "event", kind: "Event",
                     namespaced: true, shortNames: ["ev"]),
        ResourceType(group: "events.k8s.io", version: "v1", plural: "events", singular: "event", kind: "Event",
                     namespaced: true, shortNames: ["ev"]),
        ResourceType(group: "coordination.k8s.io", version: "v1", plural: "leases", singular: "lease",
                     kind: "Lease", namespaced: true),
        ResourceType(group: "apiextensions.k8s.io", version: "v1", plural: "customresourcedefinitions",
                     singular: "customresourcedefinition", kind: "CustomResourceDefinition", namespaced: false,
                     shortNames: ["crd", "crds"], hasStatus: true),
        ResourceType(group: "admissionregistration.k8s.io", version: "v1", plural: "validatingadmissionpolicies",
                     singular: "validatingadmissionpolicy", kind: "ValidatingAdmissionPolicy", namespaced: false,
                     hasStatus: true),
        ResourceType(group: "admissionregistration.k8s.io", version: "v1",
                     plural: "validatingadmissionpolicybindings", singular: "validatingadmissionpolicybinding",
                     kind: "ValidatingAdmissionPolicyBinding", namespaced: false),
        ResourceType(group: "authentication.k8s.io", version: "v1", plural: "selfsubjectreviews",
                     singular: "selfsubjectreview", kind: "SelfSubjectReview", namespaced: false, verbs: ["create"]),
        // What an installation (manifests/install.yaml, the Helm chart) creates, so it can be
        // applied to the sandbox: stored only; nothing runs pods, enforces RBAC or admission.
        ResourceType(group: "", version: "v1", plural: "services", singular: "service", kind: "Service",
                     namespaced: true, shortNames: ["svc"], hasStatus: true),
        ResourceType(group: "apps", version: "v1", plural: "deployments", singular: "deployment", kind: "Deployment",
                     namespaced: true, shortNames: ["deploy"], hasStatus: true),
        ResourceType(group: "policy", version: "v1", plural: "poddisruptionbudgets", singular: "poddisruptionbudget",
                     kind: "PodDisruptionBudget", namespaced: true, shortNames: ["pdb"], hasStatus: true),
        ResourceType(group: "rbac.authorization.k8s.io", version: "v1", plural: "clusterroles", singular: "clusterrole",
                     kind: "ClusterRole", namespaced: false),
        ResourceType(group: "rbac.authorization.k8s.io", version: "v1", plural: "clusterrolebindings",
                     singular: "clusterrolebinding", kind: "ClusterRoleBinding", namespaced: false),
        ResourceType(group: "rbac.authorization.k8s.io", version: "v1", plural: "roles", singular: "role", kind: "Role",
                     namespaced: true),
        ResourceType(group: "rbac.authorization.k8s.io", version: "v1", plural: "rolebindings", singular: "rolebinding",
                     kind: "RoleBinding", namespaced: true),
        ResourceType(group: "admissionregistration.k8s.io", version: "v1", plural: "mutatingadmissionpolicies",
                     singular: "mutatingadmissionpolicy", kind: "MutatingAdmissionPolicy", namespaced: false),
        ResourceType(group: "admissionregistration.k8s.io", version: "v1",
                     plural: "mutatingadmissionpolicybindings", singular: "mutatingadmissionpolicybinding",
                     kind: "MutatingAdmissionPolicyBinding", namespaced: false),
    ]

    /// The resource types a CRD object declares, one per served version; empty if malformed.
    static func fromCRD(_ crd: JSONValue) -> [ResourceType] {
        guard let spec = crd["spec"], let group = spec["group"]?.stringValue,
            let names = spec["names"], let plural = names["plural"]?.stringValue,
            let kind = names["kind"]?.stringValue, let versions = spec["versions"]?.arrayValue
        else { return [] }
        let singular = names["singular"]?.stringValue ?? kind.lowercased()
        let shortNames = names["shortNames"]?.arrayValue?.compactMap(\.stringValue) ?? []
        let categories = names["categories"]?.arrayValue?.compactMap(\.stringValue) ?? []
        let namespaced = spec["scope"]?.stringValue != "Cluster"
        return versions.compactMap { version in
            guard let name = version["name"]?.stringValue, version["served"]?.boolValue ?? true else { return nil }
            return ResourceType(
                group: group, version: name, plural: plural, singular: singular, kind: kind,
                namespaced: namespaced, shortNames: shortNames,
                hasStatus: version["subresources"]?["status"] != nil,
                schema: version["schema"]?["openAPIV3Schema"], isCustom: true, categories: categories)
        }
    }
}
