import Synchronization
import YAML

/// Field ownership for server-side apply, kept in `metadata.managedFields` as `FieldsV1`.
///
/// Ownership is tracked per leaf: an object member that is a scalar or a list is one field
/// (lists are atomic here; kube-apiserver tracks associative lists per key, which only matters
/// for two managers writing different items of one list). Two appliers that set a field to the
/// same value share it; a different value without `force` is a conflict (409).
struct ManagedFields: Sendable, Equatable {
    struct Entry: Sendable, Equatable {
        var manager: String
        var operation: String  // "Apply" or "Update"
        var apiVersion: String
        var time: String
        /// The owned fields; setting them forgets `fieldsV1`.
        var fields: Set<[String]> {
            didSet { fieldsV1 = nil }
        }
        /// The `fieldsV1` tree these fields were read from, while they are unchanged: most writes
        /// change one manager's fields at most, and building every other entry's tree again was
        /// the larger part of the managed fields' cost per write (BENCHMARKS.md, "Controller",
        /// sixteenth round).
        private(set) var fieldsV1: JSONValue?

        init(manager: String, operation: String, apiVersion: String, time: String, fields: Set<[String]>,
             fieldsV1: JSONValue? = nil) {
            self.manager = manager
            self.operation = operation
            self.apiVersion = apiVersion
            self.time = time
            self.fields = fields
            self.fieldsV1 = fieldsV1
        }

        static func == (lhs: Entry, rhs: Entry) -> Bool {
            lhs.manager == rhs.manager && lhs.operation == rhs.operation && lhs.apiVersion == rhs.apiVersion
                && lhs.time == rhs.time && lhs.fields == rhs.fields
        }
    }

    var entries: [Entry]

    /// Reads the entries of `metadata.managedFields`; unparsable entries are dropped.
    init(of object: JSONValue) {
        entries = (object["metadata"]?["managedFields"]?.arrayValue ?? []).compactMap { item in
            guard let manager = item["manager"]?.stringValue, let operation = item["operation"]?.stringValue else {
                return nil
            }
            var fields: Set<[String]> = []
            let tree = item["fieldsV1"]
            if let tree { Self.collect(tree, prefix: [], into: &fields) }
            return Entry(manager: manager, operation: operation,
                         apiVersion: item["apiVersion"]?.stringValue ?? "", time: item["time"]?.stringValue ?? "",
                         fields: fields, fieldsV1: tree)
        }
    }

    init(entries: [Entry]) { self.entries = entries }

    /// The value of `metadata.managedFields` for these entries.
    var json: JSONValue {
        .array(entries.filter { !$0.fields.isEmpty }.map { entry in
            .object([
                "manager": .string(entry.manager), "operation": .string(entry.operation),
                "apiVersion": .string(entry.apiVersion), "time": .string(entry.time),
                "fieldsType": .string("FieldsV1"), "fieldsV1": entry.fieldsV1 ?? Self.tree(entry.fields),
            ])
        })
    }

    /// The leaf field paths a user-written object sets (system metadata excluded).
    static func leaves(of object: JSONValue) -> Set<[String]> {
        var result: Set<[String]> = []
        guard case .object(let members) = object else { return result }
        for (key, value) in members where key != "apiVersion" && key != "kind" {
            if key == "metadata" {
                for (metaKey, metaValue) in value.objectValue ?? [:] {
                    switch metaKey {
                    case "labels", "annotations": walk(metaValue, prefix: ["metadata", metaKey], into: &result)
                    case "finalizers", "ownerReferences": result.insert(["metadata", metaKey])
                    default: continue
                    }
                }
            } else {
                walk(value, prefix: [key], into: &result)
            }
        }
        return result
    }

    /// The leaves of either side whose value differs between `old` and `new`: what
    /// `leaves(of: old).union(leaves(of: new))` filtered by `value(at:in:)` gives, found by
    /// walking both objects together and skipping the subtrees they share, without listing the
    /// leaves nothing changed.
    static func changedLeaves(from old: JSONValue, to new: JSONValue) -> Set<[String]> {
        var result: Set<[String]> = []
        let before = old.objectValue ?? [:]
        let after = new.objectValue ?? [:]
        for key in Set(before.keys).union(after.keys) where key != "apiVersion" && key != "kind" {
            guard key == "metadata" else {
                difference(before[key], after[key], prefix: [key], into: &result)
                continue
            }
            let metaBefore = before[key]?.objectValue ?? [:]
            let metaAfter = after[key]?.objectValue ?? [:]
            for metaKey in ["labels", "annotations"] {
                difference(metaBefore[metaKey], metaAfter[metaKey], prefix: [key, metaKey], into: &result)
            }
            for metaKey in ["finalizers", "ownerReferences"] where metaBefore[metaKey] != metaAfter[metaKey] {
                result.insert([key, metaKey])
            }
        }
        return result
    }

