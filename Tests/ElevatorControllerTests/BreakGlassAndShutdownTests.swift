import ElevatorController
import Foundation
import Kube
import Logging
import ServiceLifecycle
import Testing
import YAML

extension ControllerIntegrationTests {
    @Suite(.timeLimit(.minutes(1))) struct BreakGlassAndShutdownTests {
        @Test func aBreakGlassGrantIsActiveAtOnceAndCountedUntilReviewed() async throws {
            let harness = try await Harness()
            try await harness.installPolicy(extra: "  breakGlass: {allowed: true, maxDuration: 30m}")
            let created = try await harness.request("inc-30", duration: "10m", breakGlass: true)
            try await harness.waitForPhase("inc-30", "Active")
            try await waitFor("the BreakGlass Warning Event") { try await harness.events(about: "inc-30").contains("BreakGlass") }
            try await waitFor("the unreviewed metric") {
                await harness.controller.renderMetrics().contains("elevator_unreviewed_break_glass_grants 1.0")
            }
            try await harness.apply(
                """
                apiVersion: elevator.dev/v1alpha1
                kind: ElevationApproval
                metadata: {name: inc-30-bob, namespace: payments}
                spec:
                  request: inc-30
                  requestUID: \(created["metadata"]?["uid"]?.stringValue ?? "")
                  decision: Approve
                  approver: {user: bob@example.com, groups: [payments-oncall]}
                """, Harness.approvals)
            try await waitFor("Reviewed=True") {
                let request = try await harness.get(Harness.requests, "inc-30")
                let reviewed = request?["status"]?["conditions"]?.arrayValue?.first { $0["type"]?.stringValue == "Reviewed" }
                return reviewed?["status"]?.stringValue == "True"
            }
            try await waitFor("the unreviewed metric to drop") {
                await harness.controller.renderMetrics().contains("elevator_unreviewed_break_glass_grants 0.0")
            }
            #expect(try await harness.phase("inc-30") == "Active")
            await harness.stop()
        }

        @Test func gracefulShutdownStopsTheControllerAndReleasesTheLease() async throws {
            let harness = try await Harness(startController: false)
            try await harness.apply(
                "apiVersion: v1\nkind: Namespace\nmetadata: {name: elevator-system}",
                Kube.ResourceType(group: "", version: "v1", plural: "namespaces", kind: "Namespace", namespaced: false))
            let elector = try LeaderElector(
                client: harness.controllerClient,
                config: LeaderElectionConfig(leaseName: "elevator-controller", namespace: "elevator-system", identity: "only"))
            let controller = ElevatorController(
                client: harness.controllerClient, options: ControllerOptions(allowUnverifiedIdentity: true, instance: "only"),
                audit: AuditLog(sink: { _ in }), elector: elector)
            let group = ServiceGroup(
                configuration: ServiceGroupConfiguration(services: [.init(service: controller)], logger: Logger(label: "test")))
            let running = Task { try await group.run() }
            try await waitFor("leadership") { controller.isLeader }
            let lease = try await harness.client.get(Lease.self, name: "elevator-controller", namespace: "elevator-system")
            #expect(lease.spec?.holderIdentity == "only")

            let asked = ContinuousClock.now
            await group.triggerGracefulShutdown()
            try await running.value
            #expect(ContinuousClock.now - asked < .seconds(5))
            let released = try await harness.client.get(Lease.self, name: "elevator-controller", namespace: "elevator-system")
            #expect((released.spec?.holderIdentity ?? "").isEmpty)
            await harness.stop()
        }
    }
}
