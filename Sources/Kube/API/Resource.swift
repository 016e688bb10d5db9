import YAML

/// Where a kind of object lives in the API: group, version, plural resource name, kind and scope.
///
/// This is all request building needs, so it works for built-in kinds, custom resources and
/// unstructured `JSONValue` objects alike.
public struct ResourceType: Hashable, Sendable, CustomStringConvertible {
    /// The API group; empty for the core group (`/api/v1`).
    public var group: String
    public var version: String
    /// The lower-case plural used in URLs (`leases`, `elevationrequests`).
    public var plural: String
    public var kind: String
    /// True for namespaced kinds, false for cluster-scoped ones.
    public var namespaced: Bool

    /// A resource type with the given coordinates.
    public init(group: String, version: String, plural: String, kind: String, namespaced: Bool) {
        self.group = group
        self.version = version
        self.plural = plural
        self.kind = kind
        self.namespaced = namespaced
    }

    /// `group/version`, or just `version` for the core group: the `apiVersion` of its objects.
    public var apiVersion: String { group.isEmpty ? version : "\(group)/\(version)" }

    /// `/api/v1` for the core group, `/apis/<group>/<version>` otherwise.
    public var groupVersionPath: String { group.isEmpty ? "/api/\(version)" : "/apis/\(group)/\(version)" }

    public var description: String { group.isEmpty ? "\(plural)/\(version)" : "\(plural).\(version).\(group)" }
}

/// A typed Kubernetes object: a `Codable` value that knows its resource type and has metadata.
///
/// Conform your own kinds (custom resources) to use the typed client calls; `apiVersion` and
/// `kind` are encoded by the type itself so that create and apply bodies are complete.
public protocol KubeResource: Codable, Sendable {
    /// The resource type of every value of this type.
    static var resourceType: ResourceType { get }
    /// The object's metadata.
    var metadata: ObjectMeta { get set }
    /// `metadata`'s namespace, name and resourceVersion, which a cache reads for every object
    /// of every event: a type that derives `metadata` on each read gives these three without
    /// building the rest.
    var identity: ObjectIdentity { get }
}

extension KubeResource {
    /// Read from `metadata`.
    public var identity: ObjectIdentity {
        let metadata = self.metadata
        return ObjectIdentity(namespace: metadata.namespace, name: metadata.name, resourceVersion: metadata.resourceVersion)
    }
}

/// What names one version of an object: its namespace (nil for cluster-scoped objects), name and
/// resourceVersion.
public struct ObjectIdentity: Hashable, Sendable {
    public var namespace: String?
    public var name: String?
    public var resourceVersion: String?

    /// The given coordinates.
    public init(namespace: String?, name: String?, resourceVersion: String?) {
        self.namespace = namespace
        self.name = name
        self.resourceVersion = resourceVersion
    }
}

/// `{kind}List`: one page of a list response.
public struct ObjectList<Item: Decodable & Sendable>: Decodable, Sendable {
    public var metadata: ListMeta
    public var items: [Item]

    /// A list page with the given items.
    public init(metadata: ListMeta, items: [Item]) {
        self.metadata = metadata
        self.items = items
    }

    enum CodingKeys: String, CodingKey { case metadata, items }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        metadata = try container.decodeIfPresent(ListMeta.self, forKey: .metadata) ?? ListMeta()
        // The API server writes `"items": null` for an empty list of some kinds.
        items = try container.decodeIfPresent([Item].self, forKey: .items) ?? []
    }
}
