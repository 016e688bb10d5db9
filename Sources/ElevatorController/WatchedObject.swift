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
    /// it (nil: none was, the value's own is the only copy): lets the value share storage with it
    /// and with other cached values, and drop what the cache never reads (`CacheCompaction`).
    mutating func compact(sharing metadata: Kube.ObjectMeta?)
    /// The Kube metadata as far as this value carries it (nil: it carries none), so that
    /// `Watched` need not keep a second copy of what it can derive.
    var derivedMetadata: Kube.ObjectMeta? { get }
    /// `derivedMetadata`'s namespace, name and resourceVersion, without building it.
    var derivedIdentity: ObjectIdentity? { get }
    /// `derivedMetadata`'s uid, without building it.
    var derivedUID: String? { get }
    /// Whether `derivedMetadata` gives back every member of the Kube metadata but owner
    /// references, `generateName` and the deletion grace period (and what `CacheCompaction`
    /// drops): `Watched` then reads the Kube metadata only for an object that has one of those.
    static var derivesMetadata: Bool { get }
}

extension WatchedKind {
    /// Nothing to share.
    public mutating func compact(sharing metadata: Kube.ObjectMeta?) {}
    /// No metadata of its own.
    public var derivedMetadata: Kube.ObjectMeta? { nil }
    /// No metadata of its own.
    public var derivedIdentity: ObjectIdentity? { nil }
    /// No metadata of its own.
    public var derivedUID: String? { nil }
    /// No metadata of its own.
    public static var derivesMetadata: Bool { false }
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

    /// The value and the metadata kept beside it, behind one reference. The caches, informers
    /// and the work queue's handlers copy cached objects (into events, out of lookups) in `Kube`
    /// code that is not specialised for them; a request copied field by field there took about
    /// 30 retains and as many releases, a quarter of a start's time in the cache's `replace`
    /// (BENCHMARKS.md, "Controller", fifteenth round). Copying a `Watched` is one retain.
    private final class Storage: Sendable {
        let value: Value
        /// The Kube metadata when `value` does not give it back exactly; nil: derived from `value`.
        let kept: KeptMetadata?

        init(value: Value, kept: KeptMetadata?) {
            self.value = value
            self.kept = kept
        }
    }

    private var storage: Storage

    /// The object as the Elevation module models it. Setting it stores a new copy (the old one
    /// may be shared with other copies of this `Watched`).
    public var value: Value {
        get { storage.value }
        set { storage = Storage(value: newValue, kept: storage.kept) }
    }

    public var metadata: Kube.ObjectMeta {
        get { storage.kept?.metadata ?? storage.value.derivedMetadata ?? Kube.ObjectMeta() }
        set { storage = Storage(value: storage.value, kept: KeptMetadata(newValue)) }
    }

    /// From the kept metadata, or from the value without deriving the whole metadata.
    public var identity: ObjectIdentity {
        if let kept = storage.kept {
            return ObjectIdentity(
                namespace: kept.metadata.namespace, name: kept.metadata.name, resourceVersion: kept.metadata.resourceVersion)
        }
        return storage.value.derivedIdentity ?? ObjectIdentity(namespace: nil, name: nil, resourceVersion: nil)
    }

    // The three fields a reconcile reads most, without deriving the whole metadata: each
    // `metadata` read on a request builds a Kube `ObjectMeta`, about 30 times per grant, 1.7% of
    // the controller's instructions (BENCHMARKS.md, "Controller", twelfth round).

    /// `metadata.name`.
    public var name: String? { identity.name }
    /// `metadata.namespace`.
    public var namespace: String? { identity.namespace }
    /// `metadata.uid`.
    public var uid: String? {
        if let kept = storage.kept { return kept.metadata.uid }
        return storage.value.derivedUID
    }

    /// Both reads go through one single-value container rather than a keyed container and
    /// `Value(from:)`: the tape decoder then reads each member by member where the type can
    /// (`JSONMemberReadable`), without a boxed container per object.
    public init(from decoder: any Decoder) throws {
        // Server-side apply bookkeeping and `kubectl apply`'s copy of the object are never read
        // here; a cache of thousands of objects would otherwise hold them once per object.
        let object = try decoder.singleValueContainer()
        if Value.derivesMetadata, try object.decode(MetadataShape.self).isDerivable {
            // The value's own metadata gives back the whole Kube metadata, which then need not
            // be read at all: reading it was over a quarter of a start's time decoding its
            // lists (BENCHMARKS.md, "Controller", fifteenth round). Compacting without it drops
            // from the value what `CacheCompaction.trimmed` would have dropped.
            var value = try object.decode(Value.self)
            value.compact(sharing: nil)
            storage = Storage(value: value, kept: nil)
            return
        }
        let metadata = CacheCompaction.trimmed(try object.decode(MetadataMember.self).metadata)
        var value = try object.decode(Value.self)
        value.compact(sharing: metadata)
        storage = Storage(value: value, kept: value.derivedMetadata == metadata ? nil : KeptMetadata(metadata))
    }

