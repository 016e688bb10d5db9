import Foundation
import Kube
import Testing
import YAML

@testable import ElevatorController

/// `decide` runs while the finalizer's round trip is out (`Reconciler.plan`); a finalizer patch
/// refused because the request changed since the cache read must discard that decision: nothing
/// is written for it, and the next reconcile decides from the request as it is.
@Suite(.serialized, .timeLimit(.minutes(1))) struct FinalizerConflictTests {
    @Test func aConflictingFinalizerPatchWritesNothingAndTheRetryGrantsOnce() async throws {
        let harness = try await Harness()
        defer { Task { await harness.stop() } }
        try await harness.installPolicy()
        try await waitFor("the policy to be Ready") {
            let conditions = try await harness.get(Harness.policies, "payments-debug")?["status"]?["conditions"]?.arrayValue ?? []
            return conditions.contains { $0["type"]?.stringValue == "Ready" && $0["status"]?.stringValue == "True" }
        }
        // From here the test is the controller's only driver: its informers and workers are gone,
        // its caches and reconciler stay.
        await harness.stopController()
        let controller = harness.controller
        let created = try await harness.request("inc-9", duration: "5s")
        let stale = try JSONValueDecoder().decode(RequestObject.self, from: created)
        controller.caches.requests.store.apply(.added(stale))
        // Someone labels the request after the cache read: the guarded finalizer patch must fail.
        _ = try await harness.client.send(
            Endpoint(Harness.requests, namespace: "payments").patch("inc-9", .merge, Data(#"{"metadata":{"labels":{"team":"payments"}}}"#.utf8)))

        await #expect {
            _ = try await controller.reconciler.reconcile("payments/inc-9")
        } throws: { error in
            if case KubeError.conflict = error { return true }
            return false
        }
        let untouched = try #require(try await harness.get(Harness.requests, "inc-9"))
        #expect(untouched["metadata"]?["finalizers"] == nil)
        #expect(untouched["status"] == nil)
        #expect(try await harness.get(harness.grantResource, "elevator-inc-9") == nil)
        #expect(try await harness.events(about: "inc-9").isEmpty)
        #expect(!harness.audit.contains { $0.contains("inc-9") })

        let fresh = try JSONValueDecoder().decode(RequestObject.self, from: untouched)
        controller.caches.requests.store.apply(.modified(fresh))
        _ = try await controller.reconciler.reconcile("payments/inc-9")
        let granted = try #require(try await harness.get(Harness.requests, "inc-9"))
        #expect(granted["status"]?["phase"]?.stringValue == "Active")
        #expect(granted["metadata"]?["finalizers"] == .array([.string("elevator.dev/grant")]))
        #expect(granted["metadata"]?["labels"]?["team"]?.stringValue == "payments")
        #expect(try await harness.get(harness.grantResource, "elevator-inc-9") != nil)
        #expect(try await harness.events(about: "inc-9").count == 1)
        #expect(harness.audit.filter { $0.contains("inc-9") }.count == 1)
    }
}
