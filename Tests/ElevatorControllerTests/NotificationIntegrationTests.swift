import ElevatorController
import Foundation
import Kube
import Testing
import YAML

extension ControllerIntegrationTests {
    /// `--notify-url` through the real controller: every transition that needs a person reaches
    /// an in-process receiver, in order; a receiver that hangs or fails slows no grant.
    @Suite(.timeLimit(.minutes(1))) struct NotificationIntegrationTests {
        static func options(_ url: String, timeout: Duration = .seconds(2)) -> ControllerOptions {
            ControllerOptions(
                allowUnverifiedIdentity: true, workers: 2,
                notify: NotifierConfig(
                    url: url, maxAttempts: 50, initialBackoff: .milliseconds(50), maxBackoff: .milliseconds(200), timeout: timeout))
        }

        @Test func everyTransitionThatNeedsAPersonArrivesInOrder() async throws {
            let receiver = try await NotificationReceiver()
            let harness = try await Harness(options: Self.options(receiver.url))
            try await harness.installPolicy(extra: "  breakGlass: {allowed: true, maxDuration: 30m}")
            let pending = try await harness.request("inc-60", duration: "30s")
            try await harness.waitForPhase("inc-60", "Pending")
            try await harness.apply(
                """
                apiVersion: elevator.dev/v1alpha1
                kind: ElevationApproval
                metadata: {name: inc-60-bob, namespace: payments}
                spec:
                  request: inc-60
                  requestUID: \(pending["metadata"]?["uid"]?.stringValue ?? "")
                  decision: Approve
                  approver: {user: bob@example.com, groups: [payments-oncall]}
                """, Harness.approvals)
            try await harness.waitForPhase("inc-60", "Active")
            _ = try await harness.request("inc-61", duration: "2h")
            try await harness.waitForPhase("inc-61", "Denied")
            _ = try await harness.request("inc-62", duration: "10m", breakGlass: true)
            try await harness.waitForPhase("inc-62", "Active")
            _ = try await harness.request("inc-63", duration: "2s")
            try await harness.waitForPhase("inc-63", "Expired", seconds: 8)
            let expected = [
                "inc-60 PendingApproval", "inc-60 Granted", "inc-61 Denied", "inc-62 BreakGlass", "inc-63 Granted", "inc-63 ExpiringSoon",
            ]
            try await waitFor("six notifications") { receiver.bodies.count >= expected.count }
            let got = receiver.bodies.map { "\($0["request"]?.stringValue ?? "") \($0["event"]?.stringValue ?? "")" }
            #expect(got == expected, "the receiver got \(got)")
            let granted = try #require(receiver.bodies.first { $0["request"] == "inc-60" && $0["event"] == "Granted" })
            #expect(granted["uid"] == pending["metadata"]?["uid"])
            #expect(granted["phase"] == "Active" && granted["policy"] == "payments-debug" && granted["subject"] == "tools/debugger")
            #expect(granted["requester"] == "alice@example.com" && granted["reason"] == "INC-1 stuck payouts")
            #expect(granted["expiresAt"]?.stringValue != nil)
            #expect(granted["text"]?.stringValue?.contains("payments/inc-60 Granted") == true)
            #expect(await harness.controller.renderMetrics().contains("elevator_notifications_sent_total 6"))
            await harness.stop()
            await receiver.stop()
        }

        /// Grant time (creation to Active, as a user polling sees it) for a few auto-approved
        /// requests with a receiver that accepts, hangs, or answers 500.
        static func grantTimes(_ mode: NotificationReceiver.Mode) async throws -> (times: [Duration], receiver: NotificationReceiver, harness: Harness) {
            let receiver = try await NotificationReceiver(mode: mode)
            let harness = try await Harness(options: Self.options(receiver.url, timeout: .seconds(1)))
            try await harness.installPolicy()
            var times: [Duration] = []
            for index in 0..<4 {
                _ = try await harness.request("inc-7\(index)", duration: "5s")
                times.append(try await harness.waitForPhase("inc-7\(index)", "Active"))
            }
            return (times, receiver, harness)
        }

        static func failures(_ metrics: String) -> Double {
            metrics.split(separator: "\n").first { $0.hasPrefix("elevator_notification_attempts_failed_total ") }
                .flatMap { Double($0.split(separator: " ").last ?? "") } ?? 0
        }

        @Test func aReceiverThatHangsOrFailsSlowsNoGrantAndLosesNoNotification() async throws {
            var measured: [String: [Duration]] = [:]
            for (label, mode) in [("accept", NotificationReceiver.Mode.accept), ("hang", .hang), ("500", .fail500)] {
                let (times, receiver, harness) = try await Self.grantTimes(mode)
                measured[label] = times
                // Nothing was lost while the receiver misbehaved: the grants are all Active, and
                // once it answers again every Granted notification arrives, in order.
                for index in 0..<4 { #expect(try await harness.phase("inc-7\(index)") == "Active") }
                if mode != .accept {
                    // Long enough for at least one attempt to time out or fail, and be retried.
                    try await waitFor("a failed attempt") {
                        Self.failures(await harness.controller.renderMetrics()) > 0
                    }
                }
                receiver.set(.accept)
                try await waitFor("the queued notifications of \(label)", seconds: 20) {
                    receiver.bodies.filter { $0["event"] == "Granted" }.count == 4
                }
                let order = receiver.bodies.filter { $0["event"] == "Granted" }.compactMap { $0["request"]?.stringValue }
                #expect(order == (0..<4).map { "inc-7\($0)" })
                await harness.stop()
                await receiver.stop()
            }
            func worst(_ label: String) -> Duration { measured[label]?.max() ?? .zero }
            print("measured: creation to Active with a receiver that accepts \(measured["accept"] ?? []), hangs \(measured["hang"] ?? []), answers 500 \(measured["500"] ?? [])")
            // A hanging POST lasts 1 s per attempt; no grant waited for one.
            #expect(worst("hang") < .milliseconds(500), "grants waited for the hanging receiver")
            #expect(worst("500") < .milliseconds(500), "grants waited for the failing receiver")
        }
    }
}
