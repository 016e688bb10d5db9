import ElevatorController
import Foundation
import Kube
import KubeSandbox
import Testing
import YAML

extension Harness {
    /// The ownerReferences of approval `name` (empty when it has none), nil when it does not exist.
    func ownerUIDs(ofApproval name: String) async throws -> [String]? {
        guard let approval = try await get(Self.approvals, name) else { return nil }
        return (approval["metadata"]?["ownerReferences"]?.arrayValue ?? []).compactMap { $0["uid"]?.stringValue }
    }

    /// An approval of request `request` bound to `uid` (which may be a stale one), as written by hand.
    func approval(_ name: String, request: String, uid: String, by user: String, extraMetadata: String = "") async throws {
        try await apply(
            """
            apiVersion: elevator.dev/v1alpha1
            kind: ElevationApproval
            metadata: {name: \(name), namespace: payments\(extraMetadata)}
            spec:
              request: \(request)
              requestUID: \(uid)
              decision: Approve
              approver: {user: \(user), groups: [payments-oncall]}
            """, Self.approvals)
    }
}

extension ControllerIntegrationTests {
    /// Approvals are owned by their request (API.md), so they go with it, and only by the request
    /// object they are bound to.
    @Suite(.timeLimit(.minutes(1))) struct ApprovalOwnershipTests {
        @Test func anApprovalGetsOneOwnerReferenceToItsRequestOnceAndGoesWithTheRequest() async throws {
            let harness = try await Harness()
            try await harness.installPolicy()
            let created = try await harness.request("inc-60", duration: "1m")
            let uid = try #require(created["metadata"]?["uid"]?.stringValue)
            try await harness.waitForPhase("inc-60", "Pending")
            // Someone else's owner (a ConfigMap recording the change) is kept beside the request's.
            let configMaps = Kube.ResourceType(group: "", version: "v1", plural: "configmaps", kind: "ConfigMap", namespaced: true)
            let change = try await harness.apply("{apiVersion: v1, kind: ConfigMap, metadata: {name: change-42, namespace: payments}}", configMaps)
            let changeUID = try #require(change["metadata"]?["uid"]?.stringValue)
            try await harness.approval(
                "inc-60-bob", request: "inc-60", uid: uid, by: "bob@example.com",
                extraMetadata: ", ownerReferences: [{apiVersion: v1, kind: ConfigMap, name: change-42, uid: \(changeUID)}]")
            try await harness.approval("inc-60-carol", request: "inc-60", uid: uid, by: "carol@example.com")
            try await harness.waitForPhase("inc-60", "Active")
            try await waitFor("the ownerReferences") {
                let bob = try await harness.ownerUIDs(ofApproval: "inc-60-bob")
                let carol = try await harness.ownerUIDs(ofApproval: "inc-60-carol")
                return bob == [changeUID, uid] && carol == [uid]
            }
            let approval = try #require(try await harness.get(Harness.approvals, "inc-60-bob"))
            let reference = try #require(approval["metadata"]?["ownerReferences"]?[1])
            #expect(reference["apiVersion"]?.stringValue == "elevator.dev/v1alpha1")
            #expect(reference["kind"]?.stringValue == "ElevationRequest")
            #expect(reference["name"]?.stringValue == "inc-60")
            #expect(reference["controller"] == nil && reference["blockOwnerDeletion"] == nil)

            // Idempotent: another reconcile of the request (a label changes it) leaves the approval alone.
            _ = try await harness.client.patch(
                JSONValue.self, Harness.requests, name: "inc-60", namespace: "payments", .merge,
                Data(#"{"metadata":{"labels":{"team":"payments"}}}"#.utf8))
            try await Task.sleep(for: .milliseconds(500))
            let after = try #require(try await harness.get(Harness.approvals, "inc-60-bob"))
            #expect(after["metadata"]?["resourceVersion"] == approval["metadata"]?["resourceVersion"])

            // The sandbox collects garbage as kube-controller-manager does: carol's approval goes
            // with its request; bob's is still owned by the ConfigMap and only loses the reference.
            try await harness.client.delete(Harness.requests, name: "inc-60", namespace: "payments")
            try await waitFor("the request to be gone") { try await harness.get(Harness.requests, "inc-60") == nil }
            try await waitFor("carol's approval to be collected") { try await harness.ownerUIDs(ofApproval: "inc-60-carol") == nil }
            try await waitFor("bob's approval to keep its other owner") {
                try await harness.ownerUIDs(ofApproval: "inc-60-bob") == [changeUID]
            }
            await harness.stop()
        }

        @Test func anApprovalBoundToTheOldUIDOfARecreatedRequestIsNeverOwnedByTheNewOne() async throws {
            let harness = try await Harness()
            try await harness.installPolicy()
            let first = try #require(try await harness.request("inc-61", duration: "1m")["metadata"]?["uid"]?.stringValue)
            try await harness.waitForPhase("inc-61", "Pending")
            try await harness.client.delete(Harness.requests, name: "inc-61", namespace: "payments")
            try await waitFor("the first request to be gone") { try await harness.get(Harness.requests, "inc-61") == nil }
            let second = try #require(try await harness.request("inc-61", duration: "1m")["metadata"]?["uid"]?.stringValue)
            #expect(second != first)
            try await harness.waitForPhase("inc-61", "Pending")
            // Replayed: bob's approval of the first object, applied to the namespace again.
            try await harness.approval("inc-61-bob", request: "inc-61", uid: first, by: "bob@example.com")
            try await waitFor("the ApprovalIgnored audit line") {
                harness.audit.contains { $0.contains(#""event":"ApprovalIgnored""#) && $0.contains("inc-61-bob") && $0.contains(second) }
            }
            // A valid approval of the second object, created after it, gets the reference: the
            // reconcile that ignored the replay did look at ownership.
            try await harness.approval("inc-61-dave", request: "inc-61", uid: second, by: "dave@example.com")
            try await waitFor("dave's approval to be owned") { try await harness.ownerUIDs(ofApproval: "inc-61-dave") == [second] }
            #expect(try await harness.ownerUIDs(ofApproval: "inc-61-bob") == [])
            await harness.stop()
        }
    }
}
