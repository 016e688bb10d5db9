import Foundation
import Synchronization
import Testing

@testable import Kube

@Suite struct LeaseDecisionTests {
    let now = MicroTime(microsecondsSinceEpoch: 1_780_000_000_000_000)

    func lease(holder: String, transitions: Int32 = 3) -> Lease {
        var meta = ObjectMeta(name: "l", namespace: "ns")
        meta.resourceVersion = "7"
        return Lease(metadata: meta, spec: .init(
            holderIdentity: holder, leaseDurationSeconds: 15, acquireTime: MicroTime(microsecondsSinceEpoch: 1),
            renewTime: MicroTime(microsecondsSinceEpoch: 2), leaseTransitions: transitions))
    }

    @Test func missingLeaseIsCreated() {
        guard case .create(let lease) = LeaseDecision.decide(
            current: nil, identity: "me", leaseDuration: .seconds(15), elapsedSinceObserved: .zero, now: now)
        else {
            Issue.record("expected create")
            return
        }
        #expect(lease.spec?.holderIdentity == "me")
        #expect(lease.spec?.leaseDurationSeconds == 15)
        #expect(lease.spec?.renewTime?.description == "2026-05-28T20:26:40.000000Z")
    }

    @Test func validForeignLeaseMeansWaitUntilObservedForItsDuration() {
        let foreign = lease(holder: "other")
        #expect(LeaseDecision.decide(current: foreign, identity: "me", leaseDuration: .seconds(15), elapsedSinceObserved: .seconds(14), now: now)
            == .wait(holder: "other"))
        guard case .update(let taken) = LeaseDecision.decide(
            current: foreign, identity: "me", leaseDuration: .seconds(15), elapsedSinceObserved: .seconds(15), now: now)
        else {
            Issue.record("expected update")
            return
        }
        #expect(taken.spec?.holderIdentity == "me")
        #expect(taken.spec?.leaseTransitions == 4)
        #expect(taken.spec?.acquireTime == now)
        #expect(taken.metadata.resourceVersion == "7")
    }

    @Test func renewalKeepsAcquireTimeAndTransitions() {
        guard case .update(let renewed) = LeaseDecision.decide(
            current: lease(holder: "me"), identity: "me", leaseDuration: .seconds(15), elapsedSinceObserved: .zero, now: now)
        else {
            Issue.record("expected update")
            return
        }
        #expect(renewed.spec?.acquireTime == MicroTime(microsecondsSinceEpoch: 1))
        #expect(renewed.spec?.renewTime == now)
        #expect(renewed.spec?.leaseTransitions == 3)
    }

    @Test func releasedLeaseIsTakenAtOnce() {
        let released = lease(holder: "")
        guard case .update = LeaseDecision.decide(
            current: released, identity: "me", leaseDuration: .seconds(15), elapsedSinceObserved: .zero, now: now)
        else {
            Issue.record("expected update")
            return
        }
    }

    @Test func configurationRulesOfClientGo() {
        #expect(throws: KubeError.self) {
            try LeaderElectionConfig(leaseName: "l", namespace: "n", identity: "i", leaseDuration: .seconds(10), renewDeadline: .seconds(10)).validate()
        }
        #expect(throws: KubeError.self) {
            try LeaderElectionConfig(leaseName: "l", namespace: "n", identity: "i", renewDeadline: .seconds(2), retryPeriod: .seconds(2)).validate()
        }
        #expect(throws: Never.self) { try LeaderElectionConfig(leaseName: "l", namespace: "n", identity: "i").validate() }
    }
}

@Suite(.serialized, .timeLimit(.minutes(1))) struct LeaderElectorTests {
    func config(_ identity: String, release: Bool) -> LeaderElectionConfig {
        LeaderElectionConfig(
            leaseName: "elevator", namespace: "team-a", identity: identity, leaseDuration: .seconds(2),
            renewDeadline: .milliseconds(1500), retryPeriod: .milliseconds(250), releaseOnCancel: release)
    }

    final class Leaders: Sendable {
        let active = Mutex<Set<String>>([])
        let maxConcurrent = Mutex(0)
        func lead(_ name: String) async {
            active.withLock { $0.insert(name) }
            let count = active.withLock { $0.count }
            maxConcurrent.withLock { $0 = max($0, count) }
            while !Task.isCancelled { try? await Task.sleep(for: .milliseconds(20)) }
            active.withLock { _ = $0.remove(name) }
        }
        var current: Set<String> { active.withLock { $0 } }
    }

    @Test(arguments: [false, true])
    func killingTheLeaderHandsOverWithinTheLeaseDuration(release: Bool) async throws {
        let server = try TestHTTPServer()
        let configuration = ClientConfiguration(server: server.base, namespace: "team-a")
        let leaders = Leaders()
        let a = try LeaderElector(client: KubeClient(configuration: configuration), config: config("a", release: release))
        let b = try LeaderElector(client: KubeClient(configuration: configuration), config: config("b", release: release))
        let runA = Task { await a.run { await leaders.lead("a") } }
        try await waitFor { leaders.current == ["a"] }
        let runB = Task { await b.run { await leaders.lead("b") } }
        try await Task.sleep(for: .seconds(1))
        #expect(leaders.current == ["a"])
        #expect(!b.isLeader)

        runA.cancel()
        await runA.value
        let stopped = ContinuousClock.now
        try await waitFor { leaders.current == ["b"] }
        let handover = stopped.duration(to: .now)
        // Without release B waits out the lease it last saw renewed (2 s), then acquires on its next
        // jittered retry (up to 1.2 x 250 ms); with release it takes over at once. The rest of the
        // bound is scheduling slack on a loaded two-core CI machine, where 2.75 s was seen.
        #expect(handover < (release ? .milliseconds(800) : .seconds(3)))
        #expect(leaders.maxConcurrent.withLock { $0 } == 1)
        runB.cancel()
        await runB.value
    }

    func waitFor(_ condition: @Sendable () -> Bool) async throws {
        for _ in 0..<200 {
            if condition() { return }
            try await Task.sleep(for: .milliseconds(25))
        }
        Issue.record("condition not met within 5 s")
    }
}
