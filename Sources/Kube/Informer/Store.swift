import Synchronization

/// What changed in an informer's cache.
public enum InformerEvent<Object: Sendable>: Sendable {
    case added(Object)
    case updated(old: Object, new: Object)
    case deleted(Object)
}

/// An informer's in-memory cache of one kind: objects by `namespace/name`, plus secondary indexes.
///
/// Guarantees: reads are consistent snapshots; `replace` swaps the whole content at once after a
/// (re)list and reports objects that disappeared as deletions (kube-rs `InitDone`), so a missed
/// DELETE event during a watch outage is still seen.
public final class Store<Object: KubeResource>: Sendable {
    /// Maps an object to the index values it is filed under.
    public typealias IndexFunction = @Sendable (Object) -> [String]

    private struct State {
        var objects: [String: Object] = [:]
        var indexes: [String: [String: Set<String>]] = [:]
    }

    private let state = Mutex(State())
    private let indexers: [String: IndexFunction]

    /// An empty store with the given named indexes.
    public init(indexers: [String: IndexFunction] = [:]) {
        self.indexers = indexers
    }

    /// `namespace/name`, or `name` for cluster-scoped objects.
    public static func key(of object: Object) -> String {
        let name = object.metadata.name ?? ""
        guard let namespace = object.metadata.namespace, !namespace.isEmpty else { return name }
        return "\(namespace)/\(name)"
    }

    /// The object with `key`.
    public func get(_ key: String) -> Object? { state.withLock { $0.objects[key] } }

    /// The object `name` in `namespace`.
    public func get(name: String, namespace: String?) -> Object? {
        get(namespace.map { "\($0)/\(name)" } ?? name)
    }

    /// Every cached object.
    public func list() -> [Object] { state.withLock { Array($0.objects.values) } }

    /// The number of cached objects.
    public var count: Int { state.withLock { $0.objects.count } }

    /// The objects filed under `value` in index `index`.
    public func byIndex(_ index: String, _ value: String) -> [Object] {
        state.withLock { state in
            (state.indexes[index]?[value] ?? []).compactMap { state.objects[$0] }
        }
    }

    /// Applies one watch event; returns what changed (nil when nothing did, e.g. a replayed version).
    @discardableResult
    public func apply(_ event: WatchEvent<Object>) -> InformerEvent<Object>? {
        switch event {
        case .added(let object), .modified(let object): return upsert(object)
        case .deleted(let object):
            let key = Self.key(of: object)
            return state.withLock { state in
                guard let old = state.objects.removeValue(forKey: key) else { return nil }
                unindex(old, key: key, in: &state)
                return .deleted(object)
            }
        case .bookmark, .error: return nil
        }
    }

    /// Replaces the whole content with a fresh list; returns the adds, updates and the deletions
    /// of objects that are gone.
    public func replace(with objects: [Object]) -> [InformerEvent<Object>] {
        state.withLock { state in
            var events: [InformerEvent<Object>] = []
            var fresh: [String: Object] = [:]
            for object in objects { fresh[Self.key(of: object)] = object }
            for (key, old) in state.objects where fresh[key] == nil {
                unindex(old, key: key, in: &state)
                events.append(.deleted(old))
            }
            for (key, object) in fresh {
                if let old = state.objects[key] {
                    if old.metadata.resourceVersion != object.metadata.resourceVersion {
                        unindex(old, key: key, in: &state)
                        index(object, key: key, in: &state)
                        events.append(.updated(old: old, new: object))
                    }
                } else {
                    index(object, key: key, in: &state)
                    events.append(.added(object))
                }
            }
            state.objects = fresh
            return events
        }
    }

    private func upsert(_ object: Object) -> InformerEvent<Object>? {
        let key = Self.key(of: object)
        return state.withLock { state in
            let old = state.objects[key]
            if let old, old.metadata.resourceVersion == object.metadata.resourceVersion,
                object.metadata.resourceVersion != nil
            {
                return nil
            }
            if let old { unindex(old, key: key, in: &state) }
            state.objects[key] = object
            index(object, key: key, in: &state)
            return old.map { .updated(old: $0, new: object) } ?? .added(object)
        }
    }

    private func index(_ object: Object, key: String, in state: inout State) {
        for (name, function) in indexers {
            for value in function(object) { state.indexes[name, default: [:]][value, default: []].insert(key) }
        }
    }

    private func unindex(_ object: Object, key: String, in state: inout State) {
        for (name, function) in indexers {
            for value in function(object) { state.indexes[name]?[value]?.remove(key) }
        }
    }
}
