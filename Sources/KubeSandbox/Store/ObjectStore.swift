import Foundation
import Logging
import Synchronization
import YAML

/// The sandbox's storage: every object, one global resourceVersion, a bounded event history and
/// the registered watchers, behind one lock.
///
/// Guarantees: each write is atomic and gets the next resourceVersion; watchers see every
/// matching change in resourceVersion order, with no gap between a list and a watch started from
/// its resourceVersion; a resume from before the kept history is refused with 410 (Expired).
/// Caveats: a continued list is served from the current state (not a snapshot at the first
/// page's resourceVersion), but reports that first resourceVersion, so a watch from it delivers
/// whatever changed meanwhile; it is refused with 410 once that resourceVersion leaves the history.
public final class ObjectStore: Sendable {
    /// Store settings.
    public struct Config: Sendable {
        /// How many events the history keeps (kube-apiserver's watch cache keeps a few thousand
        /// per type and about 75 s of them).
        public var historyLimit: Int
        /// The clock for timestamps.
        public var now: @Sendable () -> Date
        /// Delay before the garbage collector runs after a change that may need it; nil runs
        /// it only when `collectGarbage()` is called (deterministic tests).
        public var garbageCollectionDelay: Duration?

        /// Creates a configuration with kube-like defaults.
        public init(historyLimit: Int = 10_000, now: @escaping @Sendable () -> Date = { Date() },
                    garbageCollectionDelay: Duration? = .milliseconds(20)) {
            self.historyLimit = historyLimit
            self.now = now
            self.garbageCollectionDelay = garbageCollectionDelay
        }
    }

    private let state: Mutex<StoreState>
    /// The catalog as of the last write that changed it, behind a lock of its own: every request
    /// reads it, and taking the store's lock for that made reads wait behind writes (a tenth of
    /// the sandbox's CPU went to waiting on that lock at 500 grants/s).
    private let published: Mutex<(generation: Int, catalog: ResourceCatalog)>
    private let config: Config
    private let collectorScheduled = Atomic<Bool>(false)

    /// Creates an empty store holding the namespaces a fresh cluster has.
    public init(config: Config = Config()) {
        self.config = config
        var initial = StoreState(historyLimit: max(1, config.historyLimit))
        for name in ["default", "kube-system", "kube-public", "kube-node-lease"] {
            _ = try? initial.create(
                ResourceType.builtIns[0], namespace: "", body: .object(["metadata": .object(["name": .string(name)])]),
                options: WriteOptions(fieldManager: "kube-apiserver"), now: config.now())
        }
        published = Mutex((initial.catalogGeneration, initial.catalog))
        state = Mutex(initial)
    }

    /// The resource types served right now (built-ins and installed CRDs).
    public var types: [ResourceType] { catalog.types }

    var catalog: ResourceCatalog { published.withLock { $0.catalog } }

    /// The current global resourceVersion.
    public var resourceVersion: Int64 { state.withLock { $0.revision } }

    /// The oldest resourceVersion a watch can still resume from.
    public var oldestResumableVersion: Int64 { state.withLock { $0.floor } }

    /// The type served at `group/version/plural`, if any.
    public func type(group: String, version: String, plural: String) -> ResourceType? {
        catalog.type(group: group, version: version, plural: plural)
    }

    /// One object.
    public func get(_ type: ResourceType, namespace: String, name: String) throws(SandboxError) -> StoredObject {
        try state.withLock { (state) throws(SandboxError) -> StoredObject in
            try state.existing(type, namespace: namespace, name: name)
        }
    }

    /// A page of objects of `type` (in `namespace`, or all namespaces for nil) that match the selectors.
    public func list(_ type: ResourceType, namespace: String?, labels: LabelSelector = .everything,
                     fields: FieldSelector = .everything, limit: Int? = nil, continueToken: String? = nil)
        throws(SandboxError) -> ListResult
    {
        let start: ContinueToken?
        if let continueToken, !continueToken.isEmpty {
            start = try ContinueToken(decoding: continueToken)
        } else {
            start = nil
        }
        return try state.withLock { (state) throws(SandboxError) -> ListResult in
            if let start, start.revision < state.floor {
                throw .expired("The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue value from the response to get a consistent list.")
            }
            let page = state.page(type.storageKey, namespace: type.namespaced ? namespace : nil, after: start?.key,
                                  limit: limit, labels: labels, fields: fields)
            let revision = start?.revision ?? state.revision
            var token: String?
            if page.remaining > 0, let lastKey = page.lastKey {
                token = ContinueToken(revision: revision, key: lastKey).encoded
            }
            let items = page.items
            let remaining = page.remaining
            // Every page reports the first page's resourceVersion, as kube-apiserver's do: a client
            // watches from it, so an object written between two pages (served from the current
            // state, before the continue key) is still delivered by the watch instead of lost.
            return ListResult(items: items, resourceVersion: revision, continueToken: token,
                              remainingItemCount: remaining > 0 ? remaining : nil)
        }
    }

