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
        var fields: Set<[String]>
    }

    var entries: [Entry]

    /// Reads the entries of `metadata.managedFields`; unparsable entries are dropped.
    init(of object: JSONValue) {
        entries = (object["metadata"]?["managedFields"]?.arrayValue ?? []).compactMap { item in
            guard let manager = item["manager"]?.stringValue, let operation = item["operation"]?.stringValue else {
                return nil
            }
            var fields: Set<[String]> = []
            if let tree = item["fieldsV1"] { Self.collect(tree, prefix: [], into: &fields) }
            return Entry(manager: manager, operation: operation,
                         apiVersion: item["apiVersion"]?.stringValue ?? "", time: item["time"]?.stringValue ?? "",
                         fields: fields)
        }
    }

    init(entries: [Entry]) { self.entries = entries }

    /// The value of `metadata.managedFields` for these entries.
    var json: JSONValue {
        .array(entries.filter { !$0.fields.isEmpty }.map { entry in
            .object([
                "manager": .string(entry.manager), "operation": .string(entry.operation),
                "apiVersion": .string(entry.apiVersion), "time": .string(entry.time),
                "fieldsType": .string("FieldsV1"), "fieldsV1": Self.tree(entry.fields),
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

    /// The paths whose value differs between `old` and `new`, given the leaves of `new`
    /// (leaves of either side).
    static func changedLeaves(from old: JSONValue, to new: JSONValue, newLeaves: Set<[String]>) -> Set<[String]> {
        let candidates = leaves(of: old).union(newLeaves)
        return candidates.filter { value(at: $0, in: old) != value(at: $0, in: new) }
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

    private static func tree(_ fields: Set<[String]>) -> JSONValue {
        var root: JSONValue = .object([:])
        for path in fields { insert(path[...], into: &root) }
        return root
    }

    private static func insert(_ path: ArraySlice<String>, into node: inout JSONValue) {
        guard let head = path.first else { return }
        var child = node["f:" + head] ?? .object([:])
        insert(path.dropFirst(), into: &child)
        node["f:" + head] = child
    }
}

extension ManagedFields {
    /// Records a non-apply write by `manager`: it now owns every leaf it changed, and nobody
    /// owns leaves that no longer exist.
    mutating func recordUpdate(manager: String, from old: JSONValue, to new: JSONValue, apiVersion: String, time: String) {
        let present = Self.leaves(of: new)
        let changed = Self.changedLeaves(from: old, to: new, newLeaves: present)
        guard !changed.isEmpty else { return }
        // A field stays owned while it, a field inside it or a field around it is present. Nearly
        // every owned field is itself present, found by one lookup; only the others are compared
        // with every present field.
        let stillPresent = { (path: [String]) -> Bool in
            present.contains(path) || present.contains { $0.starts(with: path) || path.starts(with: $0) }
        }
        for index in entries.indices {
            entries[index].fields = entries[index].fields.subtracting(changed).filter(stillPresent)
        }
        let owned = changed.intersection(present)
        if let index = entries.firstIndex(where: { $0.manager == manager && $0.operation == "Update" }) {
            entries[index].fields.formUnion(owned)
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
