import Foundation
import YAML

/// A reference to one stored object.
struct ObjectRef: Hashable, Sendable {
    var storageKey: String
    var key: String
}

/// One registered watcher.
struct Watcher: Sendable {
    var namespace: String?
    var labels: LabelSelector
    var fields: FieldSelector
    var continuation: AsyncStream<WatchEvent>.Continuation

    func matches(_ object: JSONValue) -> Bool {
        if let namespace, ObjectMeta.namespace(object) != namespace { return false }
        return labels.matches(ObjectMeta.labels(object)) && fields.matches(object)
    }
}

/// Everything the store holds, mutated only under the store's lock.
///
/// Invariants: `revision` only grows; every committed change is one event in `history` with that
/// revision; all events with a revision above `floor` are still in `history` (older ones are
/// gone, so resuming from before `floor` is 410 Gone).
struct StoreState: Sendable {
    static let crdKey = "customresourcedefinitions.apiextensions.k8s.io"

    var revision: Int64 = 1
    /// Objects by storage key, then by `namespace/name` (sharded: see `ShardedDictionary`).
    var buckets: [String: ShardedDictionary<String, StoredObject>] = [:]
    var uids = ShardedDictionary<String, ObjectRef>()
    /// Objects that have ownerReferences.
    var owned: Set<ObjectRef> = []
    /// The objects that name each owner uid in their ownerReferences (existing objects only).
    var dependentsByOwner: [String: Set<ObjectRef>] = [:]
    /// Objects in foreground deletion, waiting for their dependents.
    var foreground: Set<ObjectRef> = []
    /// Dependents the garbage collector must look at: written since, or an owner of theirs went
    /// or entered foreground deletion. The collector looks only at these (not at every owned
    /// object), so its cost follows the changes, not the number of objects with owners.
    var collectCandidates: Set<ObjectRef> = []
    /// Owners in foreground deletion whose dependents changed (the last one may be gone).
    var foregroundCandidates: Set<ObjectRef> = []
    var history: [WatchEvent] = []
    var historyStart = 0
    var floor: Int64 = 1
    let historyLimit: Int
    var watchers: [String: [Int: Watcher]] = [:]
    var nextWatcherID = 0
    var catalog = ResourceCatalog()
    /// Counts the catalog's rebuilds, so `ObjectStore` knows when its published copy is stale.
    var catalogGeneration = 0
    var garbagePending = false
    var sortedKeyCache: [String: [String]] = [:]

    init(historyLimit: Int) { self.historyLimit = historyLimit }

    static func key(namespace: String, name: String) -> String { "\(namespace)/\(name)" }

    func object(_ ref: ObjectRef) -> StoredObject? { buckets[ref.storageKey]?[ref.key] }

    var historyCount: Int { history.count - historyStart }

