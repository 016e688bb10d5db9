import Testing
import YAML

@testable import KubeSandbox

@Suite struct ManagedFieldsTests {
    @Test func aSecondApplierConflictsUnlessForcedAndEqualValuesAreShared() throws {
        let store = makeStore()
        let widgets = try installWidgets(store)
        let first = widget("a", spec: #"{"size":1,"color":"red"}"#)
        _ = try store.apply(widgets, namespace: "default", name: "a", config: first,
                            options: WriteOptions(fieldManager: "alice"))
        #expect(throws: SandboxError.self) {
            try store.apply(widgets, namespace: "default", name: "a", config: widget("a", spec: #"{"size":2}"#),
                            options: WriteOptions(fieldManager: "bob"))
        }
        do {
            _ = try store.apply(widgets, namespace: "default", name: "a", config: widget("a", spec: #"{"size":2}"#),
                                options: WriteOptions(fieldManager: "bob"))
        } catch {
            #expect(error.code == 409)
            #expect(error.message == #"Apply failed with 1 conflict: conflict with "alice": .spec.size"#)
        }
        _ = try store.apply(widgets, namespace: "default", name: "a", config: widget("a", spec: #"{"size":1}"#),
                            options: WriteOptions(fieldManager: "bob"))
        let forced = try store.apply(widgets, namespace: "default", name: "a", config: widget("a", spec: #"{"size":3}"#),
                                     options: WriteOptions(fieldManager: "bob", force: true)).object.value
        #expect(forced["spec"]?["size"] == .int(3))
        let managed = ManagedFields(of: forced)
        #expect(managed.entries.first { $0.manager == "bob" }?.fields.contains(["spec", "size"]) == true)
        #expect(managed.entries.first { $0.manager == "alice" }?.fields.contains(["spec", "size"]) == false)
    }

    @Test func fieldsAnApplierDropsAreRemovedUnlessSomeoneElseOwnsThem() throws {
        let store = makeStore()
        let widgets = try installWidgets(store)
        _ = try store.apply(widgets, namespace: "default", name: "a", config: widget("a", spec: #"{"size":1,"color":"red"}"#),
                            options: WriteOptions(fieldManager: "alice"))
        let after = try store.apply(widgets, namespace: "default", name: "a", config: widget("a", spec: #"{"size":1}"#),
                                    options: WriteOptions(fieldManager: "alice")).object.value
        #expect(after["spec"]?["color"] == nil)
    }

    /// After an update, a manager keeps a field while it, a field inside it or a field around it
    /// is present, and loses the rest.
    @Test func anUpdateKeepsOwnedFieldsThatAreStillPresentAroundOrInside() {
        var fields = ManagedFields(entries: [
            ManagedFields.Entry(
                manager: "a", operation: "Update", apiVersion: "v1", time: "t0",
                fields: [["spec", "gone"], ["spec", "b"], ["spec", "b", "c", "d"], ["spec", "b", "c"]])
        ])
        let old: JSONValue = .object(["spec": .object(["b": .object(["c": .int(1)])])])
        let new: JSONValue = .object(["spec": .object(["b": .object(["c": .int(1)]), "z": .int(2)])])
        fields.recordUpdate(manager: "b", from: old, to: new, apiVersion: "v1", time: "t1")
        #expect(fields.entries.map(\.manager) == ["a", "b"])
        #expect(fields.entries[0].fields == [["spec", "b"], ["spec", "b", "c", "d"], ["spec", "b", "c"]])
        #expect(fields.entries[1].fields == [["spec", "z"]])
    }

    @Test func fieldsV1RoundTrips() {
        let fields = ManagedFields(entries: [.init(manager: "m", operation: "Apply", apiVersion: "v1", time: "t",
                                                   fields: [["spec", "a"], ["metadata", "labels", "x"]])])
        var object = JSONValue.object(["metadata": .object([:])])
        object["metadata"]?["managedFields"] = fields.json
        #expect(ManagedFields(of: object) == fields)
    }

    /// The fields read from a tree are kept by the tree: read again (past the cache's bound too,
    /// trees forgotten and read again), they are what walking the tree gives.
    @Test func fieldsReadFromATreeAreWhatItsWalkGives() {
        func walk(_ tree: JSONValue, _ prefix: [String], _ into: inout Set<[String]>) {
            let children = (tree.objectValue ?? [:]).filter { $0.key.hasPrefix("f:") }
            if children.isEmpty {
                if !prefix.isEmpty { into.insert(prefix) }
                return
            }
            for (key, child) in children { walk(child, prefix + [String(key.dropFirst(2))], &into) }
        }
        var seed: UInt64 = 7
        func next(_ bound: Int) -> Int {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((seed >> 33) % UInt64(bound))
        }
        func tree(_ depth: Int) -> JSONValue {
            var members: [String: JSONValue] = [:]
            for _ in 0..<(depth > 1 ? 0 : next(4)) {
                let key = ["f:a", "f:b", "f:spec", "f:status", ".", "k:{\"name\":\"x\"}", "v:\"y\""][next(7)]
                members[key] = tree(depth + 1)
            }
            return .object(members)
        }
        let trees = (0..<(ManagedFields.treeBound + 300)).map { _ in tree(0) }
        for round in 0..<2 {
            for tree in trees {
                var expected: Set<[String]> = []
                walk(tree, [], &expected)
                #expect(ManagedFields.fields(of: tree) == expected, "round \(round)")
            }
        }
    }
}
