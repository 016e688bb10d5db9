import Synchronization

/// The objects this process wrote itself, as the API server returned them: the newest per
/// object, by `Store.key(of:)`.
///
/// Why: a controller reconciles from its informer's cache, which reaches its own writes only when
/// their watch events come back, so it keeps what a write returned for the moment in between
/// (`latest`). The same copy spares the informer decoding that watch event (the echo): an event
/// carrying exactly a version held here is that object, so the watch takes it from here
/// (`object(namespace:name:resourceVersion:)`) instead of decoding it again. Two of the four
/// watch events of a grant are such echoes (BENCHMARKS.md, "Controller", sixth round).
///
/// The owner forgets a key once its cache has caught up (`forget`), so at most the objects
/// written since their last reconcile are held, each shared with the cache once it is there.
public final class WrittenObjects<Object: KubeResource>: Sendable {
    private let objects = Mutex<[String: Object]>([:])

    /// An empty set.
    public init() {}

    /// Keeps `object` as the newest write of its key.
    public func remember(_ object: Object) {
        objects.withLock { $0[Store<Object>.key(of: object)] = object }
    }

    /// The newest write of `key` that is still held.
    public func latest(_ key: String) -> Object? {
        objects.withLock { $0[key] }
    }

    /// Drops what is held for `key`.
    public func forget(_ key: String) {
        _ = objects.withLock { $0.removeValue(forKey: key) }
    }

    /// The object `namespace/name` if the write held for it is at exactly `resourceVersion`
    /// (a resourceVersion names one version of one object, so it is the same object).
    public func object(namespace: String?, name: String, resourceVersion: String) -> Object? {
        objects.withLock { objects in
            let held = objects[Store<Object>.key(namespace: namespace, name: name)]
            return held?.identity.resourceVersion == resourceVersion ? held : nil
        }
    }

    /// How many objects are held (tests).
    public var count: Int { objects.withLock { $0.count } }
}
