import ElevatorController
import Foundation
import Kube
import Testing
import YAML

extension ControllerIntegrationTests {
    /// What the controller does when it starts: the identity check, the orphan sweep, leadership.
    @Suite(.timeLimit(.minutes(1))) struct StartupTests {
        @Test func withoutTheIdentityAdmissionPoliciesNothingIsGranted() async throws {
            let harness = try await Harness(options: ControllerOptions(workers: 2))
            try await harness.installPolicy()
            _ = try await harness.request("inc-10", duration: "3s")
            try await waitFor("IdentityUnverified") {
                let request = try await harness.get(Harness.requests, "inc-10")
                let valid = request?["status"]?["conditions"]?.arrayValue?.first { $0["type"]?.stringValue == "Valid" }
                return valid?["reason"]?.stringValue == "IdentityUnverified" && valid?["status"]?.stringValue == "False"
            }
            #expect(try await harness.phase("inc-10") == "Pending")
            #expect(try await harness.get(Harness.authorizationPolicies, "elevator-inc-10") == nil)
            try await waitFor("the IdentityUnverified Event") { try await harness.events(about: "inc-10").contains("IdentityUnverified") }
            await harness.stop()
        }

        @Test func theSweepDeletesOrphansAndLeavesObjectsWithTheLabelAloneAlone() async throws {
            let harness = try await Harness(options: ControllerOptions(allowUnverifiedIdentity: true, sweepInterval: .milliseconds(200), workers: 2))
            try await harness.installPolicy()
            for (name, annotation) in [("orphan", "\n  annotations: {elevator.dev/request-uid: 00000000-0000-0000-0000-000000000000}"), ("labelled-only", "")] {
                try await harness.apply(
                    """
                    apiVersion: security.istio.io/v1
                    kind: AuthorizationPolicy
                    metadata:
                      name: \(name)
                      namespace: payments
                      labels: {app.kubernetes.io/managed-by: elevator}\(annotation)
                    spec: {selector: {matchLabels: {app: payments}}, action: ALLOW}
                    """, Harness.authorizationPolicies)
            }
            try await waitFor("the orphan to be swept") { try await harness.get(Harness.authorizationPolicies, "orphan") == nil }
            #expect(try await harness.get(Harness.authorizationPolicies, "labelled-only") != nil)
            #expect(try await harness.get(Harness.authorizationPolicies, "baseline") != nil)
            await harness.stop()
        }

        @Test func finishedRequestsAreDeletedAfterRetainFinished() async throws {
            // 2 s: the retention counts from the whole second of the decision, so with 1 s the
            // request could already be gone when the test first sees it Denied.
            let harness = try await Harness(options: ControllerOptions(allowUnverifiedIdentity: true, retainFinished: .seconds(2), workers: 2))
            try await harness.installPolicy()
            _ = try await harness.request("inc-12", duration: "2h")
            try await harness.waitForPhase("inc-12", "Denied")
            // Kept at first (history outlives the decision), then deleted, finalizer and all.
            #expect(try await harness.get(Harness.requests, "inc-12") != nil)
            try await waitFor("the finished request to be deleted", seconds: 6) { try await harness.get(Harness.requests, "inc-12") == nil }
            await harness.stop()
        }

        @Test func metricsCountRequestsByPhaseAndTheGrantHistogram() async throws {
            let harness = try await Harness()
            try await harness.installPolicy()
            _ = try await harness.request("inc-11", duration: "5s")
            try await harness.waitForPhase("inc-11", "Active")
            try await waitFor("the metrics to see the grant") {
                await harness.controller.renderMetrics().contains("elevator_active_grants 1.0")
            }
            let text = await harness.controller.renderMetrics()
            #expect(text.contains(#"elevator_requests{phase="Active"} 1.0"#))
            #expect(text.contains("elevator_creation_to_grant_seconds_count 1"))
            #expect(text.contains("elevator_leader 1.0"))
            #expect(text.contains(#"elevator_api_requests{verb="apply",code="200"}"#) || text.contains(#"elevator_api_requests{verb="apply",code="201"}"#))
            #expect(text.contains(#"elevator_api_requests_sent{verb="watch"}"#))
            await harness.stop()
        }
    }
}

@Suite struct ProbeAddressTests {
    @Test(arguments: [
        (":8080", "0.0.0.0", 8080), ("127.0.0.1:8081", "127.0.0.1", 8081), ("[::1]:9090", "::1", 9090), ("localhost:0", "localhost", 0),
    ])
    func addressesParse(text: String, host: String, port: Int) throws {
        let parsed = try ProbeServer.address(text)
        #expect(parsed.host == host)
        #expect(parsed.port == port)
    }

    @Test(arguments: ["8080", "host:", "host:99999", ":http"])
    func badAddressesAreRefusedWithTheValueNamed(text: String) {
        #expect(throws: ControllerError.self) { try ProbeServer.address(text) }
        do {
            _ = try ProbeServer.address(text)
        } catch {
            #expect(error.description.contains(text))
        }
    }
}
