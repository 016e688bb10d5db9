import ElevatorController
import Foundation
import Kube
import KubeSandbox
import Testing
import YAML

extension ControllerIntegrationTests {
    /// The audit trail loses nothing: a transition's line and Event are written before its status,
    /// so a failed status write (or a crash) repeats them, with the same id and one Event.
    @Suite(.timeLimit(.minutes(1))) struct AuditDeliveryTests {
        @Test func aFailingStatusWriteRepeatsTheAuditLineWithTheSameIDAndLeavesOneEvent() async throws {
            let harness = try await Harness()
            try await harness.installPolicy()
            let created = try await harness.request("inc-70", duration: "1m")
            try await harness.waitForPhase("inc-70", "Pending")
            // Every write to requests fails from now on (503), the status included.
            harness.server.faults.update { $0.frozenResources = ["elevationrequests.elevator.dev"] }
            try await harness.approve(created, by: "bob@example.com", groups: ["payments-oncall"])
            let granted: @Sendable () -> [JSONValue] = {
                harness.audit.compactMap { try? JSONDecoder().decode(JSONValue.self, from: Data($0.utf8)) }
                    .filter { $0["event"]?.stringValue == "Granted" }
            }
            try await waitFor("the Granted line to be repeated by retries") { granted().count >= 3 }
            #expect(try await harness.phase("inc-70") == "Pending", "the status write was refused")
            harness.server.faults.reset()
            try await harness.waitForPhase("inc-70", "Active")

            let lines = granted()
            let ids = Set(lines.compactMap { $0["id"]?.stringValue })
            let uid = try #require(created["metadata"]?["uid"]?.stringValue)
            let id = try #require(ids.first)
            #expect(ids.count == 1, "\(ids)")
            #expect(id.hasPrefix("\(uid)/Granted/"))
            // The last line is what the status holds.
            let status = try #require(try await harness.get(Harness.requests, "inc-70")?["status"])
            #expect(lines.last?["expiresAt"] == status["expiresAt"])
            // One Event, named after the transition's digest.
            let events = try await harness.client.list(
                JSONValue.self, Kube.ResourceType(group: "events.k8s.io", version: "v1", plural: "events", kind: "Event", namespaced: true),
                namespace: "payments")
            let grantedEvents = events.items.filter {
                $0["regarding"]?["name"]?.stringValue == "inc-70" && $0["reason"]?.stringValue == "Granted"
            }
            #expect(grantedEvents.count == 1)
            let digest = String(id.split(separator: "/").last ?? "")
            #expect(grantedEvents.first?["metadata"]?["name"]?.stringValue == "inc-70.\(digest)")
            #expect(grantedEvents.first?["series"] == nil)
            await harness.stop()
        }
    }
}
