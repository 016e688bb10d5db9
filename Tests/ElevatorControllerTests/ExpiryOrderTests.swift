import Elevation
@testable import ElevatorController
import Foundation
import Kube
import Synchronization
import Testing
import YAML

extension ControllerIntegrationTests {
    /// Revocation comes first: expiries are handed out ahead of other work, and a withdrawal
    /// deletes the grant's objects in a first pass, before any of the same burst spends round
    /// trips on its status and Event (see BENCHMARKS.md, "Controller").
    @Suite(.timeLimit(.minutes(1))) struct ExpiryOrderTests {
        /// What the test's watches saw, in the API server's order (resourceVersion).
        final class Seen: Sendable {
            struct Change: Sendable {
                var version: Int
                var what: String
                var name: String
                var expiresAt: String?
            }
            let changes = Mutex<[Change]>([])
            func add(_ change: Change) { changes.withLock { $0.append(change) } }
            var all: [Change] { changes.withLock { $0 } }
        }

        static func watch(_ harness: Harness, _ resource: Kube.ResourceType, from version: String?, into seen: Seen) -> Task<Void, Never> {
            let client = harness.client
            return Task {
                do {
                    for try await event in client.watch(JSONValue.self, resource, namespace: "payments", options: WatchOptions(resourceVersion: version)) {
                        switch event {
                        case .modified(let object) where object["status"]?["phase"]?.stringValue == "Expired":
                            seen.add(.init(
                                version: Int(object["metadata"]?["resourceVersion"]?.stringValue ?? "") ?? 0, what: "expired",
                                name: object["metadata"]?["name"]?.stringValue ?? "", expiresAt: object["status"]?["expiresAt"]?.stringValue))
                        case .deleted(let object):
                            seen.add(.init(
                                version: Int(object["metadata"]?["resourceVersion"]?.stringValue ?? "") ?? 0, what: "deleted",
                                name: String((object["metadata"]?["name"]?.stringValue ?? "").dropFirst("elevator-".count))))
                        default: break
                        }
                    }
                } catch {}
            }
        }

        @Test func aBurstOfExpiriesDeletesEveryGrantBeforeWritingAnyExpiredStatus() async throws {
            // One worker: the order is then the work queue's alone.
            let harness = try await Harness(options: ControllerOptions(allowUnverifiedIdentity: true, workers: 1))
            try await harness.installPolicy()
            let names = (0..<10).map { "inc-7\($0)" }
            for name in names { _ = try await harness.request(name, duration: "4s") }
            for name in names { try await harness.waitForPhase(name, "Active") }
            let version = try await harness.client.list(JSONValue.self, Harness.requests, namespace: "payments").metadata.resourceVersion
            let seen = Seen()
            let watches = [
                Self.watch(harness, Harness.requests, from: version, into: seen),
                Self.watch(harness, Harness.authorizationPolicies, from: version, into: seen),
            ]
            for name in names { try await harness.waitForPhase(name, "Expired", seconds: 10) }
            try await waitFor("every delete and Expired status seen") { seen.all.count >= 2 * names.count }
            for watch in watches { watch.cancel() }
            let changes = seen.all
            var expiresAt: [String: String] = [:]
            for change in changes where change.what == "expired" { expiresAt[change.name] = change.expiresAt }
            #expect(Set(changes.filter { $0.what == "deleted" }.map(\.name)) == Set(names), "each grant's object deleted once")
            // Per second of expiry (the controller writes whole seconds): every delete of the
            // group comes before the first Expired status of the group.
            let groups = Dictionary(grouping: changes) { expiresAt[$0.name] ?? "" }
            #expect(groups.values.contains { $0.count >= 4 }, "the grants expire together")
            for (second, group) in groups {
                let lastDelete = group.filter { $0.what == "deleted" }.map(\.version).max() ?? 0
                let firstStatus = group.filter { $0.what == "expired" }.map(\.version).min() ?? .max
                #expect(lastDelete < firstStatus, "expiring at \(second): a status was written before every grant was revoked")
            }
            try await waitFor("the Expired Events") {
                let reasons = try await harness.events(about: names[0])
                return reasons.contains("Expired")
            }
            await harness.stop()
        }
    }
}
