import YAML

/// The discovery documents kubectl reads before any command: `/api`, `/apis` (plain and
/// aggregated, `apidiscovery.k8s.io/v2`), `/apis/G`, and the `APIResourceList` of a group-version.
/// Built from the catalog on each request, so a new CRD is served at once.
enum Discovery {
    static let aggregatedContentType = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"

    /// Whether the Accept header asks for aggregated discovery, and which version.
    static func aggregatedVersion(accept: String?) -> String? {
        guard let accept, accept.contains("apidiscovery.k8s.io") else { return nil }
        if accept.contains("v=v2;") || accept.contains("v=v2,") || accept.hasSuffix("v=v2") { return "v2" }
        if accept.contains("v=v2beta1") { return "v2beta1" }
        return nil
    }

    static func coreVersions(serverAddress: String) -> JSONValue {
        .object([
            "kind": .string("APIVersions"), "versions": .array([.string("v1")]),
            "serverAddressByClientCIDRs": .array([
                .object(["clientCIDR": .string("0.0.0.0/0"), "serverAddress": .string(serverAddress)])
            ]),
        ])
    }

    static func groupList(_ catalog: ResourceCatalog) -> JSONValue {
        .object([
            "kind": .string("APIGroupList"), "apiVersion": .string("v1"),
            "groups": .array(catalog.groups.map { group(catalog, $0) }),
        ])
    }

    static func group(_ catalog: ResourceCatalog, _ name: String) -> JSONValue {
        let versions = catalog.versions(of: name).map { version -> JSONValue in
            .object(["groupVersion": .string("\(name)/\(version)"), "version": .string(version)])
        }
        return .object([
            "kind": .string("APIGroup"), "apiVersion": .string("v1"), "name": .string(name),
            "versions": .array(versions), "preferredVersion": versions.first ?? .null,
        ])
    }

    static func resourceList(_ catalog: ResourceCatalog, group: String, version: String) -> JSONValue {
        var resources: [JSONValue] = []
        for type in catalog.types(group: group, version: version) {
            var entry: [String: JSONValue] = [
                "name": .string(type.plural), "singularName": .string(type.singular),
                "namespaced": .bool(type.namespaced), "kind": .string(type.kind),
                "verbs": .array(type.verbs.map { .string($0) }),
            ]
            if !type.shortNames.isEmpty { entry["shortNames"] = .array(type.shortNames.map { .string($0) }) }
            if !type.categories.isEmpty { entry["categories"] = .array(type.categories.map { .string($0) }) }
            resources.append(.object(entry))
            if type.hasStatus {
                resources.append(.object([
                    "name": .string("\(type.plural)/status"), "singularName": .string(""),
                    "namespaced": .bool(type.namespaced), "kind": .string(type.kind),
                    "verbs": .array(["get", "patch", "update"].map { .string($0) }),
                ]))
            }
        }
        return .object([
            "kind": .string("APIResourceList"), "apiVersion": .string("v1"),
            "groupVersion": .string(group.isEmpty ? version : "\(group)/\(version)"), "resources": .array(resources),
        ])
    }

    /// The aggregated discovery list of the core group (`/api`) or of all named groups (`/apis`).
    static func aggregated(_ catalog: ResourceCatalog, core: Bool, version: String) -> JSONValue {
        let groups = core ? [""] : catalog.groups
        let items = groups.map { group -> JSONValue in
            let versions = catalog.versions(of: group).map { version -> JSONValue in
                .object([
                    "version": .string(version), "freshness": .string("Current"),
                    "resources": .array(catalog.types(group: group, version: version).map(aggregatedResource)),
                ])
            }
            var metadata: [String: JSONValue] = ["creationTimestamp": .null]
            if !group.isEmpty { metadata["name"] = .string(group) }
            return .object(["metadata": .object(metadata), "versions": .array(versions)])
        }
        return .object([
            "kind": .string("APIGroupDiscoveryList"), "apiVersion": .string("apidiscovery.k8s.io/\(version)"),
            "metadata": .object([:]), "items": .array(items),
        ])
    }

    private static func aggregatedResource(_ type: ResourceType) -> JSONValue {
        let kind = JSONValue.object([
            "group": .string(type.group), "version": .string(type.version), "kind": .string(type.kind),
        ])
        var entry: [String: JSONValue] = [
            "resource": .string(type.plural), "singularResource": .string(type.singular), "responseKind": kind,
            "scope": .string(type.namespaced ? "Namespaced" : "Cluster"),
            "verbs": .array(type.verbs.map { .string($0) }),
        ]
        if !type.shortNames.isEmpty { entry["shortNames"] = .array(type.shortNames.map { .string($0) }) }
        if !type.categories.isEmpty { entry["categories"] = .array(type.categories.map { .string($0) }) }
        if type.hasStatus {
            entry["subresources"] = .array([.object([
                "subresource": .string("status"), "responseKind": kind,
                "verbs": .array(["get", "patch", "update"].map { .string($0) }),
            ])])
        }
        return .object(entry)
    }
}
