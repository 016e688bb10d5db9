import Foundation
import Kube
import Synchronization
import Testing
import YAML

@testable import ElevatorController

@Suite struct OwnWritesTests {
    let x = OwnWrites.Identity(apiVersion: "v1", kind: "ConfigMap", namespace: "a", name: "x")
    let other = OwnWrites.Identity(apiVersion: "v1", kind: "Secret", namespace: "a", name: "x")
    let noNews: OwnWrites.News = {}

    /// Counts the news handed back.
    final class Tally: Sendable {
        let count = Mutex(0)
        var news: OwnWrites.News { { self.count.withLock { $0 += 1 } } }
    }

    @Test func anEchoAfterTheResponseIsClaimedOnceAndOnlyForThatObjectAndVersion() {
        let writes = OwnWrites()
        writes.begin(x)
        #expect(writes.finish(x, resourceVersion: "7").isEmpty)
        #expect(!writes.claim(x, resourceVersion: "8", otherwise: noNews))
        #expect(!writes.claim(other, resourceVersion: "7", otherwise: noNews))
        #expect(writes.claim(x, resourceVersion: "7", otherwise: noNews))
        #expect(!writes.claim(x, resourceVersion: "7", otherwise: noNews))
    }

    @Test func anEchoBeforeTheResponseIsHeldAndDroppedWhileSomeoneElsesChangeIsHandedBack() async {
        let writes = OwnWrites()
        let tally = Tally()
        writes.begin(x)
        #expect(writes.claim(x, resourceVersion: "6", otherwise: tally.news))  // someone else's, just before
        #expect(writes.claim(x, resourceVersion: "7", otherwise: tally.news))  // the echo, before the response
        let news = writes.finish(x, resourceVersion: "7")
        #expect(news.count == 1)
        for item in news { await item() }
        #expect(tally.count.withLock { $0 } == 1)
        #expect(writes.count == 0)  // the echo came already: nothing left to wait for
    }

    @Test func eventsHeldForAFailedWriteAreNews() {
        let writes = OwnWrites()
        writes.begin(x)
        #expect(writes.claim(x, resourceVersion: "6", otherwise: noNews))
        #expect(writes.finish(x, resourceVersion: nil).count == 1)
        #expect(!writes.claim(x, resourceVersion: "9", otherwise: noNews))
    }

    @Test func versionsWhoseEchoNeverCameAreForgottenAtTheBound() {
        let writes = OwnWrites(limit: 3)
        for version in 1...3 {
            writes.begin(x)
            _ = writes.finish(x, resourceVersion: "\(version)")
        }
        #expect(writes.count == 3)
        writes.begin(x)
        _ = writes.finish(x, resourceVersion: "4")
        #expect(writes.count == 1)
        #expect(!writes.claim(x, resourceVersion: "1", otherwise: noNews))
    }
}

extension ControllerIntegrationTests {
    @Suite(.timeLimit(.minutes(1))) struct EchoTests {
        /// The number of reconciles (of requests and policies) the controller's metrics count.
        static func reconciles(_ harness: Harness) async -> Int {
            let line = await harness.controller.renderMetrics().split(separator: "\n")
                .first { $0.hasPrefix("elevator_reconcile_duration_seconds_count") }
            return line.flatMap { $0.split(separator: " ").last }.flatMap { Double($0) }.map { Int($0) } ?? -1
        }

        @Test(arguments: TestMesh.allCases) func aGrantTakesOneReconcileNotOneMoreForEachOfItsWritesEchoed(mesh: TestMesh) async throws {
            let harness = try await Harness(mesh: mesh)
            try await harness.installPolicy(
                approval: "    stages: [{name: oncall, groups: [payments-oncall], required: 1}]\n    autoApprove: {maxDuration: 10m}")
            try await Task.sleep(for: .milliseconds(500))  // the policy's own reconciles
            let before = await Self.reconciles(harness)
            _ = try await harness.request("inc-1", duration: "10m")
            try await harness.waitForPhase("inc-1", "Active")
            #expect(try await harness.get(harness.grantResource, "elevator-inc-1") != nil)
            // The echoes of the finalizer patch, the mesh object's apply and the status patch
            // have all come back by now; none of them is reconciled.
            try await Task.sleep(for: .milliseconds(500))
            let after = await Self.reconciles(harness)
            #expect(after - before == 1)
            await harness.stop()
        }
    }
}
