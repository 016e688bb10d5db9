import Foundation
import Testing
import YAML
@testable import ElevatorCLI
import Elevation

@Suite("elevator render")
struct RendererTests {
    let now = try! #require(RFC3339.parse("2026-01-10T10:00:00Z"))

    @Test("the sample request renders to the AuthorizationPolicy of API.md, approval assumed")
    func sampleRenders() throws {
        let renderer = Renderer(
            policyPaths: [packageRoot + "/manifests/samples/policy.yaml"],
            requestPath: packageRoot + "/manifests/samples/request.yaml", now: now,
            options: MeshOptions(trustDomain: "corp.example"))
        guard case .granted(let yaml) = try renderer.render() else {
            Issue.record("expected a grant")
            return
        }
        let object = try #require(try YAMLParser().parseJSONDocuments(yaml).first)
        #expect(object["kind"] == .string("AuthorizationPolicy"))
        #expect(object["metadata"]?["name"] == .string("elevator-inc-1234-debug"))
        #expect(object["metadata"]?["annotations"]?["elevator.dev/expires-at"] == .string("2026-01-10T10:10:00Z"))
        #expect(object["spec"]?["rules"]?.arrayValue?.first?["from"]?.arrayValue?.first?["source"]?["principals"] == .array([.string("corp.example/ns/tools/sa/debugger")]))
        #expect(object["spec"]?["selector"] == .object(["matchLabels": .object(["app": .string("payments")])]))
    }

    @Test("a request outside the policy gives the denial in one sentence")
    func deniedRequest() throws {
        let folder = try temporaryFolder([
            "p.yaml": validPolicy,
            "r.yaml": validRequest.replacingOccurrences(of: "duration: 10m", with: "duration: 2h"),
        ])
        let outcome = try Renderer(policyPaths: [folder + "/p.yaml"], requestPath: folder + "/r.yaml", now: now).render()
        #expect(
            outcome == .denied(
                reason: "DurationTooLong",
                sentence: "ElevationRequest r1 would be denied (DurationTooLong): spec.duration 2h is longer than the maxDuration 1h of ElevationPolicy debug."))
    }

    @Test("with the mesh objects given, the default-deny guard is checked")
    func guardWithMeshObjects() throws {
        let folder = try temporaryFolder(["p.yaml": validPolicy, "r.yaml": validRequest, "mesh/none.yaml": "# nothing\n"])
        let outcome = try Renderer(
            policyPaths: [folder + "/p.yaml"], requestPath: folder + "/r.yaml", now: now, meshObjectPaths: [folder + "/mesh"]
        ).render()
        guard case .denied(let reason, let sentence) = outcome else {
            Issue.record("expected a denial, got \(outcome)")
            return
        }
        #expect(reason == "PolicyNotReady")
        #expect(sentence.contains("NoDefaultDeny"))
    }

    @Test(
        "user mistakes are one sentence naming the thing and the fix",
        arguments: [
            ("policy: debug", "policy: other", "ElevationPolicy other in namespace payments is not in "),
            ("kind: ElevationRequest", "kind: ElevationApproval", "r.yaml:2:7: kind ElevationApproval is not accepted here; write ElevationRequest."),
            ("spec:\n", "spec:\n  bad: [\n", "r.yaml:7:12: did not find expected ',' or ']' (while parsing a flow sequence that started at line 5, column 8); fix the manifest and run again."),
        ])
    func userErrors(find: String, replace: String, message: String) throws {
        let folder = try temporaryFolder(["p.yaml": validPolicy, "r.yaml": validRequest.replacingOccurrences(of: find, with: replace)])
        #expect {
            _ = try Renderer(policyPaths: [folder + "/p.yaml"], requestPath: folder + "/r.yaml", now: now).render()
        } throws: { error in
            guard let error = error as? CLIError else { return false }
            return error.description.contains(message) && !error.description.contains("\n")
        }
    }

    @Test("a missing request file exits 2 with the path named")
    func missingFile() {
        #expect(throws: CLIError.missingFile(path: "/nope/r.yaml")) {
            _ = try Renderer(policyPaths: [packageRoot + "/manifests/samples"], requestPath: "/nope/r.yaml", now: now).render()
        }
        #expect(CLIError.missingFile(path: "x").exitCode == 2)
    }
}
