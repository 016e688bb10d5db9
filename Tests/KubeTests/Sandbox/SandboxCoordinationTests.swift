import Foundation
import KubeSandbox
import Synchronization
import Testing
import YAML

@testable import Kube

/// Leader election and Events against the sandbox.
@Suite(.timeLimit(.minutes(1))) struct SandboxCoordinationTests {
    @Test("killing the leader (no release) hands the Lease to the other elector within the lease duration")
    func leaderHandoverAfterKill() async throws {
        let sandbox = try await SandboxHarness.start()
        defer { Task { await sandbox.stop() } }
        let leaseDuration = Duration.seconds(3)
        let retryPeriod = Duration.milliseconds(500)
        func elector(_ identity: String) throws -> LeaderElector {
            try LeaderElector(
                client: sandbox.makeClient(),
                config: LeaderElectionConfig(
                    leaseName: "elevator", namespace: "default", identity: identity, leaseDuration: leaseDuration,
                    renewDeadline: .seconds(2), retryPeriod: retryPeriod, releaseOnCancel: false))
        }
        let first = try elector("first")
        let second = try elector("second")
        let working = Lines()
        let firstRun = Task { await first.run { working.append("first") } }
        try await eventually { first.isLeader }
        let secondRun = Task { await second.run { working.append("second") } }
        defer { secondRun.cancel() }
        try await Task.sleep(for: .seconds(2))
        #expect(first.isLeader && !second.isLeader, "the second elector must wait while the first renews")

        firstRun.cancel()  // killed: no release, the Lease still names "first"
        let killed = ContinuousClock.now
        await firstRun.value
        #expect(!first.isLeader)
        let lease = try await sandbox.client.get(Lease.self, name: "elevator", namespace: "default")
        #expect(lease.spec?.holderIdentity == "first")

        try await eventually(timeout: .seconds(6), "the second elector to lead") { second.isLeader }
        let handover = seconds(killed.duration(to: .now))
        #expect(handover <= seconds(leaseDuration + retryPeriod) + 0.3, "handover took \(handover) s")
        #expect(handover >= seconds(leaseDuration - retryPeriod * 2), "the Lease was taken before it expired (\(handover) s)")
        let taken = try await sandbox.client.get(Lease.self, name: "elevator", namespace: "default")
        #expect(taken.spec?.holderIdentity == "second")
        #expect(taken.spec?.leaseTransitions == 1)
        #expect(working.all == ["first", "second"])
    }

    @Test("repeated Events fold into one events.k8s.io/v1 Event with a series; another reason is its own Event")
    func eventSeriesDeduplication() async throws {
        let sandbox = try await SandboxHarness.start()
        defer { Task { await sandbox.stop() } }
        let recorder = EventRecorder(
            client: sandbox.client, reportingController: "elevator.example.com/controller", reportingInstance: "pod-1")
        let regarding = ObjectReference(apiVersion: "v1", kind: "ConfigMap", name: "target", namespace: "default", uid: "u-1")
        for _ in 0..<3 {
            try await recorder.publish(regarding: regarding, type: .warning, reason: "Denied", action: "Elevate", note: "no policy")
        }
        try await recorder.publish(regarding: regarding, type: .normal, reason: "Granted", action: "Elevate")

        let events = try await sandbox.client.listAll(Event.self, Event.resourceType, namespace: "default").items
        #expect(events.count == 2)
        let denied = try #require(events.first { $0.reason == "Denied" })
        #expect(denied.series?.count == 3)
        #expect(denied.regarding?.name == "target")
        #expect(denied.reportingController == "elevator.example.com/controller")
        let granted = try #require(events.first { $0.reason == "Granted" })
        #expect(granted.series == nil)
        #expect(sandbox.server.counters.count(verb: "create", resource: "events.events.k8s.io") == 2)
        #expect(sandbox.server.counters.count(verb: "patch", resource: "events.events.k8s.io") == 2)
        // The raw object carries six fractional digits in its MicroTime fields.
        let raw = try await sandbox.client.get(JSONValue.self, Event.resourceType, name: denied.metadata.name ?? "", namespace: "default")
        let observed = raw["series"]?["lastObservedTime"]?.stringValue ?? ""
        #expect(observed.range(of: #"\.\d{6}Z$"#, options: .regularExpression) != nil, "\(observed)")
    }
}