    public func encode(to encoder: any Encoder) throws { try value.encode(to: encoder) }

    /// Whether `metadata` is derived from `value` rather than kept beside it.
    var derivesMetadata: Bool { storage.kept == nil }
}

/// An object's `metadata`, the one member `Watched` reads as Kube metadata.
private struct MetadataMember: JSONMemberReadable {
    var metadata: Kube.ObjectMeta

    struct Members: JSONMembers {
        var metadata: Kube.ObjectMeta?

        mutating func decodeMember(_ member: borrowing JSONMember) throws {
            if member.is("metadata") { metadata = try member.decode(UntrackedMetadata.self)?.metadata }
        }
    }

    init?(members: Members) {
        guard let metadata = members.metadata else { return nil }
        self.metadata = metadata
    }
}

/// Which members an object's `metadata` has, read without their values: whether a value that
/// derives its metadata (`WatchedKind.derivesMetadata`) gives back all of it. False (the whole
/// metadata is then read as before) for an object without metadata, with owner references,
/// `generateName` or a deletion grace period, and through any decoder but the tape's.
private struct MetadataShape: JSONMemberDecodable {
    /// True once a `metadata` object without any of those members was seen.
    var isDerivable = false

    init() {}

    init(from decoder: any Decoder) throws {}

    mutating func decodeMember(_ member: borrowing JSONMember) throws {
        if member.is("metadata") { isDerivable = try member.decode(Keys.self)?.isDerivable ?? false }
    }

    /// The members of `metadata`.
    struct Keys: JSONMemberDecodable {
        var isDerivable = true

        init() {}

        init(from decoder: any Decoder) throws { isDerivable = false }

        mutating func decodeMember(_ member: borrowing JSONMember) throws {
            if member.is("ownerReferences") || member.is("generateName") || member.is("deletionGracePeriodSeconds") {
                isDerivable = false
            }
        }
    }
}

/// Kube metadata read without `managedFields`, which `CacheCompaction.trimmed` drops anyway:
/// the entries (one per field manager, each with its owned fields as text) were a third of the
/// time of reading a LIST's metadata, on every request and every AuthorizationPolicy of a start
/// (BENCHMARKS.md, "Controller", fifteenth round). Other decoders read the whole metadata.
private struct UntrackedMetadata: JSONMemberDecodable {
    var metadata = Kube.ObjectMeta()

    init() {}

    init(from decoder: any Decoder) throws { metadata = try Kube.ObjectMeta(from: decoder) }

    mutating func decodeMember(_ member: borrowing JSONMember) throws {
        if member.is("managedFields") { return }
        try metadata.decodeMember(member)
    }
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
///
/// Elevator's own objects (one per grant, thousands of them) are kept as their compact JSON text
/// and parsed only when their request's reconcile reads one; what the caches and handlers ask of
/// every object (apiVersion, kind, ownership, expiry) is read once at decoding. As a `JSONValue`
/// tree an AuthorizationPolicy took about 4.7 KB and most of its decoding time; as text, the
/// length of its JSON. Everyone else's objects (a few per namespace, read by every reconcile of
/// their namespace) stay trees.
public struct MeshObjectValue: WatchedKind, Hashable {
    /// A placeholder the controller never uses: mesh objects are always listed, watched, written
    /// and deleted with the resource their backend names (`MeshBackend.watchedResources`).
    public static var resourceType: ResourceType {
        ResourceType(group: "elevator.dev", version: "v1alpha1", plural: "meshobjects", kind: "MeshObject", namespaced: true)
    }

    /// The object's `apiVersion` (or the one `stamp` gave it).
    public private(set) var apiVersion: String?
    /// The object's `kind` (or the one `stamp` gave it).
    public private(set) var kind: String?
    /// Whether the object carries Elevator's managed-by label.
    public private(set) var isManaged: Bool
    /// The uid of the request this object was written for (its `elevator.dev/request-uid`
    /// annotation), only when it also carries the managed-by label: an object with the label
    /// alone is someone else's.
    public private(set) var managedRequestUID: String?
    /// The `elevator.dev/expires-at` annotation of a managed object, if it parses.
    public private(set) var expiresAt: Date?
    private var storage: Storage

    private enum Storage: Hashable, Sendable {
        case tree(JSONValue)
        /// Compact JSON text, valid by construction.
        case text(String)
    }

    /// Wraps `json`.
    public init(json: JSONValue) {
        let metadata = json["metadata"]
        let labels = metadata?["labels"]
        let annotations = metadata?["annotations"]
        self.init(
            apiVersion: json["apiVersion"]?.stringValue, kind: json["kind"]?.stringValue,
            managedBy: labels?[MeshObjectMembers.managedByLabel.description]?.stringValue,
            requestUID: annotations?[MeshObjectMembers.requestUIDAnnotation.description]?.stringValue,
            expiresAt: annotations?[MeshObjectMembers.expiresAtAnnotation.description]?.stringValue, storage: .tree(json))
    }

