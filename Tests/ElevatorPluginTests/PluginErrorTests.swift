@testable import ElevatorPlugin
import Foundation
import Kube
import Testing

/// How API failures become the plugin's one sentence.
@Suite("kubectl elevate error sentences")
struct PluginErrorTests {
    static let server = "https://10.0.0.1:6443"

    @Test("Kube client errors map to a sentence that names the thing and the fix", arguments: [
        (KubeError.forbidden("denied"), "You may not create ElevationApprovals in namespace payments: ask an admin to bind you to the ClusterRole elevator-requester or elevator-approver there."),
        (KubeError.unauthorized("no"), "The API server at https://10.0.0.1:6443 rejected your credentials: log in again or fix the user of your kubeconfig context."),
        (KubeError.notFound("the server could not find the requested resource"), "The cluster at https://10.0.0.1:6443 does not serve ElevationRequests: install the CRDs with `kubectl apply -f manifests/crds`."),
        (KubeError.invalid("spec.reason: Required value.", causes: []), "The API server refused to create ElevationApprovals: spec.reason: Required value."),
        (KubeError.transport("connection refused"), "Cannot reach the API server at https://10.0.0.1:6443 (connection refused): check that the cluster is running and that your kubeconfig's server address is right."),
    ])
    func mapping(error: KubeError, sentence: String) {
        let mapped = PluginError.from(error, server: Self.server, what: "create ElevationApprovals", namespace: "payments")
        #expect(mapped.description == sentence)
        #expect(!mapped.description.contains("\n"))
    }

    @Test("a 404 on a named object is that object missing")
    func missingObject() {
        let mapped = PluginError.from(KubeError.notFound("x"), server: Self.server, what: "read ElevationRequests", namespace: "payments",
                                      missing: .noSuchRequest(name: "inc-9", namespace: "payments"))
        #expect(mapped == .noSuchRequest(name: "inc-9", namespace: "payments"))
    }

    @Test("-o yaml and -o json print the objects as a v1 List")
    func structured() throws {
        let output = PluginOutput(colour: false)
        let list = PluginOutput.List(items: ["a", "b"])
        #expect(try output.structured(list, .yaml) == "apiVersion: v1\nitems:\n- a\n- b\nkind: List\n")
        let json = try JSONSerialization.jsonObject(with: Data(try output.structured(list, .json).utf8)) as? [String: Any]
        #expect(json?["kind"] as? String == "List")
        #expect(json?["items"] as? [String] == ["a", "b"])
    }
}
