import Elevation
import Foundation
import Kube
import YAML

/// A kind the controller caches: an Elevation type (or an unstructured mesh object) with the
/// API resource it is served as.
public protocol WatchedKind: Codable, Sendable {
    /// Where the API server serves this kind.
    static var resourceType: ResourceType { get }
    /// Called once on each decoded object before it is cached, with the metadata decoded beside
    /// it: lets the value share storage with it and with other cached values (`CacheCompaction`).
    mutating func compact(sharing metadata: Kube.ObjectMeta)
    /// The Kube metadata as far as this value carries it (nil: it carries none), so that
    /// `Watched` need not keep a second copy of what it can derive.
    var derivedMetadata: Kube.ObjectMeta? { get }
}

extension WatchedKind {
    /// Nothing to share.
    public mutating func compact(sharing metadata: Kube.ObjectMeta) {}
    /// No metadata of its own.
    public var derivedMetadata: Kube.ObjectMeta? { nil }
}

/// One cached object: the Kube client's metadata (uid, resourceVersion, finalizers, deletion
/// timestamp as the API server has them) beside the decoded value the domain reasons about.
///
/// Both are decoded from the same JSON document, so they always describe the same version. When
/// the value's own metadata gives back exactly the decoded Kube metadata (a request without
/// owner references, say), only the value is kept and `metadata` is derived from it on read:
/// a second copy would be a fifth of a cached request.
public struct Watched<Value: WatchedKind>: KubeResource {
    public static var resourceType: ResourceType { Value.resourceType }
    /// The object as the Elevation module models it.
    public var value: Value
    /// The Kube metadata when `value` does not give it back exactly; nil: derived from `value`.
    private var kept: KeptMetadata?

    public var metadata: Kube.ObjectMeta {
        get { kept?.metadata ?? value.derivedMetadata ?? Kube.ObjectMeta() }
        set { kept = KeptMetadata(newValue) }
    }

    private enum CodingKeys: String, CodingKey { case metadata }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        // Server-side apply bookkeeping and `kubectl apply`'s copy of the object are never read
        // here; a cache of thousands of objects would otherwise hold them once per object.
        let metadata = CacheCompaction.trimmed(try container.decode(Kube.ObjectMeta.self, forKey: .metadata))
        value = try Value(from: decoder)
        value.compact(sharing: metadata)
        kept = value.derivedMetadata == metadata ? nil : KeptMetadata(metadata)
    }

    public func encode(to encoder: any Encoder) throws { try value.encode(to: encoder) }

    /// Whether `metadata` is derived from `value` rather than kept beside it.
    var derivesMetadata: Bool { kept == nil }
}

/// Kube metadata kept beside a cached value, behind one reference (a cached object then costs
/// one pointer when it derives its metadata instead).
private final class KeptMetadata: Sendable {
    let metadata: Kube.ObjectMeta
    init(_ metadata: Kube.ObjectMeta) { self.metadata = metadata }
}

/// The API group of Elevator's own kinds.
enum ElevatorResources {
    static func elevator(_ plural: String, _ kind: String) -> ResourceType {
        ResourceType(group: "elevator.dev", version: "v1alpha1", plural: plural, kind: kind, namespaced: true)
    }
}

extension ElevationRequest: WatchedKind {
    public static var resourceType: ResourceType { ElevatorResources.elevator("elevationrequests", "ElevationRequest") }
}

extension ElevationPolicy: WatchedKind {
    public static var resourceType: ResourceType { ElevatorResources.elevator("elevationpolicies", "ElevationPolicy") }
}

extension ElevationApproval: WatchedKind {
    public static var resourceType: ResourceType { ElevatorResources.elevator("elevationapprovals", "ElevationApproval") }
}

/// One mesh object (of any kind a backend names), kept unstructured: the controller writes what
/// the backend renders and hands the others to the backend as they are.
public struct MeshObjectValue: WatchedKind, Hashable {
    /// A placeholder the controller never uses: mesh objects are always listed, watched, written
    /// and deleted with the resource their backend names (`MeshBackend.watchedResources`).
    public static var resourceType: ResourceType {
        ResourceType(group: "elevator.dev", version: "v1alpha1", plural: "meshobjects", kind: "MeshObject", namespaced: true)
    }
    /// The whole object.
    public var json: JSONValue

    /// Wraps `json`.
    public init(json: JSONValue) { self.json = json }

    /// Decodes the whole object except `metadata.managedFields` and `kubectl apply`'s
    /// last-applied annotation, which nothing here reads (the drift check compares only what
    /// Elevator sets).
    public init(from decoder: any Decoder) throws {
        json = try JSONValue(from: decoder)
        guard case .object(var members) = json, case .object(var metadata) = members["metadata"] else { return }
        var trimmed = false
        if metadata["managedFields"] != nil {
            metadata["managedFields"] = nil
            trimmed = true
        }
        if case .object(var annotations) = metadata["annotations"], annotations[CacheCompaction.lastAppliedAnnotation] != nil {
            annotations[CacheCompaction.lastAppliedAnnotation] = nil
            metadata["annotations"] = .object(annotations)
            trimmed = true
        }
        guard trimmed else { return }
        members["metadata"] = .object(metadata)
        json = .object(members)
    }
    public func encode(to encoder: any Encoder) throws { try json.encode(to: encoder) }

    /// The uid of the request this object was written for (its `elevator.dev/request-uid`
    /// annotation), only when it also carries the managed-by label: an object with the label
    /// alone is someone else's.
    public var managedRequestUID: String? {
        guard json["metadata"]?["labels"]?["app.kubernetes.io/managed-by"]?.stringValue == "elevator" else { return nil }
        return json["metadata"]?["annotations"]?["elevator.dev/request-uid"]?.stringValue
    }
}

extension MeshResource {
    /// The Kube client's resource type for this mesh resource.
    var resourceType: ResourceType {
        ResourceType(group: group, version: version, plural: plural, kind: kind, namespaced: namespaced)
    }
}

typealias RequestObject = Watched<ElevationRequest>
typealias PolicyObject = Watched<ElevationPolicy>
typealias ApprovalObject = Watched<ElevationApproval>
typealias MeshObject = Watched<MeshObjectValue>
