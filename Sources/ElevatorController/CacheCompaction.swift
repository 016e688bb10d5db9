import Elevation
import Kube
import Synchronization

/// What the caches do to each decoded object before keeping it, so that a cached object holds
/// one copy of what it shares with others (see BENCHMARKS.md, "Controller", fourth round).
///
/// A request decodes into two metadata values (the Kube client's and the Elevation module's) and
/// a spec whose requester, subject and rules are usually the same as many other requests'. Each
/// string over 15 bytes and each array is a heap allocation of its own; with thousands of
/// requests cached those copies are most of the cache.
enum CacheCompaction {
    /// The annotation `kubectl apply` writes: the whole object as JSON again. Nothing here reads
    /// it, and a cache of applied objects would otherwise hold the object twice.
    static let lastAppliedAnnotation = lastApplied.description
    /// `lastAppliedAnnotation`, for reads that compare it as bytes.
    static let lastApplied: StaticString = "kubectl.kubernetes.io/last-applied-configuration"

    /// `metadata` without what the controller never reads: server-side apply's bookkeeping and
    /// `kubectl apply`'s copy of the object.
    static func trimmed(_ metadata: Kube.ObjectMeta) -> Kube.ObjectMeta {
        var metadata = metadata
        metadata.managedFields = nil
        metadata.annotations?[lastAppliedAnnotation] = nil
        return metadata
    }

    /// Requesters seen in cached requests (most requests come from a few people and groups).
    static let requesters = Interner<Identity>()
    /// Subjects of cached requests.
    static let subjects = Interner<Subject>()
    /// Rule lists of cached requests (often copied from the policy, so shared by many).
    static let rules = Interner<[AccessRule]>()
    /// Short, repeated strings: policy names.
    static let names = Interner<String>()
}

/// A bounded set of values handed out in place of equal ones, so that equal values share one
/// storage. Holds at most `capacity` distinct values (then new ones are returned as they are), so
/// a stream of unique values cannot grow it without bound.
final class Interner<Value: Hashable & Sendable>: Sendable {
    private let values = Mutex<Set<Value>>([])
    private let capacity: Int

    /// An empty interner keeping at most `capacity` distinct values.
    init(capacity: Int = 4096) {
        self.capacity = capacity
    }

    /// The kept value equal to `value`, else `value` (kept too while there is room).
    func intern(_ value: Value) -> Value {
        values.withLock { values in
            if let index = values.firstIndex(of: value) { return values[index] }
            if values.count < capacity { values.insert(value) }
            return value
        }
    }

    /// The number of distinct values kept.
    var count: Int { values.withLock { $0.count } }
}

extension Elevation.ObjectMeta {
    /// Drops `kubectl apply`'s annotation, as `CacheCompaction.trimmed` does, and takes the Kube
    /// client's copies (if it decoded any) of the fields both decoded from the same document
    /// (equal values, so only the storage changes).
    mutating func share(_ kube: Kube.ObjectMeta?) {
        annotations?[CacheCompaction.lastAppliedAnnotation] = nil
        guard let kube else { return }
        if name == kube.name { name = kube.name ?? name }
        if namespace == kube.namespace { namespace = kube.namespace }
        if uid == kube.uid { uid = kube.uid }
        if resourceVersion == kube.resourceVersion { resourceVersion = kube.resourceVersion }
        if labels == kube.labels { labels = kube.labels }
        if annotations == kube.annotations { annotations = kube.annotations }
        if finalizers == kube.finalizers { finalizers = kube.finalizers }
    }
}

/// The fields every Elevation kind has, for `compact(sharing:)`.
protocol ElevationKind: WatchedKind {
    var apiVersion: String? { get set }
    var kind: String? { get set }
    var metadata: Elevation.ObjectMeta { get set }
}

extension ElevationKind {
    /// Shares the metadata's storage with `metadata` and replaces `apiVersion` and `kind` by the
    /// constants they equal (constants take no heap).
    mutating func compactCommon(sharing metadata: Kube.ObjectMeta?) {
        self.metadata.share(metadata)
        if apiVersion == ElevationAPI.apiVersion { apiVersion = ElevationAPI.apiVersion }
        if kind == Self.resourceType.kind { kind = Self.resourceType.kind }
    }

    public mutating func compact(sharing metadata: Kube.ObjectMeta?) { compactCommon(sharing: metadata) }

    /// `derivedMetadata` is all of the Kube metadata but three members (see there).
    public static var derivesMetadata: Bool { true }

    /// The Kube metadata the Elevation metadata holds: all of it but owner references,
    /// `generateName` and the deletion grace period, which requests seldom have (when they do,
    /// `Watched` keeps the decoded metadata instead).
    /// From the Elevation metadata, as `derivedMetadata` would give it.
    public var derivedIdentity: ObjectIdentity? {
        ObjectIdentity(namespace: metadata.namespace, name: metadata.name, resourceVersion: metadata.resourceVersion)
    }

    /// The Elevation metadata's uid.
    public var derivedUID: String? { metadata.uid }

    public var derivedMetadata: Kube.ObjectMeta? {
        var kube = Kube.ObjectMeta(name: metadata.name, namespace: metadata.namespace, labels: metadata.labels, annotations: metadata.annotations)
        kube.uid = metadata.uid
        kube.resourceVersion = metadata.resourceVersion
        kube.generation = metadata.generation
        kube.creationTimestamp = metadata.creationTimestamp.map(Time.init)
        kube.deletionTimestamp = metadata.deletionTimestamp.map(Time.init)
        kube.finalizers = metadata.finalizers
        return kube
    }
}

extension ElevationPolicy: ElevationKind {}
extension ElevationApproval: ElevationKind {}

extension ElevationRequest: ElevationKind {
    /// Also hands the spec's requester, subject, rules and policy name out of the interners.
    public mutating func compact(sharing metadata: Kube.ObjectMeta?) {
        compactCommon(sharing: metadata)
        spec.requester = CacheCompaction.requesters.intern(spec.requester)
        spec.subject = CacheCompaction.subjects.intern(spec.subject)
        spec.rules = spec.rules.map(CacheCompaction.rules.intern)
        // Strings of up to 15 bytes are stored inline and gain nothing.
        if spec.policy.utf8.count > 15 { spec.policy = CacheCompaction.names.intern(spec.policy) }
    }
}
