import Testing
import YAML

@testable import KubeSandbox

@Suite struct SelectorTests {
    static let labels: [String: JSONValue] = ["app": .string("web"), "tier": .string("front")]

    @Test(arguments: [
        ("", true), ("app=web", true), ("app==web", true), ("app=db", false), ("app!=db", true),
        ("app in (web,db)", true), ("app notin (web)", false), ("tier", true), ("!tier", false),
        ("!missing", true), ("missing", false), ("app=web,tier=back", false), ("missing notin (x)", true),
    ])
    func labelSelectorMatchesLikeApimachinery(selector: String, matches: Bool) throws {
        #expect(try LabelSelector(parsing: selector).matches(Self.labels) == matches)
    }

    @Test(arguments: ["app in (web", "=x", "a b c"])
    func malformedLabelSelectorsAreBadRequests(selector: String) {
        #expect(throws: SandboxError.self) { try LabelSelector(parsing: selector) }
    }

    @Test func fieldSelectorsOnCustomResourcesAllowOnlyNameAndNamespace() throws {
        let store = makeStore()
        let widgets = try installWidgets(store)
        #expect(throws: SandboxError.badRequest("field label not supported: spec.size")) {
            try FieldSelector(parsing: "spec.size=1", for: widgets)
        }
        let selector = try FieldSelector(parsing: "metadata.name=a,metadata.namespace!=kube-system", for: widgets)
        #expect(selector.matches(json(#"{"metadata":{"name":"a","namespace":"default"}}"#)))
        #expect(!selector.matches(json(#"{"metadata":{"name":"a","namespace":"kube-system"}}"#)))
    }
}
