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

    @Test func fieldsV1RoundTrips() {
        let fields = ManagedFields(entries: [.init(manager: "m", operation: "Apply", apiVersion: "v1", time: "t",
                                                   fields: [["spec", "a"], ["metadata", "labels", "x"]])])
        var object = JSONValue.object(["metadata": .object([:])])
        object["metadata"]?["managedFields"] = fields.json
        #expect(ManagedFields(of: object) == fields)
    }
}