    /// Creates an object; `namespace` is ignored for cluster-scoped types.
    public func create(_ type: ResourceType, namespace: String, body: JSONValue,
                       options: WriteOptions = WriteOptions()) throws(SandboxError) -> WriteResult {
        // Admission needs only the request, so it runs before the lock is taken.
        let prepared = try StoreState.prepareCreate(type, namespace: namespace, body: body, options: options, now: config.now())
        return try write { (state) throws(SandboxError) in
            try state.insert(type, namespace: namespace, prepared, options: options)
        }
    }

    /// Replaces an object (PUT), or its status with `subresource: "status"`.
    public func update(_ type: ResourceType, namespace: String, name: String, body: JSONValue,
                       subresource: String? = nil, options: WriteOptions = WriteOptions()) throws(SandboxError)
        -> WriteResult
    {
        try patch(type, namespace: namespace, name: name, subresource: subresource, options: options) { _ in body }
    }

    /// Reads, transforms and writes back an object atomically (the PATCH verbs). The transform
    /// sees the current object; a resourceVersion it leaves in place is the current one, so only
    /// a patch that sets one explicitly can conflict. It may run more than once (when the object
    /// changed while it ran), so it must not have side effects.
    public func patch(_ type: ResourceType, namespace: String, name: String, subresource: String? = nil,
                      options: WriteOptions = WriteOptions(),
                      transform: (JSONValue) throws(SandboxError) -> JSONValue) throws(SandboxError) -> WriteResult
    {
        let now = config.now()
        return try writeOptimistically(type, namespace: namespace, name: name, options: options) { (current) throws(SandboxError) in
            guard let current else { throw .notFound(resource: type.plural, group: type.group, name: name) }
            let prepared = try StoreState.prepareUpdate(
                type, namespace: namespace, name: name, current: current.value, body: try transform(current.value),
                subresource: subresource, options: options, now: now)
            return .update(prepared, over: current)
        }
    }

    /// Server-side apply of `config` (creates the object if missing).
    public func apply(_ type: ResourceType, namespace: String, name: String, config applied: JSONValue,
                      subresource: String? = nil, options: WriteOptions) throws(SandboxError) -> WriteResult {
        let now = config.now()
        return try writeOptimistically(type, namespace: namespace, name: name, options: options) { (current) throws(SandboxError) in
            try StoreState.prepareApply(type, namespace: namespace, name: name, config: applied, current: current,
                                        subresource: subresource, options: options, now: now)
        }
    }

    /// How many times a write is worked out again because its object changed meanwhile, before
    /// it is worked out under the lock instead (where nothing can change it).
    static let optimisticAttempts = 3

    /// Works a write out from the current object outside the lock (`prepare`: schema admission,
    /// managed fields, patches), then stores it if the object is still that version.
    ///
    /// Why: under the lock every write waits for every other one's admission; at 500 grants/s a
    /// tenth of the sandbox's CPU went to waiting on it (BENCHMARKS.md, "Controller", fifth
    /// round). An error `prepare` gives from a version that was current when it was read is the
    /// answer: the write failed then.
    private func writeOptimistically(
        _ type: ResourceType, namespace: String, name: String, options: WriteOptions,
        prepare: (StoredObject?) throws(SandboxError) -> StoreState.PreparedApply
    ) throws(SandboxError) -> WriteResult {
        for _ in 0..<Self.optimisticAttempts {
            let current = state.withLock { $0.lookup(type, namespace: namespace, name: name) }
            let prepared = try prepare(current)
            let stored = try write { (state) throws(SandboxError) -> WriteResult? in
                let latest = state.lookup(type, namespace: namespace, name: name)
                guard latest?.value["metadata"]?["resourceVersion"] == current?.value["metadata"]?["resourceVersion"] else {
                    return nil
                }
                return try state.finish(type, namespace: namespace, prepared, options: options)
            }
            if let stored { return stored }
        }
        return try write { (state) throws(SandboxError) in
            try state.finish(type, namespace: namespace, prepare(state.lookup(type, namespace: namespace, name: name)), options: options)
        }
    }