    /// The changed leaves under `prefix`, where `old` and `new` are the values there (nil: absent).
    private static func difference(_ old: JSONValue?, _ new: JSONValue?, prefix: [String], into result: inout Set<[String]>) {
        if old == new { return }
        let oldMembers = nonEmptyMembers(old)
        let newMembers = nonEmptyMembers(new)
        switch (oldMembers, newMembers) {
        case (let before?, let after?):
            for key in Set(before.keys).union(after.keys) {
                difference(before[key], after[key], prefix: prefix + [key], into: &result)
            }
        case (_?, nil):
            // Every leaf inside the old object is gone; the new leaf here, if any, is new.
            if let old { walk(old, prefix: prefix, into: &result) }
            if new != nil { result.insert(prefix) }
        case (nil, _?):
            if let new { walk(new, prefix: prefix, into: &result) }
            if old != nil { result.insert(prefix) }
        case (nil, nil):
            result.insert(prefix)
        }
    }

    private static func nonEmptyMembers(_ value: JSONValue?) -> [String: JSONValue]? {
        guard case .object(let members)? = value, !members.isEmpty else { return nil }
        return members
    }

    /// Whether `path` is one of `leaves(of: object)`, found by following it.
    static func isLeaf(_ path: [String], in object: JSONValue) -> Bool {
        guard let key = path.first, key != "apiVersion", key != "kind", let value = object[key] else { return false }
        guard key == "metadata" else { return isWalkedLeaf(path.dropFirst(), in: value) }
        guard path.count >= 2, case .object(let metadata) = value, let metaValue = metadata[path[1]] else { return false }
        switch path[1] {
        case "labels", "annotations": return isWalkedLeaf(path.dropFirst(2), in: metaValue)
        case "finalizers", "ownerReferences": return path.count == 2
        default: return false
        }
    }

    /// Whether `walk` reaches a leaf at `rest` below `value`.
    private static func isWalkedLeaf(_ rest: ArraySlice<String>, in value: JSONValue) -> Bool {
        guard let key = rest.first else { return nonEmptyMembers(value) == nil }
        guard let members = nonEmptyMembers(value), let child = members[key] else { return false }
        return isWalkedLeaf(rest.dropFirst(), in: child)
    }

    /// The value at a field path, if present.
    static func value(at path: [String], in object: JSONValue) -> JSONValue? {
        var node: JSONValue? = object
        for component in path { node = node?[component] }
        return node
    }

    /// Removes the value at a field path, dropping objects that become empty.
    static func remove(_ path: [String], from object: JSONValue) -> JSONValue {
        guard let head = path.first, case .object(var members) = object else { return object }
        if path.count == 1 {
            members[head] = nil
        } else if let child = members[head] {
            let pruned = remove(Array(path.dropFirst()), from: child)
            if case .object(let rest) = pruned, rest.isEmpty { members[head] = nil } else { members[head] = pruned }
        }
        return .object(members)
    }

    /// The dotted form kube-apiserver uses in conflict messages: `.spec.replicas`.
    static func dotted(_ path: [String]) -> String { path.map { "." + $0 }.joined() }

    private static func walk(_ value: JSONValue, prefix: [String], into result: inout Set<[String]>) {
        if case .object(let members) = value, !members.isEmpty {
            for (key, child) in members { walk(child, prefix: prefix + [key], into: &result) }
        } else {
            result.insert(prefix)
        }
    }

    private static func collect(_ tree: JSONValue, prefix: [String], into fields: inout Set<[String]>) {
        let children = (tree.objectValue ?? [:]).filter { $0.key.hasPrefix("f:") }
        if children.isEmpty {
            if !prefix.isEmpty { fields.insert(prefix) }
            return
        }
        for (key, child) in children { collect(child, prefix: prefix + [String(key.dropFirst(2))], into: &fields) }
    }

    /// The `fieldsV1` tree of `fields`. A manager's fields after a write are nearly always a set
    /// seen before (every grant's request, AuthorizationPolicy and Event is written with the same
    /// fields), so trees are kept by their fields: looking one up hashes the paths, where building
    /// it made a dictionary and a key per level, about 44,000 instructions for a request's status
    /// (BENCHMARKS.md, "Controller", seventeenth round).
    private static func tree(_ fields: Set<[String]>) -> JSONValue {
        if let known = trees.withLock({ $0[fields] }) { return known }
        let built = tree(of: fields.map { $0[...] })
        trees.withLock { trees in
            // Bounded: past the bound the trees are forgotten and kept again as they come.
            if trees.count >= treeBound { trees.removeAll(keepingCapacity: true) }
            trees[fields] = built
        }
        return built
    }

    /// The trees built, by their fields (see `tree(_:)`).
    private static let trees = Mutex<[Set<[String]>: JSONValue]>([:])
    /// How many trees `trees` keeps at most.
    static let treeBound = 1_024

    /// The `fieldsV1` tree of `paths`, built level by level: inserting path by path copied every
    /// object on the way down once per path.
    private static func tree(of paths: [ArraySlice<String>]) -> JSONValue {
        var children: [String: [ArraySlice<String>]] = [:]
        for path in paths {
            guard let head = path.first else { continue }
            children["f:" + head, default: []].append(path.dropFirst())
        }
        return .object(children.mapValues { tree(of: $0) })
    }
}