    /// An object with the values of its managed-by label and of its request-uid and expires-at
    /// annotations (the two read only when the label says Elevator).
    private init(apiVersion: String?, kind: String?, managedBy: String?, requestUID: String?, expiresAt: String?, storage: Storage) {
        self.apiVersion = apiVersion.map(CacheCompaction.names.intern)
        self.kind = kind.map(CacheCompaction.names.intern)
        isManaged = managedBy == "elevator"
        managedRequestUID = isManaged ? requestUID : nil
        self.expiresAt = isManaged ? expiresAt.flatMap(RFC3339.parse) : nil
        self.storage = storage
    }

    /// The whole object, with the `apiVersion` and `kind` it was stamped with. A managed
    /// object's is parsed from its text on each read.
    public var json: JSONValue {
        var json: JSONValue
        switch storage {
        case .tree(let tree): json = tree
        case .text(let text): json = (try? JSONParser.parse(text.utf8)) ?? .null
        }
        if let apiVersion, json["apiVersion"]?.stringValue != apiVersion { json["apiVersion"] = .string(apiVersion) }
        if let kind, json["kind"]?.stringValue != kind { json["kind"] = .string(kind) }
        return json
    }

    /// What the drift check (`MeshBackend.matches(live:desired:)`) reads of the object: its
    /// `spec`, labels and annotations. Of an object kept as text only these are built: a cold
    /// start checks the object of every Active grant, and building each whole tree was 8% of it
    /// (BENCHMARKS.md, "Controller", fourteenth round).
    public var driftView: JSONValue {
        guard case .text(let text) = storage,
            let members = try? JSONValueDecoder().decode(DriftMembers.self, fromJSON: text.utf8)
        else { return json }
        var view: [String: JSONValue] = [:]
        view["spec"] = members.spec
        if let metadata = members.metadata {
            var kept: [String: JSONValue] = [:]
            kept["labels"] = metadata.labels
            kept["annotations"] = metadata.annotations
            view["metadata"] = .object(kept)
        }
        return .object(view)
    }

    /// Gives the object the `apiVersion` and `kind` of the resource it was listed or read as
    /// (list items of built-in kinds may lack them; writes and deletes find the resource by them).
    public mutating func stamp(apiVersion: String, kind: String) {
        self.apiVersion = CacheCompaction.names.intern(apiVersion)
        self.kind = CacheCompaction.names.intern(kind)
    }

    /// Decodes the whole object except `metadata.managedFields` and `kubectl apply`'s
    /// last-applied annotation, which nothing here reads (the drift check compares only what
    /// Elevator sets). They are skipped, not built and dropped: `managedFields` is about a third
    /// of a server-side applied object and most of its JSON objects. The members are cut from
    /// the document as text (`RawJSON`) one at a time (`JSONMemberDecodable`, no keyed
    /// container) and joined; only an object that is not Elevator's is then parsed into a tree.
    public init(from decoder: any Decoder) throws {
        guard let object = try? decoder.singleValueContainer().decode(MeshObjectMembers.self) else {
            self.init(json: try JSONValue(from: decoder))
            return
        }
        let metadata = object.metadata
        let text = object.finishedText()
        let managed = metadata?.managedBy == "elevator"
        self.init(
            apiVersion: object.apiVersion, kind: object.kind, managedBy: metadata?.managedBy,
            requestUID: metadata?.requestUID, expiresAt: metadata?.expiresAt,
            storage: managed ? .text(String(decoding: text, as: UTF8.self)) : .tree((try? JSONParser.parse(text)) ?? .null))
    }

    public func encode(to encoder: any Encoder) throws { try json.encode(to: encoder) }

    /// Whether the object is kept as text (tests).
    var keepsText: Bool {
        if case .text = storage { return true }
        return false
    }
}

/// The members `MeshObjectValue.driftView` reads.
private struct DriftMembers: JSONMemberDecodable {
    struct Metadata: JSONMemberDecodable {
        var labels: JSONValue?
        var annotations: JSONValue?

        mutating func decodeMember(_ member: borrowing JSONMember) throws {
            if member.is("labels") {
                labels = member.decodeJSONValue()
            } else if member.is("annotations") {
                annotations = member.decodeJSONValue()
            }
        }
    }

    var spec: JSONValue?
    var metadata: Metadata?

    mutating func decodeMember(_ member: borrowing JSONMember) throws {
        if member.is("spec") {
            spec = member.decodeJSONValue()
        } else if member.is("metadata") {
            metadata = try member.decode(Metadata.self)
        }
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
