import Elevation
@testable import ElevatorController
import Foundation
import Kube
import Testing
import YAML

extension ControllerIntegrationTests {
    /// What makes the controller's cost independent of how many grants a namespace holds (see
    /// BENCHMARKS.md "Controller"): a reconcile reads other requests and AuthorizationPolicies
    /// through indexes, and the caches hold no server-side apply bookkeeping.
    @Suite(.timeLimit(.minutes(1))) struct ScaleTests {
        @Test func maxActiveGrantsCountsTheActiveGrantsOfThePolicyOnly() async throws {
            let harness = try await Harness()
            try await harness.installPolicy(extra: "  maxActiveGrants: 1")
            try await harness.installPolicy(name: "other-debug")
            // An Active grant under another policy of the namespace does not count.
            _ = try await harness.request("inc-80", duration: "5s", policy: "other-debug")
            try await harness.waitForPhase("inc-80", "Active")
            _ = try await harness.request("inc-81", duration: "5s")
            try await harness.waitForPhase("inc-81", "Active")
            // The second one under the limited policy does.
            _ = try await harness.request("inc-82", duration: "5s")
            try await harness.waitForPhase("inc-82", "Denied")
            let valid = try await harness.condition("Valid", of: "inc-82")
            #expect(valid?["reason"]?.stringValue == "MaxActiveGrantsReached")
            #expect(valid?["message"]?.stringValue?.contains("already has 1 active grants") == true)
            #expect(try await harness.get(Harness.authorizationPolicies, "elevator-inc-82") == nil)
            await harness.stop()
        }

        @Test func theGuardIgnoresManagedObjectsAndTheCachesHoldNoManagedFields() async throws {
            let harness = try await Harness()
            try await harness.installPolicy()
            _ = try await harness.request("inc-83", duration: "5s")
            try await harness.waitForPhase("inc-83", "Active")
            let caches = harness.controller.caches
            // The API server keeps managedFields on both kinds; the controller's caches drop them.
            #expect(try await harness.get(Harness.authorizationPolicies, "elevator-inc-83")?["metadata"]?["managedFields"] != nil)
            let request = try #require(caches.requests.store.get(name: "inc-83", namespace: "payments"))
            #expect(request.metadata.managedFields == nil)
            let mesh = try #require(caches.meshObjects(ofRequestUID: request.metadata.uid ?? "").first)
            #expect(mesh.metadata.name == "elevator-inc-83")
            #expect(mesh.value.json["metadata"]?["managedFields"] == nil)
            #expect(mesh.value.json["spec"] != nil)
            // The guard reads the baseline (and the Namespace, for the ambient check), not the grant
            // the controller wrote itself.
            let guarded = caches.guardObjects(namespace: "payments", rootNamespace: "istio-system")
            let names = guarded.map { "\($0["kind"]?.stringValue ?? "")/\($0["metadata"]?["name"]?.stringValue ?? "")" }
            #expect(names.sorted() == ["AuthorizationPolicy/baseline", "Namespace/payments"])
            await harness.stop()
        }
    }
}