extension ManagedFields {
    /// Records a non-apply write by `manager`: it now owns every leaf it changed, and nobody
    /// owns leaves that no longer exist.
    mutating func recordUpdate(manager: String, from old: JSONValue, to new: JSONValue, apiVersion: String, time: String) {
        let changed = Self.changedLeaves(from: old, to: new)
        guard !changed.isEmpty else { return }
        // A field stays owned while it, a field inside it or a field around it is present. An
        // unchanged leaf of the old object is a leaf of the new one (same path, same value), found
        // by following its path; only the other fields are compared with every present field.
        var present: Set<[String]>?
        func stillPresent(_ path: [String]) -> Bool {
            if Self.isLeaf(path, in: old) { return true }
            let leaves = present ?? Self.leaves(of: new)
            present = leaves
            return leaves.contains(path) || leaves.contains { $0.starts(with: path) || path.starts(with: $0) }
        }
        for index in entries.indices {
            let kept = entries[index].fields.subtracting(changed)
            let gone = kept.filter { !stillPresent($0) }
            // Assigned only when something goes, so an entry left alone keeps its fieldsV1 tree.
            if kept.count != entries[index].fields.count || !gone.isEmpty {
                entries[index].fields = kept.subtracting(gone)
            }
        }
        let owned = changed.filter { Self.isLeaf($0, in: new) }
        if let index = entries.firstIndex(where: { $0.manager == manager && $0.operation == "Update" }) {
            if !owned.isSubset(of: entries[index].fields) { entries[index].fields.formUnion(owned) }
            entries[index].time = time
        } else if !owned.isEmpty {
            entries.append(Entry(manager: manager, operation: "Update", apiVersion: apiVersion, time: time, fields: owned))
        }
        entries.removeAll { $0.fields.isEmpty }
    }

    /// Server-side apply of `config` by `manager` onto `current`.
    ///
    /// Returns the merged object; updates the entries. Throws the conflicts (as causes) when
    /// another manager owns a field that `config` sets to a different value and `force` is off.
    mutating func apply(
        _ config: JSONValue, onto current: JSONValue, manager: String, force: Bool, apiVersion: String, time: String
    ) throws(ApplyConflict) -> JSONValue {
        let wanted = Self.leaves(of: config)
        var conflicts: [(manager: String, path: [String])] = []
        for entry in entries where !(entry.manager == manager && entry.operation == "Apply") {
            for owned in entry.fields {
                for path in wanted where path.starts(with: owned) || owned.starts(with: path) {
                    if Self.value(at: path, in: current) != nil,
                        Self.value(at: path, in: current) != Self.value(at: path, in: config)
                    {
                        conflicts.append((entry.manager, owned))
                    }
                }
            }
        }
        if !conflicts.isEmpty {
            if !force {
                var seen: Set<String> = []
                let unique = conflicts.filter { seen.insert($0.manager + ManagedFields.dotted($0.path)).inserted }
                    .sorted { ($0.manager, Self.dotted($0.path)) < ($1.manager, Self.dotted($1.path)) }
                throw ApplyConflict(conflicts: unique.map { ($0.manager, Self.dotted($0.path)) })
            }
            let taken = Set(conflicts.map(\.path))
            for index in entries.indices where !(entries[index].manager == manager && entries[index].operation == "Apply") {
                entries[index].fields.subtract(taken)
            }
        }
        var result = current
        let previous = entries.first { $0.manager == manager && $0.operation == "Apply" }?.fields ?? []
        for path in previous.subtracting(wanted) {
            let ownedByOthers = entries.contains { entry in
                !(entry.manager == manager && entry.operation == "Apply") && entry.fields.contains(path)
            }
            if !ownedByOthers { result = Self.remove(path, from: result) }
        }
        result = Patch.deepMerge(result, config)
        if let index = entries.firstIndex(where: { $0.manager == manager && $0.operation == "Apply" }) {
            entries[index].fields = wanted
            entries[index].time = time
            entries[index].apiVersion = apiVersion
        } else {
            entries.insert(Entry(manager: manager, operation: "Apply", apiVersion: apiVersion, time: time, fields: wanted), at: 0)
        }
        entries.removeAll { $0.fields.isEmpty }
        return result
    }
}

/// The conflicts of a server-side apply without `force`: who owns which field.
struct ApplyConflict: Error, Sendable {
    var conflicts: [(manager: String, field: String)]

    /// kube-apiserver's message: `Apply failed with 1 conflict: conflict with "kubectl": .spec.replicas`.
    var message: String {
        let noun = conflicts.count == 1 ? "conflict" : "conflicts"
        let list = conflicts.map { "conflict with \"\($0.manager)\": \($0.field)" }
        return "Apply failed with \(conflicts.count) \(noun): " + list.joined(separator: "\n")
    }

    var causes: [StatusCause] {
        conflicts.map { StatusCause(reason: "FieldManagerConflict", message: "conflict with \"\($0.manager)\"", field: $0.field) }
    }
}
