import ElevatorController
import Foundation
import Kube
import Testing
import Elevation
import YAML

extension ControllerIntegrationTests {
    /// The life of a request against an in-process sandbox, end to end through the real controller.
    @Suite(.timeLimit(.minutes(1))) struct GrantLifecycleTests {
        @Test(arguments: TestMesh.allCases) func autoApprovedGrantBecomesActiveThenExpiresAndItsAuthorizationPolicyGoes(mesh: TestMesh) async throws {
            let harness = try await Harness(mesh: mesh)
            try await harness.installPolicy()
            let before = harness.controllerClient.apiCalls.snapshot
            let created = try await harness.request("inc-1", duration: "3s")
            let toActive = try await harness.waitForPhase("inc-1", "Active")
            let object = try #require(try await harness.get(harness.grantResource, "elevator-inc-1"))
            switch mesh {
            case .istio:
                #expect(object["spec"]?["action"]?.stringValue == "ALLOW")
                #expect(object["spec"]?["selector"]?["matchLabels"]?["app"]?.stringValue == "payments")
                #expect(object["spec"]?["rules"]?[0]?["from"]?[0]?["source"]?["principals"]?[0]?.stringValue == "cluster.local/ns/tools/sa/debugger")
            case .linkerd:
                #expect(object["spec"]?["targetRef"] == .object(["group": "policy.linkerd.io", "kind": "Server", "name": "payments-http"]))
                #expect(object["spec"]?["requiredAuthenticationRefs"] == .array([.object(["kind": "ServiceAccount", "name": "debugger", "namespace": "tools"])]))
                // Elevator never writes a Server: the only one is the baseline's.
                #expect(try await harness.client.list(JSONValue.self, Harness.linkerdServers, namespace: "payments").items.count == 1)
            }
            #expect(object["metadata"]?["annotations"]?["elevator.dev/request-uid"] == created["metadata"]?["uid"])
            #expect(object["metadata"]?["ownerReferences"]?[0]?["uid"] == created["metadata"]?["uid"])
            let request = try #require(try await harness.get(Harness.requests, "inc-1"))
            #expect(request["metadata"]?["finalizers"]?[0]?.stringValue == "elevator.dev/grant")
            let granted = request["status"]?["conditions"]?.arrayValue?.first { $0["type"]?.stringValue == "Granted" }
            #expect(granted?["status"]?.stringValue == "True")
            #expect(granted?["observedGeneration"]?.intValue == request["metadata"]?["generation"]?.intValue)
            #expect(request["status"]?["grant"]?[0]?["name"]?.stringValue == "elevator-inc-1")
            #expect(request["status"]?["grant"]?[0]?["apiVersion"]?.stringValue == harness.grantResource.apiVersion)
            let after = harness.controllerClient.apiCalls.snapshot
            let callsToGrant = after.map { verb, count in "\(verb)=\(count - before[verb, default: 0])" }.sorted().joined(separator: " ")

            let expiresAt = try #require(request["status"]?["expiresAt"]?.stringValue.flatMap(RFC3339.parse))
            let atActive = harness.controllerClient.apiCalls.snapshot
            try await harness.waitForPhase("inc-1", "Expired", seconds: 8)
            let expiryLag = Date().timeIntervalSince(expiresAt)
            let atExpired = harness.controllerClient.apiCalls.snapshot
            let callsToExpire = atExpired.map { verb, count in "\(verb)=\(count - atActive[verb, default: 0])" }.sorted().joined(separator: " ")
            #expect(try await harness.get(harness.grantResource, "elevator-inc-1") == nil)
            try await waitFor("the Expired audit line") { harness.audit.contains { $0.contains("\"event\":\"Expired\"") } }
            try await waitFor("the Expired Event") { try await harness.events(about: "inc-1").contains("Expired") }
            let reasons = try await harness.events(about: "inc-1")
            #expect(reasons.contains("Granted"))
            #expect(reasons.contains("Expired"))
            #expect(reasons.contains("ExpiringSoon"))
            let audit = harness.audit.filter { $0.contains("\"request\":\"inc-1\"") }
            #expect(audit.contains { $0.contains("\"event\":\"Granted\"") && $0.contains("\"phase\":\"Active\"") })
            #expect(audit.contains { $0.contains("\"event\":\"Expired\"") && $0.contains("\"phase\":\"Expired\"") })
            // The baseline belongs to someone else and is never touched.
            #expect(try await harness.get(mesh == .istio ? Harness.authorizationPolicies : Harness.linkerdServers, mesh == .istio ? "baseline" : "payments-http") != nil)
            print("measured (\(mesh)): creation to Active \(toActive); controller API calls from creation to Active: \(callsToGrant); from Active to Expired (ExpiringSoon Event included): \(callsToExpire); expiresAt to Expired seen by the test: \(expiryLag) s")
            await harness.stop()
        }

        @Test(arguments: TestMesh.allCases) func approvalFlowGoesFromPendingToApprovedToActive(mesh: TestMesh) async throws {
            let harness = try await Harness(mesh: mesh)
            try await harness.installPolicy()
            let created = try await harness.request("inc-2", duration: "30s")
            try await harness.waitForPhase("inc-2", "Pending")
            try await waitFor("the PendingApproval Event") { try await harness.events(about: "inc-2").contains("PendingApproval") }
            #expect(try await harness.get(harness.grantResource, "elevator-inc-2") == nil)
            try await harness.apply(
                """
                apiVersion: elevator.dev/v1alpha1
                kind: ElevationApproval
                metadata: {name: inc-2-bob, namespace: payments}
                spec:
                  request: inc-2
                  requestUID: \(created["metadata"]?["uid"]?.stringValue ?? "")
                  decision: Approve
                  approver: {user: bob@example.com, groups: [payments-oncall]}
                """, Harness.approvals)
            try await harness.waitForPhase("inc-2", "Active")
            #expect(try await harness.get(harness.grantResource, "elevator-inc-2") != nil)
            let request = try #require(try await harness.get(Harness.requests, "inc-2"))
            #expect(request["status"]?["approvals"]?[0]?["approver"]?.stringValue == "bob@example.com")

            // Revoking ends the grant at once.
            _ = try await harness.client.patch(
                JSONValue.self, Harness.requests, name: "inc-2", namespace: "payments", .merge, Data(#"{"spec":{"revoked":true}}"#.utf8))
            try await harness.waitForPhase("inc-2", "Revoked")
            #expect(try await harness.get(harness.grantResource, "elevator-inc-2") == nil)
            await harness.stop()
        }

        @Test(arguments: TestMesh.allCases) func aDenyDecisionDeniesTheRequest(mesh: TestMesh) async throws {
            let harness = try await Harness(mesh: mesh)
            try await harness.installPolicy()
            let created = try await harness.request("inc-3", duration: "30s")
            try await harness.waitForPhase("inc-3", "Pending")
            try await harness.apply(
                """
                apiVersion: elevator.dev/v1alpha1
                kind: ElevationApproval
                metadata: {name: inc-3-bob, namespace: payments}
                spec:
                  request: inc-3
                  requestUID: \(created["metadata"]?["uid"]?.stringValue ?? "")
                  decision: Deny
                  approver: {user: bob@example.com, groups: [payments-oncall]}
                  comment: not now
                """, Harness.approvals)
            try await harness.waitForPhase("inc-3", "Denied")
            let request = try #require(try await harness.get(Harness.requests, "inc-3"))
            let approved = request["status"]?["conditions"]?.arrayValue?.first { $0["type"]?.stringValue == "Approved" }
            #expect(approved?["reason"]?.stringValue == "ApproverDenied")
            #expect(approved?["message"]?.stringValue?.contains("not now") == true)
            // The Event is written right after the status, so it may trail the phase a little.
            try await waitFor("the Denied Event") { try await harness.events(about: "inc-3").contains("Denied") }
            await harness.stop()
        }

        @Test(arguments: TestMesh.allCases) func aRequestOutsideThePolicyIsDeniedWithTheLimitNamed(mesh: TestMesh) async throws {
            let harness = try await Harness(mesh: mesh)
            try await harness.installPolicy()
            _ = try await harness.request("inc-4", duration: "2h")
            try await harness.waitForPhase("inc-4", "Denied")
            let request = try #require(try await harness.get(Harness.requests, "inc-4"))
            let valid = request["status"]?["conditions"]?.arrayValue?.first { $0["type"]?.stringValue == "Valid" }
            #expect(valid?["reason"]?.stringValue == "DurationTooLong")
            #expect(valid?["message"]?.stringValue?.contains("1h") == true)
            await harness.stop()
        }

        @Test(arguments: TestMesh.allCases) func deletingAnActiveRequestRemovesItsObjectThenTheFinalizer(mesh: TestMesh) async throws {
            let harness = try await Harness(mesh: mesh)
            try await harness.installPolicy()
            _ = try await harness.request("inc-5", duration: "5s")
            try await harness.waitForPhase("inc-5", "Active")
            #expect(try await harness.get(harness.grantResource, "elevator-inc-5") != nil)
            try await harness.client.delete(Harness.requests, name: "inc-5", namespace: "payments")
            try await waitFor("the request to be gone") { try await harness.get(Harness.requests, "inc-5") == nil }
            #expect(try await harness.get(harness.grantResource, "elevator-inc-5") == nil)
            #expect(harness.audit.contains { $0.contains("\"request\":\"inc-5\"") && $0.contains("\"event\":\"Revoked\"") })
            await harness.stop()
        }

        @Test(arguments: TestMesh.allCases) func suspendingThePolicyRevokesItsActiveGrants(mesh: TestMesh) async throws {
            let harness = try await Harness(mesh: mesh)
            try await harness.installPolicy()
            _ = try await harness.request("inc-6", duration: "5s")
            try await harness.waitForPhase("inc-6", "Active")
            try await harness.installPolicy(extra: "  suspended: true")
            try await harness.waitForPhase("inc-6", "Revoked")
            #expect(try await harness.get(harness.grantResource, "elevator-inc-6") == nil)
            let request = try #require(try await harness.get(Harness.requests, "inc-6"))
            let granted = request["status"]?["conditions"]?.arrayValue?.first { $0["type"]?.stringValue == "Granted" }
            #expect(granted?["reason"]?.stringValue == "PolicySuspended")
            await harness.stop()
        }

        @Test(arguments: TestMesh.allCases) func aManagedObjectDeletedBySomeoneElseIsPutBack(mesh: TestMesh) async throws {
            let harness = try await Harness(mesh: mesh)
            try await harness.installPolicy()
            _ = try await harness.request("inc-7", duration: "5s")
            try await harness.waitForPhase("inc-7", "Active")
            try await harness.client.delete(harness.grantResource, name: "elevator-inc-7", namespace: "payments")
            try await waitFor("the object to be put back") { try await harness.get(harness.grantResource, "elevator-inc-7") != nil }
            try await waitFor("the MeshObjectRestored Event") { try await harness.events(about: "inc-7").contains("MeshObjectRestored") }
            await harness.stop()
        }
    }
}
