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

    /// One cached object behind a reference: the dictionary's buckets (a third of them empty at
    /// any time) then hold a pointer instead of the whole value, which for a typed object of a few
    /// hundred bytes halves the cache's memory, and `list()` copies pointers.
    private final class Box: Sendable {
        let object: Object
        init(_ object: Object) { self.object = object }
    }

    private struct State {
        var objects: [String: Box] = [:]
        /// One dictionary per index, in `indexNames`' order: value -> keys. An array rather than
        /// a dictionary by index name, so filing an object hashes its values, not also the names.
        var indexes: [[String: StoreKeys]]
    }

    private let state: Mutex<State>
    /// The indexes' names and functions, in one order (that of `State.indexes`). Two arrays, not
    /// one of pairs: this code is not specialised for `Object`, and a pair of a name and an
    /// `Object` function is a tuple type whose metadata was looked up on every use.
    private let indexNames: [String]
    private let indexFunctions: [IndexFunction]

    /// An empty store with the given named indexes.
    public init(indexers: [String: IndexFunction] = [:]) {
        let sorted = indexers.sorted { $0.key < $1.key }
        indexNames = sorted.map(\.key)
        indexFunctions = sorted.map(\.value)
        state = Mutex(State(indexes: Array(repeating: [:], count: indexers.count)))
    }

    /// The position of index `name` in `indexNames` (and `State.indexes`).
    private func position(of name: String) -> Int? { indexNames.firstIndex(of: name) }

    /// `namespace/name`, or `name` for cluster-scoped objects.
    public static func key(of object: Object) -> String {
        let identity = object.identity
        return key(namespace: identity.namespace, name: identity.name ?? "")
    }

    /// The key of the object `namespace/name` (cluster-scoped: `name`).
    public static func key(namespace: String?, name: String) -> String {
        guard let namespace, !namespace.isEmpty else { return name }
        return "\(namespace)/\(name)"
    }

    /// The object with `key`.
    public func get(_ key: String) -> Object? { state.withLock { $0.objects[key]?.object } }

    /// The object `name` in `namespace`.
    public func get(name: String, namespace: String?) -> Object? {
        get(Self.key(namespace: namespace, name: name))
    }

    /// The cached object `namespace/name` if it is at exactly `resourceVersion` (a `KnownObject`:
    /// a write's response whose watch event came first).
    public func object(namespace: String?, name: String, resourceVersion: String) -> Object? {
        let cached = get(name: name, namespace: namespace)
        return cached?.identity.resourceVersion == resourceVersion ? cached : nil
    }

    /// Every cached object.
    public func list() -> [Object] { state.withLock { $0.objects.values.map(\.object) } }

    /// Folds every cached object into `initial` with `update`, reading each in place under the
    /// cache's lock (no copies): for summaries over thousands of objects, where copying each
    /// typed object out (`list()`) was most of the cost.
    public func reduce<Result: Sendable>(into initial: Result, _ update: (inout Result, borrowing Object) -> Void) -> Result {
        state.withLock { state in
            var result = initial
            for box in state.objects.values { update(&result, box.object) }
            return result
        }
    }

    /// The number of cached objects.
    public var count: Int { state.withLock { $0.objects.count } }

    /// The objects filed under `value` in index `index`.
    public func byIndex(_ index: String, _ value: String) -> [Object] {
        // Without an array of keys and `compactMap`: this code is not specialised for the caller's
        // type, and each of those generic steps looked up type metadata at run time (23 calls
        // per grant; BENCHMARKS.md, "Controller", thirteenth round).
        state.withLock { state in
            guard let position = position(of: index) else { return [] }
            switch state.indexes[position][value] {
            case nil, .none?: return []
            case .one(let key): return state.objects[key].map { [$0.object] } ?? []
            case .many(let keys):
                var objects: [Object] = []
                objects.reserveCapacity(keys.count)
                for key in keys { if let box = state.objects[key] { objects.append(box.object) } }
                return objects
            }
        }
    }

    /// `read` of one object filed under `value` in index `index` (any one when several are), or nil
    /// when none is. The object is read in place, not copied out: for a check over thousands of
    /// objects (the orphan sweep) the copy of a whole typed object was most of the cost.
    public func withFirst<Result>(inIndex index: String, _ value: String, _ read: (borrowing Object) -> Result) -> Result? {
        state.withLock { state in
            guard let position = position(of: index) else { return nil }
            let key: String?
            switch state.indexes[position][value] {
            case .one(let only): key = only
            case .many(let keys): key = keys.first
            case nil, .none?: key = nil
            }
            guard let key, let box = state.objects[key] else { return nil }
            return read(box.object)
        }
    }

    /// Applies one watch event; returns what changed (nil when nothing did, e.g. a replayed version).
    @discardableResult
    public func apply(_ event: WatchEvent<Object>) -> InformerEvent<Object>? {
        switch event {
        case .added(let object), .modified(let object): return state.withLock { upsert(object, in: &$0) }
        case .deleted(let object):
            let key = Self.key(of: object)
            return state.withLock { state in
                guard let old = state.objects.removeValue(forKey: key)?.object else { return nil }
                refile(key, from: old, to: nil, in: &state)
                return .deleted(object)
            }
        case .bookmark, .error: return nil
        }
    }

    /// Files `objects` (one page of an informer's first list) as `apply` files ADDED events, in
    /// one call; returns what changed.
    public func add(_ objects: [Object]) -> [InformerEvent<Object>] {
        state.withLock { state in
            var events: [InformerEvent<Object>] = []
            events.reserveCapacity(objects.count)
            for object in objects {
                if let change = upsert(object, in: &state) { events.append(change) }
            }
            return events
        }
    }

    /// Replaces the whole content with a fresh list; returns the adds, updates and the deletions
    /// of objects that are gone.
    public func replace(with objects: [Object]) -> [InformerEvent<Object>] {
        state.withLock { state in
            var events: [InformerEvent<Object>] = []
            var fresh: [String: Box] = [:]
            fresh.reserveCapacity(objects.count)
            events.reserveCapacity(objects.count)
            for object in objects { fresh[Self.key(of: object)] = Box(object) }
            for (key, old) in state.objects where fresh[key] == nil {
                refile(key, from: old.object, to: nil, in: &state)
                events.append(.deleted(old.object))
            }
            for (key, box) in fresh {
                let object = box.object
                if let old = state.objects[key]?.object {
                    if old.identity.resourceVersion != object.identity.resourceVersion {
                        refile(key, from: old, to: object, in: &state)
                        events.append(.updated(old: old, new: object))
                    }
                } else {
                    refile(key, from: nil, to: object, in: &state)
                    events.append(.added(object))
                }
            }
            state.objects = fresh
            return events
        }
    }

    /// Files `object` (an ADDED or MODIFIED event, or an object of a list page) under the lock
    /// the caller holds; nil when the cache already has this version.
    private func upsert(_ object: Object, in state: inout State) -> InformerEvent<Object>? {
        let key = Self.key(of: object)
        let old = state.objects[key]?.object
        if let old, let version = object.identity.resourceVersion, old.identity.resourceVersion == version {
            return nil
        }
        state.objects[key] = Box(object)
        refile(key, from: old, to: object, in: &state)
        return old.map { .updated(old: $0, new: object) } ?? .added(object)
    }

    /// Files the object under `key` from the index values of `old` to those of `new` (nil: none,
    /// for an object added or deleted). Only the values that changed are touched: most updates (a
    /// status, a finalizer) keep every value, and removing and filing each again was half of the
    /// cache's cost per event (BENCHMARKS.md, "Controller", thirteenth round).
    private func refile(_ key: String, from old: Object?, to new: Object?, in state: inout State) {
        for position in 0..<indexFunctions.count {
            let function = indexFunctions[position]
            var oldValues: [String] = []
            if let old { oldValues = function(old) }
            var values: [String] = []
            if let new { values = function(new) }
            if values == oldValues { continue }
            for value in oldValues where !values.contains(value) {
                // One lookup, and the keys changed where they lie (a set taken out and put back was
                // hashed twice more and, unless taken out first, copied).
                guard let index = state.indexes[position].index(forKey: value) else { continue }
                if !state.indexes[position].values[index].remove(key) { state.indexes[position].remove(at: index) }
            }
            for value in values where !oldValues.contains(value) {
                state.indexes[position][value, default: .none].insert(key)
            }
        }
    }
}

