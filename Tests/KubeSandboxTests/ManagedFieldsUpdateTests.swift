import Testing
import YAML

@testable import KubeSandbox
import TestSupport

/// `ManagedFields.recordUpdate` against the way it was first written (every leaf of both sides
/// listed, then compared), on random objects and random edits: the same entries, field for field,
/// and the same `metadata.managedFields` JSON, whether an entry's tree is reused or built again,
/// and built as the first builder built it.
@Suite struct ManagedFieldsUpdateTests {
    @Test func anUpdateOwnsAndDropsTheFieldsTheLeafListingWouldHave() {
        var random = SeededRandom(seed: 0x5EED_16)
        var compared = 0
        for _ in 0..<3_000 {
            let old = randomObject(&random)
            let new = edited(old, &random)
            var fields = ManagedFields(of: .object([:]))
            fields.recordUpdate(manager: "creator", from: .object([:]), to: old, apiVersion: "v1", time: "t0")
            var reference = Reference(entries: fields.entries.map { ($0.manager, $0.operation, $0.fields) })
            // Read back from JSON, as the sandbox does on the next write, so the fieldsV1 trees are reused.
            var stored = ManagedFields(of: .object(["metadata": .object(["managedFields": fields.json])]))
            if Bool.random(using: &random) {
                stored.recordUpdate(manager: "other", from: old, to: new, apiVersion: "v1", time: "t1")
                reference.recordUpdate(manager: "other", from: old, to: new)
            }
            let third = edited(new, &random)
            stored.recordUpdate(manager: "creator", from: new, to: third, apiVersion: "v1", time: "t2")
            reference.recordUpdate(manager: "creator", from: new, to: third)
            #expect(stored.entries.map { [$0.manager, $0.operation] } == reference.entries.map { [$0.manager, $0.operation] })
            #expect(stored.entries.map(\.fields) == reference.entries.map(\.fields))
            let rebuilt = ManagedFields(entries: stored.entries.map {
                ManagedFields.Entry(manager: $0.manager, operation: $0.operation, apiVersion: $0.apiVersion,
                                    time: $0.time, fields: $0.fields)
            }).json
            #expect(stored.json == rebuilt)
            #expect(rebuilt.arrayValue?.map { $0["fieldsV1"] } == stored.entries.map { referenceTree($0.fields) })
            compared += stored.entries.count
        }
        #expect(compared > 3_000)
    }

    @Test func anUnchangedEntryKeepsTheTreeItWasReadFrom() {
        let tree: JSONValue = .object(["f:spec": .object(["f:size": .object([:])])])
        let object: JSONValue = .object(["metadata": .object(["managedFields": .array([.object([
            "manager": .string("alice"), "operation": .string("Update"), "apiVersion": .string("v1"),
            "time": .string("t"), "fieldsType": .string("FieldsV1"), "fieldsV1": tree,
        ])])]), "spec": .object(["size": .int(1)])])
        var fields = ManagedFields(of: object)
        var changed = object
        changed["spec"]?["color"] = .string("red")
        fields.recordUpdate(manager: "bob", from: object, to: changed, apiVersion: "v1", time: "t2")
        #expect(fields.entries.map(\.manager) == ["alice", "bob"])
        #expect(fields.entries[0].fieldsV1 == tree)
        #expect(fields.entries[1].fieldsV1 == nil && fields.entries[1].fields == [["spec", "color"]])
        var resized = changed
        resized["spec"]?["size"] = .int(2)
        fields.recordUpdate(manager: "bob", from: changed, to: resized, apiVersion: "v1", time: "t3")
        #expect(fields.entries.map(\.manager) == ["bob"])
        #expect(fields.entries[0].fields == [["spec", "color"], ["spec", "size"]])
    }
}

/// The first `recordUpdate`: every leaf of both sides listed and compared.
private struct Reference {
    var entries: [(manager: String, operation: String, fields: Set<[String]>)]

