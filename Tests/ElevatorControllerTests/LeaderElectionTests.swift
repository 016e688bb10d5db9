import ElevatorController
import Foundation
import Kube
import KubeSandbox
import Testing
import YAML

extension ControllerIntegrationTests {
    /// Two controllers with `--leader-elect`: only the leader acts; when it stops, it gives the Lease
    /// up and the standby, whose caches are warm, takes over.
    @Suite(.timeLimit(.minutes(1))) struct ControllerLeaderElectionTests {
        @Test func onlyTheLeaderGrantsAndTheStandbyTakesOverWhenItStops() async throws {
            // The harness runs an unelected controller; it is stopped at once, keeping its sandbox.
            let harness = try await Harness(options: ControllerOptions(allowUnverifiedIdentity: true, workers: 2), startController: false)
            try await harness.apply(
                "apiVersion: v1\nkind: Namespace\nmetadata: {name: elevator-system}",
                Kube.ResourceType(group: "", version: "v1", plural: "namespaces", kind: "Namespace", namespaced: false))
            let configuration = ClientConfiguration(server: harness.server.url, credentials: .token(harness.server.token ?? ""))
            var controllers: [(ElevatorController, Task<Void, Never>, KubeClient, Lines)] = []
            for name in ["first", "second"] {
                let client = KubeClient(configuration: configuration)
                let elector = try LeaderElector(
                    client: client,
                    config: LeaderElectionConfig(
                        leaseName: "elevator-controller", namespace: "elevator-system", identity: name,
                        leaseDuration: .seconds(3), renewDeadline: .seconds(2), retryPeriod: .milliseconds(300)))
                let lines = Lines()
                let controller = ElevatorController(
                    client: client, options: ControllerOptions(allowUnverifiedIdentity: true, workers: 2, instance: name),
                    audit: AuditLog(sink: { lines.append($0) }), elector: elector)
                let task = Task { _ = try? await controller.run() }
                controllers.append((controller, task, client, lines))
                try await waitFor("\(name) to be ready") { controller.isReady }
            }
            let elected = controllers.map(\.0)
            try await waitFor("a leader") { elected.contains { $0.isLeader } }
            let leader = try #require(controllers.firstIndex { $0.0.isLeader })
            let standby = 1 - leader
            #expect(!controllers[standby].0.isLeader)

            try await harness.installPolicy()
            _ = try await harness.request("inc-20", duration: "4s")
            try await harness.waitForPhase("inc-20", "Active")
            let leaderLines = controllers[leader].3
            try await waitFor("the leader's Granted audit line") { leaderLines.all.contains { $0.contains("\"event\":\"Granted\"") } }
            #expect(controllers[standby].3.all.isEmpty)

            // The leader stops; the standby takes over and ends the grant on time.
            controllers[leader].1.cancel()
            await controllers[leader].1.value
            try await waitFor("the standby to lead", seconds: 10) { elected[standby].isLeader }
            try await harness.waitForPhase("inc-20", "Expired")
            let standbyLines = controllers[standby].3
            try await waitFor("the new leader's Expired audit line") { standbyLines.all.contains { $0.contains("\"event\":\"Expired\"") } }
            #expect(!standbyLines.all.contains { $0.contains("\"event\":\"Granted\"") })
            #expect(try await harness.get(Harness.authorizationPolicies, "elevator-inc-20") == nil)

            controllers[standby].1.cancel()
            await controllers[standby].1.value
            for entry in controllers { entry.2.shutdown() }
            await harness.stop()
        }
    }
}
