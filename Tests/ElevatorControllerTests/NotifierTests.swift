@testable import Elevation
import Foundation
import Prometheus
import Testing
import YAML

@testable import ElevatorController

/// The `--notify-url` sender on its own: the body, the queue bound, retries, and what it logs.
@Suite(.timeLimit(.minutes(1))) struct NotifierTests {
    static func notification(_ name: String, event: String = "Granted", kind: DecisionEvent.Kind = .normal) -> TransitionNotification {
        var meta = Elevation.ObjectMeta(name: name, namespace: "payments")
        meta.uid = "uid-\(name)"
        let request = ElevationRequest(
            metadata: meta,
            spec: ElevationRequestSpec(
                policy: "payments-debug", requester: Identity(user: "alice@example.com"),
                subject: Subject(serviceAccount: ServiceAccountRef(namespace: "tools", name: "debugger")),
                reason: "INC-1 stuck payouts"))
        var status = ElevationRequestStatus()
        status.phase = .active
        status.expiresAt = Date(timeIntervalSince1970: 1_800_000_000)
        return TransitionNotification(
            DecisionEvent(kind: kind, reason: event, message: "GET /admin/queue on app=payments", notify: true), request: request,
            status: status, at: Date(timeIntervalSince1970: 1_799_999_400))
    }

    static func counter(_ registry: PrometheusCollectorRegistry, _ line: String) -> Double? {
        registry.emitToString().split(separator: "\n").first { $0.hasPrefix(line + " ") }.flatMap { Double($0.split(separator: " ").last ?? "") }
    }

    @Test func theBodyIsSlackCompatibleAndCarriesTheStructuredFields() throws {
        let body = try JSONDecoder().decode(JSONValue.self, from: Self.notification("inc-1").body)
        #expect(body["text"]?.stringValue == "Elevator: payments/inc-1 Granted: tools/debugger for alice@example.com under payments-debug: GET /admin/queue on app=payments")
        let expected: [String: JSONValue] = [
            "event": "Granted", "type": "Normal", "namespace": "payments", "request": "inc-1", "uid": "uid-inc-1", "phase": "Active",
            "policy": "payments-debug", "subject": "tools/debugger", "requester": "alice@example.com", "reason": "INC-1 stuck payouts",
            "breakGlass": false, "message": "GET /admin/queue on app=payments", "expiresAt": "2027-01-15T08:00:00Z",
            "time": "2027-01-15T07:50:00Z",
        ]
        for (key, value) in expected { #expect(body[key] == value, "\(key)") }
        #expect(Self.notification("inc-2", event: "BreakGlass", kind: .warning).text.hasPrefix(":rotating_light: "))
    }

    @Test func aFullQueueDropsTheOldestAndCountsIt() {
        let registry = PrometheusCollectorRegistry()
        let notifier = Notifier(config: NotifierConfig(url: "http://127.0.0.1:9/x", capacity: 3), registry: registry, logger: CapturedLogs().logger)
        for index in 0..<5 { notifier.enqueue(Self.notification("inc-\(index)")) }
        #expect(notifier.pending == 3)
        #expect(Self.counter(registry, "elevator_notifications_dropped_total") == 2)
    }

    @Test func onlySchemeAndHostOfTheURLAreEverShown() {
        #expect(Notifier.redacted("https://hooks.slack.com/services/T0/B0/XyZsecret") == "https://hooks.slack.com")
        #expect(Notifier.redacted("https://user:pw@hooks.example.com:8443/a?token=s") == "https://hooks.example.com:8443")
    }

    /// A 500 answer is retried with back-off until it is accepted; failures and the final success
    /// are counted; no log line shows the URL's secret path.
    @Test func failuresAreRetriedCountedAndLoggedWithoutTheSecret() async throws {
        let receiver = try await NotificationReceiver(mode: .fail500)
        let registry = PrometheusCollectorRegistry()
        let logs = CapturedLogs()
        let notifier = Notifier(
            config: NotifierConfig(url: receiver.url, maxAttempts: 20, initialBackoff: .milliseconds(20), maxBackoff: .milliseconds(50), timeout: .seconds(2)),
            registry: registry, logger: logs.logger)
        let running = Task { await notifier.run() }
        notifier.enqueue(Self.notification("inc-1"))
        notifier.enqueue(Self.notification("inc-2"))
        try await waitFor("three failed attempts") { receiver.attempts >= 3 }
        receiver.set(.accept)
        // The receiver has a body before the notifier has read the answer and counted it.
        try await waitFor("both notifications, counted") {
            receiver.bodies.count == 2 && Self.counter(registry, "elevator_notifications_sent_total") == 2
        }
        #expect(receiver.bodies.map { $0["request"]?.stringValue } == ["inc-1", "inc-2"])
        #expect((Self.counter(registry, "elevator_notification_attempts_failed_total") ?? 0) >= 3)
        #expect(Self.counter(registry, "elevator_notifications_failed_total") == 0, "nothing was given up")
        #expect(logs.all.contains { $0.contains("HTTP 500") && $0.contains("receiver=http://127.0.0.1:") })
        #expect(!logs.all.contains { $0.contains("secret-token") })
        running.cancel()
        await running.value
        await receiver.stop()
    }

    @Test func drainWaitsUntilEverythingQueuedIsDelivered() async throws {
        let receiver = try await NotificationReceiver()
        let notifier = Notifier(config: NotifierConfig(url: receiver.url), registry: PrometheusCollectorRegistry(), logger: CapturedLogs().logger)
        let running = Task { await notifier.run() }
        for index in 0..<5 { notifier.enqueue(Self.notification("inc-\(index)")) }
        await notifier.drain(within: .seconds(5))
        #expect(receiver.bodies.map { $0["request"]?.stringValue } == (0..<5).map { "inc-\($0)" })
        running.cancel()
        await running.value
        await receiver.stop()
    }

    /// A receiver that never answers costs one timeout per attempt; after `maxAttempts` the
    /// notification is given up (counted) and the next one goes out.
    @Test func aHangingReceiverTimesOutAndTheNotificationIsGivenUp() async throws {
        let receiver = try await NotificationReceiver(mode: .hang)
        let registry = PrometheusCollectorRegistry()
        let logs = CapturedLogs()
        let notifier = Notifier(
            config: NotifierConfig(url: receiver.url, maxAttempts: 2, initialBackoff: .milliseconds(10), timeout: .milliseconds(200)),
            registry: registry, logger: logs.logger)
        let running = Task { await notifier.run() }
        notifier.enqueue(Self.notification("inc-lost"))
        try await waitFor("the notification to be given up") {
            Self.counter(registry, "elevator_notifications_failed_total") == 1
        }
        #expect(Self.counter(registry, "elevator_notification_attempts_failed_total") == 2)
        receiver.set(.accept)
        notifier.enqueue(Self.notification("inc-next"))
        try await waitFor("the next notification") { receiver.bodies.count == 1 }
        #expect(receiver.bodies.first?["request"]?.stringValue == "inc-next")
        #expect(!logs.all.contains { $0.contains("secret-token") })
        running.cancel()
        await running.value
        await receiver.stop()
    }
}
