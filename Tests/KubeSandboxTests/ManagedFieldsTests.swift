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
}
