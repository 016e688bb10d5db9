import Elevation
import ElevatorController
import Foundation
import Kube
import Testing
import YAML

extension ControllerIntegrationTests {
    /// Grants end on time by the wall clock, survive a controller crash without outliving their
    /// window, and are put back when someone edits them.
    @Suite(.timeLimit(.minutes(1))) struct TimingAndCrashTests {
        @Test func aTwoSecondGrantExistsDuringItsWindowAndIsGoneWithin250msAfterIt() async throws {
            let harness = try await Harness()
            try await harness.installPolicy()
            _ = try await harness.request("inc-50", duration: "2s")
            try await harness.waitForPhase("inc-50", "Active")
            let expiresAt = try #require(
                try await harness.get(Harness.requests, "inc-50")?["status"]?["expiresAt"]?.stringValue.flatMap(RFC3339.parse))
            var missingInWindow = 0
            var goneAt: Date?
            while goneAt == nil, Date() < expiresAt.addingTimeInterval(3) {
                let exists = try await harness.get(Harness.authorizationPolicies, "elevator-inc-50") != nil
                let seen = Date()
                if !exists {
                    if seen < expiresAt { missingInWindow += 1 } else { goneAt = seen }
                }
                try await Task.sleep(for: .milliseconds(10))
            }
            let gone = try #require(goneAt, "the AuthorizationPolicy outlived its window by 3 s")
            let lag = gone.timeIntervalSince(expiresAt)
            print("measured: expiresAt to AuthorizationPolicy gone (10 ms polls): \(Int(lag * 1000)) ms")
            #expect(missingInWindow == 0)
            #expect(lag < 0.25, "deleted \(lag) s after expiresAt")
            await harness.stop()
        }

        @Test func afterACrashExpiredObjectsAndOrphansGoWithin1sAndValidGrantsAreUntouched() async throws {
            let harness = try await Harness(options: ControllerOptions(allowUnverifiedIdentity: true, workers: 2, instance: "first"))
            try await harness.installPolicy()
            _ = try await harness.request("inc-51", duration: "2s")
            _ = try await harness.request("inc-52", duration: "5s")
            let valid = try await harness.request("inc-53", duration: "1m")
            try await harness.waitForPhase("inc-53", "Pending")
            try await harness.approve(valid, by: "bob@example.com", groups: ["payments-oncall"])
            for name in ["inc-51", "inc-52", "inc-53"] { try await harness.waitForPhase(name, "Active") }
            let expiresAt = try #require(
                try await harness.get(Harness.requests, "inc-51")?["status"]?["expiresAt"]?.stringValue.flatMap(RFC3339.parse))

            await harness.stopController()
            // While it is down, inc-52 is removed behind its back (finalizer stripped, then
            // deleted), leaving its AuthorizationPolicy without a request.
            _ = try await harness.client.patch(
                JSONValue.self, Harness.requests, name: "inc-52", namespace: "payments", .merge,
                Data(#"{"metadata":{"finalizers":null}}"#.utf8))
            // Orphan propagation: the sandbox's garbage collector must not take the object with it.
            try await harness.client.delete(
                Harness.requests, name: "inc-52", namespace: "payments", options: DeleteOptions(propagationPolicy: .orphan))
            #expect(try await harness.get(Harness.requests, "inc-52") == nil)
            #expect(try await harness.get(Harness.authorizationPolicies, "elevator-inc-52") != nil)
            let untouched = try #require(try await harness.get(Harness.authorizationPolicies, "elevator-inc-53"))
            let wait = expiresAt.timeIntervalSinceNow + 0.2
            if wait > 0 { try await Task.sleep(for: .milliseconds(Int64(wait * 1000))) }
            #expect(try await harness.get(Harness.authorizationPolicies, "elevator-inc-51") != nil, "nothing deleted it while down")

            let restarted = ElevatorController(
                client: harness.controllerClient, options: ControllerOptions(allowUnverifiedIdentity: true, workers: 2, instance: "second"),
                audit: AuditLog(sink: { _ in }))
            let started = ContinuousClock.now
            let running = Task { try? await restarted.run() }
            var cleaned: Duration?
            while cleaned == nil, ContinuousClock.now - started < .seconds(5) {
                let expired = try await harness.get(Harness.authorizationPolicies, "elevator-inc-51")
                let orphan = try await harness.get(Harness.authorizationPolicies, "elevator-inc-52")
                if expired == nil, orphan == nil { cleaned = ContinuousClock.now - started }
                try await Task.sleep(for: .milliseconds(10))
            }
            let took = try #require(cleaned, "the expired object or the orphan was still there 5 s after the restart")
            print("measured: restart to expired object and orphan gone: \(took)")
            #expect(took < .seconds(1))
            try await harness.waitForPhase("inc-51", "Expired", seconds: 3)
            try await Task.sleep(for: .milliseconds(500))
            let after = try #require(try await harness.get(Harness.authorizationPolicies, "elevator-inc-53"))
            #expect(after["metadata"]?["resourceVersion"] == untouched["metadata"]?["resourceVersion"])
            #expect(try await harness.phase("inc-53") == "Active")
            running.cancel()
            await running.value
            await harness.stop()
        }

        @Test func anAuthorizationPolicyEditedBySomeoneElseIsRestoredWithin1s() async throws {
            let harness = try await Harness()
            try await harness.installPolicy()
            _ = try await harness.request("inc-54", duration: "5s")
            try await harness.waitForPhase("inc-54", "Active")
            let original = try #require(try await harness.get(Harness.authorizationPolicies, "elevator-inc-54"))
            // Someone widens the grant to every caller of every path.
            let widened = try await harness.client.patch(
                JSONValue.self, Harness.authorizationPolicies, name: "elevator-inc-54", namespace: "payments", .merge,
                Data(#"{"spec":{"rules":[{"to":[{"operation":{"paths":["/*"]}}]}]}}"#.utf8))
            let edited = ContinuousClock.now
            // The API server took the edit (the controller may put it back before a GET could see it).
            #expect(widened["spec"] != original["spec"])
            try await waitFor("the spec to be put back", seconds: 3) {
                try await harness.get(Harness.authorizationPolicies, "elevator-inc-54")?["spec"] == original["spec"]
            }
            let took = ContinuousClock.now - edited
            print("measured: edited AuthorizationPolicy restored after \(took)")
            #expect(took < .seconds(1))
            try await waitFor("the MeshObjectRestored Event") { try await harness.events(about: "inc-54").contains("MeshObjectRestored") }
            await harness.stop()
        }
    }
}