    /// Stores (or, with nil, removes) an object as one change, notifying watchers.
    @discardableResult
    mutating func commit(_ storageKey: String, key: String, object: JSONValue?, previous: JSONValue?,
                         eventType: String) -> StoredObject {
        revision += 1
        var value = object ?? previous ?? .null
        ObjectMeta.set("resourceVersion", .string(String(revision)), in: &value)
        let stored = StoredObject(value)
        let ref = ObjectRef(storageKey: storageKey, key: key)
        let uid = ObjectMeta.uid(value)
        let ownersBefore = buckets[storageKey]?[key].map { ObjectMeta.ownerUIDs($0.value) } ?? []
        if object != nil {
            if buckets[storageKey]?[key] == nil { sortedKeyCache[storageKey] = nil }
            buckets[storageKey, default: ShardedDictionary()][key] = stored
            if !uid.isEmpty { uids[uid] = ref }
            let owners = ObjectMeta.ownerUIDs(value)
            reindexOwners(ref, from: ownersBefore, to: owners)
            if owners.isEmpty { owned.remove(ref) } else { owned.insert(ref); collectCandidates.insert(ref) }
            if ObjectMeta.finalizers(value).contains("foregroundDeletion"), ObjectMeta.isDeleting(value) {
                if foreground.insert(ref).inserted, !uid.isEmpty {
                    collectCandidates.formUnion(dependentsByOwner[uid] ?? [])
                }
                foregroundCandidates.insert(ref)
            } else {
                foreground.remove(ref)
            }
        } else {
            buckets[storageKey]?[key] = nil
            sortedKeyCache[storageKey] = nil
            if !uid.isEmpty { uids[uid] = nil }
            reindexOwners(ref, from: ownersBefore, to: [])
            owned.remove(ref)
            foreground.remove(ref)
            // Its dependents may have lost their last owner.
            if !uid.isEmpty { collectCandidates.formUnion(dependentsByOwner[uid] ?? []) }
        }
        garbagePending = !collectCandidates.isEmpty || !foregroundCandidates.isEmpty
        let event = WatchEvent(type: eventType, object: stored.value, objectBytes: stored.bytes,
                               resourceVersion: revision, storageKey: storageKey)
        record(event)
        fanOut(event, previous: previous)
        if storageKey == Self.crdKey { rebuildCatalog() }
        return stored
    }

    /// Keeps `dependentsByOwner` in step with one object's ownerReferences; an owner in
    /// foreground deletion that lost a dependent is looked at again.
    private mutating func reindexOwners(_ ref: ObjectRef, from before: [String], to after: [String]) {
        guard before != after else { return }
        for owner in Set(before).subtracting(after) {
            dependentsByOwner[owner]?.remove(ref)
            if dependentsByOwner[owner]?.isEmpty == true { dependentsByOwner[owner] = nil }
            if let ownerRef = uids[owner], foreground.contains(ownerRef) { foregroundCandidates.insert(ownerRef) }
        }
        for owner in Set(after).subtracting(before) { dependentsByOwner[owner, default: []].insert(ref) }
    }

    /// What takes the place of an event that left the history: the event and the object version
    /// it holds are released at once, one per write, instead of 10,000 at a time when the
    /// consumed prefix is dropped. Dropped together, under the store's lock, they stalled every
    /// request for 50-100 ms once every 10,000 writes (about once a second at 500 grants/s).
    static let releasedEvent = WatchEvent(type: "", object: .null, objectBytes: [], resourceVersion: 0, storageKey: "")

    private mutating func record(_ event: WatchEvent) {
        history.append(event)
        if historyCount > historyLimit {
            floor = history[historyStart].resourceVersion
            history[historyStart] = Self.releasedEvent
            historyStart += 1
        }
        // Drop the consumed prefix now and then, so the array stays near the limit.
        if historyStart > max(1024, historyLimit) {
            history.removeFirst(historyStart)
            historyStart = 0
        }
    }

    /// Forgets all history: a watch or continue token from before now gets 410.
    mutating func compact() {
        history.removeAll()
        historyStart = 0
        floor = revision
    }

    private func fanOut(_ event: WatchEvent, previous: JSONValue?) {
        guard let group = watchers[event.storageKey] else { return }
        for watcher in group.values {
            let now = watcher.matches(event.object)
            let before = previous.map(watcher.matches) ?? false
            switch (event.type, before, now) {
            case ("MODIFIED", false, true):
                watcher.continuation.yield(WatchEvent(type: "ADDED", object: event.object,
                                                      resourceVersion: event.resourceVersion, storageKey: event.storageKey))
            case ("MODIFIED", true, false):
                watcher.continuation.yield(WatchEvent(type: "DELETED", object: event.object,
                                                      resourceVersion: event.resourceVersion, storageKey: event.storageKey))
            case (_, _, true):
                watcher.continuation.yield(event)
            default:
                continue
            }
        }
    }