    /// Deletes an object; returns it and whether it is gone (false while finalizers hold it).
    public func delete(_ type: ResourceType, namespace: String, name: String,
                       options: DeleteOptions = DeleteOptions()) throws(SandboxError) -> (object: StoredObject, removed: Bool)
    {
        let now = config.now()
        return try write { (state) throws(SandboxError) in
            try state.delete(type, namespace: namespace, name: name, options: options, now: now)
        }
    }

    /// Deletes every matching object; returns the objects as they were.
    public func deleteCollection(_ type: ResourceType, namespace: String?, labels: LabelSelector = .everything,
                                 fields: FieldSelector = .everything, options: DeleteOptions = DeleteOptions())
        throws(SandboxError) -> [StoredObject]
    {
        let now = config.now()
        return try write { (state) throws(SandboxError) in
            var deleted: [StoredObject] = []
            for (_, object) in state.objects(type.storageKey, namespace: type.namespaced ? namespace : nil)
            where labels.matches(ObjectMeta.labels(object.value)) && fields.matches(object.value) {
                let result = try state.delete(type, namespace: ObjectMeta.namespace(object.value),
                                              name: ObjectMeta.name(object.value), options: options, now: now)
                deleted.append(result.object)
            }
            return deleted
        }
    }

    /// Runs the garbage collector now; returns how many objects it deleted or changed.
    @discardableResult
    public func collectGarbage() -> Int {
        let now = config.now()
        let (count, changed) = state.withLock { state in
            let generation = state.catalogGeneration
            let count = state.collectGarbage(now: now)
            return (count, generation == state.catalogGeneration ? nil : (state.catalogGeneration, state.catalog))
        }
        if let changed { publish(changed) }
        return count
    }

    /// Forgets the event history: resuming a watch or a list from before now gets 410.
    public func compact() {
        state.withLock { $0.compact() }
    }

    func withState<Result: Sendable>(_ body: (inout StoreState) -> Result) -> Result {
        state.withLock { body(&$0) }
    }

    private func write<Result: Sendable>(_ body: (inout StoreState) throws(SandboxError) -> Result) throws(SandboxError)
        -> Result
    {
        let (result, needsCollection, changed) = try state.withLock {
            (state) throws(SandboxError) -> (Result, Bool, (Int, ResourceCatalog)?) in
            let generation = state.catalogGeneration
            let result = try body(&state)
            let changed = generation == state.catalogGeneration ? nil : (state.catalogGeneration, state.catalog)
            return (result, state.garbagePending, changed)
        }
        if let changed { publish(changed) }
        if needsCollection { scheduleCollection() }
        return result
    }

    /// Publishes a rebuilt catalog unless a later one already was (two writes that changed the
    /// CRDs can finish in either order).
    private func publish(_ rebuilt: (generation: Int, catalog: ResourceCatalog)) {
        published.withLock { current in
            if rebuilt.generation > current.generation { current = rebuilt }
        }
    }

    private func scheduleCollection() {
        guard let delay = config.garbageCollectionDelay else { return }
        guard collectorScheduled.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing)
            .exchanged
        else { return }
        Task { [weak self] in
            try? await Task.sleep(for: delay)
            guard let self else { return }
            self.collectorScheduled.store(false, ordering: .releasing)
            self.collectGarbage()
        }
    }
}

/// The opaque `continue` token: base64 JSON of the list's resourceVersion and the last key served.
struct ContinueToken: Sendable {
    var revision: Int64
    var key: String

    init(revision: Int64, key: String) {
        self.revision = revision
        self.key = key
    }

    init(decoding text: String) throws(SandboxError) {
        var padded = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while padded.count % 4 != 0 { padded += "=" }
        guard let data = Data(base64Encoded: padded), let value = try? JSONParser.parse(Array(data)),
            let revision = value["rv"]?.intValue, let key = value["start"]?.stringValue
        else {
            throw .badRequest("continue key is not valid: illegal base64 data at input byte 0")
        }
        self.revision = revision
        self.key = key
    }

    var encoded: String {
        let json = JSONWriter.encode(.object(["v": .string("meta.k8s.io/v1"), "rv": .int(revision), "start": .string(key)]))
        return Data(json).base64EncodedString()
    }
}