/// The keys filed under one index value of a `Store`. Most values (a uid, a name) name one
/// object: that one is held inline instead of in a set of its own. Outside `Store`, which is
/// generic: a type nested in it would be generic too, its metadata looked up at run time on
/// every use from code not specialised for the store's type (the informers' code).
private enum StoreKeys {
    /// No key: only while a value is being filed (`Dictionary`'s default), never stored.
    case none
    case one(String)
    case many(Set<String>)

    /// Adds `key` in place (the set is not copied: the caller changes the value where its
    /// dictionary holds it, so it is uniquely referenced).
    mutating func insert(_ key: String) {
        switch self {
        case .none:
            self = .one(key)
        case .one(let existing):
            if existing != key { self = .many([existing, key]) }
        case .many(var keys):
            self = .one("")  // drops this reference, so `keys` is unique and not copied
            keys.insert(key)
            self = .many(keys)
        }
    }

    /// Removes `key` in place; false when no key is left.
    mutating func remove(_ key: String) -> Bool {
        switch self {
        case .none:
            return false
        case .one(let existing):
            return existing != key
        case .many(var keys):
            self = .one("")
            keys.remove(key)
            if keys.count == 1, let last = keys.first {
                self = .one(last)
            } else {
                self = .many(keys)
            }
            return !keys.isEmpty
        }
    }
}
