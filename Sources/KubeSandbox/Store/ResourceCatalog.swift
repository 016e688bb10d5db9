import YAML

/// The set of resource types served right now: built-ins plus one entry per served version of
/// every installed CRD. A value type, replaced whole when a CRD is created, changed or deleted,
/// so discovery and routing always see one consistent set.
struct ResourceCatalog: Sendable {
    private(set) var types: [ResourceType]
    private var byPath: [String: ResourceType]

    init(crds: [JSONValue] = []) {
        var types = ResourceType.builtIns
        for crd in crds {
            // A CRD that is being deleted still serves until it is gone, as in kube-apiserver.
            types.append(contentsOf: ResourceType.fromCRD(crd))
        }
        self.types = types
        var byPath: [String: ResourceType] = [:]
        for type in types { byPath["\(type.group)/\(type.version)/\(type.plural)"] = type }
        self.byPath = byPath
    }

    /// The type served at `group/version/plural`, if any.
    func type(group: String, version: String, plural: String) -> ResourceType? {
        byPath["\(group)/\(version)/\(plural)"]
    }

    /// Whether any type is served under the group-version.
    func serves(group: String, version: String) -> Bool {
        types.contains { $0.group == group && $0.version == version }
    }

    /// Group names in discovery order: core first, then as installed.
    var groups: [String] {
        var seen: Set<String> = []
        var ordered: [String] = []
        for type in types where !type.group.isEmpty && seen.insert(type.group).inserted {
            ordered.append(type.group)
        }
        return ordered
    }

    /// The served versions of a group, preferred first (first declared).
    func versions(of group: String) -> [String] {
        var ordered: [String] = []
        for type in types where type.group == group && !ordered.contains(type.version) {
            ordered.append(type.version)
        }
        return ordered
    }

    /// Every type of one group-version.
    func types(group: String, version: String) -> [ResourceType] {
        types.filter { $0.group == group && $0.version == version }
    }
}