    /// Every event after `revision` for one type, oldest first.
    func events(after revision: Int64, storageKey: String) -> [WatchEvent] {
        var result: [WatchEvent] = []
        for index in historyStart..<history.count where history[index].resourceVersion > revision
            && history[index].storageKey == storageKey
        {
            result.append(history[index])
        }
        return result
    }

    mutating func rebuildCatalog() {
        let crds = (buckets[Self.crdKey] ?? ShardedDictionary()).sorted { $0.key < $1.key }.map(\.value.value)
        catalog = ResourceCatalog(crds: crds)
        catalogGeneration += 1
    }

    /// The keys of one type in sorted order; cached until an object of the type is added or removed,
    /// so paging through 100,000 objects sorts them once, not once per page.
    mutating func sortedKeys(_ storageKey: String) -> [String] {
        if let cached = sortedKeyCache[storageKey] { return cached }
        let keys = (buckets[storageKey]?.keys ?? []).sorted()
        sortedKeyCache[storageKey] = keys
        return keys
    }

    /// One page of a list: up to `limit` matching objects after the key `after`, the last key
    /// served and how many matching objects follow. Nothing beyond the page is copied, so walking
    /// 100,000 objects in pages stays linear.
    mutating func page(_ storageKey: String, namespace: String?, after: String?, limit: Int?,
                       labels: LabelSelector, fields: FieldSelector)
        -> (items: [StoredObject], lastKey: String?, remaining: Int)
    {
        let keys = sortedKeys(storageKey)
        guard let bucket = buckets[storageKey] else { return ([], nil, 0) }
        let prefix = namespace.map { $0 + "/" }
        let first = Self.lowerBound(keys, max(prefix ?? "", after ?? ""))
        // The end of the namespace's range: "/" + 1 is "0", so every key of the namespace sorts below it.
        let end = prefix.map { Self.lowerBound(keys, String($0.dropLast()) + "0") } ?? keys.count
        let selectsAll = labels.requirements.isEmpty && fields.requirements.isEmpty
        var items: [StoredObject] = []
        var lastKey: String?
        var index = first
        while index < end {
            let key = keys[index]
            index += 1
            if let after, key <= after { continue }
            guard let object = bucket[key] else { continue }
            if !selectsAll, !(labels.matches(ObjectMeta.labels(object.value)) && fields.matches(object.value)) { continue }
            if let limit, limit > 0, items.count >= limit {
                if selectsAll { return (items, lastKey, end - index + 1) }
                var remaining = 1
                while index < end {
                    if let candidate = bucket[keys[index]], labels.matches(ObjectMeta.labels(candidate.value)),
                        fields.matches(candidate.value)
                    {
                        remaining += 1
                    }
                    index += 1
                }
                return (items, lastKey, remaining)
            }
            items.append(object)
            lastKey = key
        }
        return (items, lastKey, 0)
    }

    static func lowerBound(_ keys: [String], _ bound: String) -> Int {
        var low = 0
        var high = keys.count
        while low < high {
            let middle = (low + high) / 2
            if keys[middle] < bound { low = middle + 1 } else { high = middle }
        }
        return low
    }

    /// Objects of one type (optionally one namespace), sorted by key, starting after `after`.
    mutating func objects(_ storageKey: String, namespace: String?, after: String? = nil)
        -> [(key: String, object: StoredObject)]
    {
        let keys = sortedKeys(storageKey)
        guard let bucket = buckets[storageKey] else { return [] }
        let prefix = namespace.map { $0 + "/" }
        var bound = prefix ?? ""
        if let after, after >= bound { bound = after }
        var low = 0
        var high = keys.count
        while low < high {
            let middle = (low + high) / 2
            if keys[middle] < bound { low = middle + 1 } else { high = middle }
        }
        var result: [(key: String, object: StoredObject)] = []
        var index = low
        while index < keys.count {
            let key = keys[index]
            index += 1
            if let after, key <= after { continue }
            if let prefix, !key.hasPrefix(prefix) { break }
            if let object = bucket[key] { result.append((key, object)) }
        }
        return result
    }
}