    mutating func recordUpdate(manager: String, from old: JSONValue, to new: JSONValue) {
        let present = ManagedFields.leaves(of: new)
        let changed = ManagedFields.leaves(of: old).union(present).filter {
            ManagedFields.value(at: $0, in: old) != ManagedFields.value(at: $0, in: new)
        }
        guard !changed.isEmpty else { return }
        let stillPresent = { (path: [String]) -> Bool in
            present.contains(path) || present.contains { $0.starts(with: path) || path.starts(with: $0) }
        }
        for index in entries.indices {
            entries[index].fields = entries[index].fields.subtracting(changed).filter(stillPresent)
        }
        let owned = changed.intersection(present)
        if let index = entries.firstIndex(where: { $0.manager == manager && $0.operation == "Update" }) {
            entries[index].fields.formUnion(owned)
        } else if !owned.isEmpty {
            entries.append((manager, "Update", owned))
        }
        entries.removeAll { $0.fields.isEmpty }
    }
}

/// The first `fieldsV1` builder: path by path into one tree.
private func referenceTree(_ fields: Set<[String]>) -> JSONValue {
    func insert(_ path: ArraySlice<String>, into node: inout JSONValue) {
        guard let head = path.first else { return }
        var child = node["f:" + head] ?? .object([:])
        insert(path.dropFirst(), into: &child)
        node["f:" + head] = child
    }
    var root: JSONValue = .object([:])
    for path in fields { insert(path[...], into: &root) }
    return root
}


private let keys = ["a", "b", "c", "spec", "status", "metadata", "apiVersion", "kind", "labels", "finalizers"]
private let metaKeys = ["labels", "annotations", "finalizers", "ownerReferences", "name", "uid"]

/// A value of up to `depth` levels: scalars, null, arrays, empty and filled objects.
private func randomValue(_ random: inout SeededRandom, depth: Int) -> JSONValue {
    switch Int.random(in: 0..<(depth > 0 ? 8 : 5), using: &random) {
    case 0: return .null
    case 1: return .int(Int64.random(in: 0..<3, using: &random))
    case 2: return .string(["x", "y"].randomElement(using: &random) ?? "x")
    case 3: return .array([.int(Int64.random(in: 0..<2, using: &random))])
    case 4: return .object([:])
    default:
        var members: [String: JSONValue] = [:]
        for _ in 0..<Int.random(in: 1..<4, using: &random) {
            members[keys.randomElement(using: &random) ?? "a"] = randomValue(&random, depth: depth - 1)
        }
        return .object(members)
    }
}

private func randomObject(_ random: inout SeededRandom) -> JSONValue {
    var members: [String: JSONValue] = [:]
    for _ in 0..<Int.random(in: 1..<5, using: &random) {
        members[keys.randomElement(using: &random) ?? "a"] = randomValue(&random, depth: 3)
    }
    if Bool.random(using: &random) {
        var metadata: [String: JSONValue] = [:]
        for _ in 0..<Int.random(in: 1..<4, using: &random) {
            metadata[metaKeys.randomElement(using: &random) ?? "labels"] = randomValue(&random, depth: 2)
        }
        members["metadata"] = .object(metadata)
    }
    return .object(members)
}

/// `value` with one to three random paths set, replaced or removed.
private func edited(_ value: JSONValue, _ random: inout SeededRandom) -> JSONValue {
    var result = value
    for _ in 0..<Int.random(in: 1..<4, using: &random) {
        var path: [String] = []
        for _ in 0..<Int.random(in: 1..<4, using: &random) {
            path.append(path.first == "metadata" && path.count == 1
                        ? metaKeys.randomElement(using: &random) ?? "labels" : keys.randomElement(using: &random) ?? "a")
        }
        let replacement: JSONValue? = Int.random(in: 0..<4, using: &random) == 0 ? nil : randomValue(&random, depth: 2)
        result = setting(path[...], to: replacement, in: result)
    }
    return result
}

private func setting(_ path: ArraySlice<String>, to value: JSONValue?, in node: JSONValue) -> JSONValue {
    guard let key = path.first else { return value ?? .null }
    var members = node.objectValue ?? [:]
    if path.count == 1 {
        members[key] = value
    } else {
        members[key] = setting(path.dropFirst(), to: value, in: members[key] ?? .object([:]))
    }
    return .object(members)
}
