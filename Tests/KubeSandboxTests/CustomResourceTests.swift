import Testing
import YAML

@testable import KubeSandbox

@Suite struct CustomResourceTests {
    @Test func installingACRDServesItsResourceAndDeletingItRemovesTheObjects() throws {
        let store = makeStore()
        let widgets = try installWidgets(store)
        #expect(widgets.kind == "Widget" && widgets.namespaced && widgets.hasStatus)
        _ = try store.create(widgets, namespace: "default", body: widget("a", spec: #"{"size":1}"#))
        let crds = try #require(store.type(group: "apiextensions.k8s.io", version: "v1", plural: "customresourcedefinitions"))
        let crd = try store.get(crds, namespace: "", name: "widgets.example.com").value
        let conditions = crd["status"]?["conditions"]?.arrayValue?.compactMap { $0["type"]?.stringValue }
        #expect(conditions == ["NamesAccepted", "Established"])
        _ = try store.delete(crds, namespace: "", name: "widgets.example.com")
        #expect(store.type(group: "example.com", version: "v1", plural: "widgets") == nil)
        #expect(try store.list(widgets, namespace: nil).items.isEmpty)
    }

    @Test func statusAndSpecAreWrittenSeparatelyAndGenerationFollowsSpec() throws {
        let store = makeStore()
        let widgets = try installWidgets(store)
        let created = try store.create(widgets, namespace: "default",
                                       body: json(#"{"metadata":{"name":"a"},"spec":{"size":1},"status":{"phase":"x"}}"#))
        #expect(created.object.value["status"] == nil)
        let status = try store.patch(widgets, namespace: "default", name: "a", subresource: "status") {
            Patch.merge($0, with: json(#"{"status":{"phase":"Ready"},"spec":{"size":9}}"#))
        }.object.value
        #expect(status["spec"]?["size"] == .int(1) && status["metadata"]?["generation"] == .int(1))
        let spec = try store.patch(widgets, namespace: "default", name: "a") {
            Patch.merge($0, with: json(#"{"spec":{"size":2},"status":{"phase":"lost"}}"#))
        }.object.value
        #expect(spec["status"]?["phase"] == .string("Ready") && spec["metadata"]?["generation"] == .int(2))
    }

    @Test func unknownFieldsArePrunedWarnedOrRefused() throws {
        let store = makeStore()
        let widgets = try installWidgets(store)
        let body = widget("a", spec: #"{"size":1,"bogus":true,"free":{"any":1}}"#)
        let warned = try store.create(widgets, namespace: "default", body: body)
        #expect(warned.warnings == [#"unknown field "spec.bogus""#])
        #expect(warned.object.value["spec"] == json(#"{"size":1,"mode":"normal","free":{"any":1}}"#))
        #expect(throws: SandboxError.badRequest(#"Widget in version "v1" cannot be handled as a Widget: strict decoding error: unknown field "spec.bogus""#)) {
            try store.create(widgets, namespace: "default", body: widget("b", spec: #"{"size":1,"bogus":true}"#),
                             options: WriteOptions(fieldValidation: .strict))
        }
    }
}
