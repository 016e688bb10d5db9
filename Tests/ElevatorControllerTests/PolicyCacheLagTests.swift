@testable import ElevatorController
import Foundation
import Kube
import Testing
import YAML

extension ControllerIntegrationTests {
    /// A policy and a request applied together (`kubectl apply -f dir/`): the request's watch can
    /// deliver before the policy's, and PolicyNotFound is final, so the controller asks the API
    /// server before it denies a new request for a policy its cache lacks.
    @Suite(.timeLimit(.minutes(1))) struct PolicyCacheLagTests {
        @Test func aRequestWhosePolicyTheCacheHasNotSeenYetWaitsForItInsteadOfBeingDenied() async throws {
            let harness = try await Harness()
            try await harness.installPolicy()
            let policies = harness.controller.caches.policies.store
            // Once the controller has written the policy's Ready condition, no more events of it come.
            try await waitFor("the policy's Ready condition in the controller's cache") {
                policies.get(name: "payments-debug", namespace: "payments")?.value.status?.conditions?.contains { $0.type == "Ready" } == true
            }
            try await Task.sleep(for: .milliseconds(200))
            // The cache loses the policy (as if its watch were behind); the API server still has it.
            let cached = try #require(policies.get(name: "payments-debug", namespace: "payments"))
            _ = policies.apply(.deleted(cached))
            _ = try await harness.request("inc-90", duration: "5s")
            try await Task.sleep(for: .milliseconds(600))
            #expect(try await harness.phase("inc-90") != "Denied", "denied as PolicyNotFound while the policy exists")
            #expect(policies.get(name: "payments-debug", namespace: "payments") == nil, "the cache caught up by itself")
            // The cache catches up: the request is decided with the policy.
            _ = policies.apply(.added(cached))
            try await harness.waitForPhase("inc-90", "Active")
            await harness.stop()
        }

        @Test func aRequestForAPolicyTheAPIServerLacksIsStillDenied() async throws {
            let harness = try await Harness()
            try await harness.installPolicy()
            _ = try await harness.request("inc-91", duration: "5s", policy: "no-such-policy")
            try await harness.waitForPhase("inc-91", "Denied")
            let valid = try await harness.condition("Valid", of: "inc-91")
            #expect(valid?["reason"]?.stringValue == "PolicyNotFound")
            await harness.stop()
        }
    }
}
