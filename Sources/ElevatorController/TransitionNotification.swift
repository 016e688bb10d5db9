import Elevation
import Foundation
import YAML

/// One notification for `--notify-url`: a transition a person should hear about (pending
/// approval, granted, break-glass, expiring soon, denied, and revocations that were not asked
/// for), as a Slack-compatible JSON body.
///
/// Body (keys sorted): `text` (one line for chat, Slack's incoming-webhook field), `event` (the
/// Event reason: `PendingApproval`, `Granted`, `BreakGlass`, `ExpiringSoon`, `Denied`,
/// `Revoked`), `type` (`Normal`/`Warning`), `namespace`, `request`, `uid`, `phase`, `policy`,
/// `subject`, `requester`, `reason` (the request's own reason), `breakGlass`, `message`, `time`,
/// and `expiresAt` when set (the grant's end, or the approval deadline while Pending).
public struct TransitionNotification: Sendable, Equatable {
    public var event: String
    public var type: String
    public var namespace: String
    public var request: String
    public var uid: String
    public var phase: String
    public var policy: String
    public var subject: String
    public var requester: String
    public var reason: String
    public var breakGlass: Bool
    public var message: String
    public var time: Date
    public var expiresAt: Date?

    /// The notification for `event` of `request`, whose new status is `status`.
    init(_ event: DecisionEvent, request: ElevationRequest, status: ElevationRequestStatus, at time: Date) {
        self.event = event.reason
        self.type = event.kind.rawValue
        self.namespace = request.metadata.namespace ?? ""
        self.request = request.metadata.name
        self.uid = request.metadata.uid ?? ""
        self.phase = (status.phase ?? .pending).rawValue
        self.policy = request.spec.policy
        self.subject = request.spec.subject.display
        self.requester = request.spec.requester.user
        self.reason = request.spec.reason ?? ""
        self.breakGlass = request.spec.breakGlass == true
        self.message = event.message
        self.time = time
        self.expiresAt = status.expiresAt
    }

    /// `Elevator: payments/inc-1234-debug Granted: tools/debugger for alice@example.com under
    /// payments-debug: <message>`; break-glass and denials are marked so they stand out in chat.
    public var text: String {
        let marker = event == "BreakGlass" ? ":rotating_light: " : (type == "Warning" ? ":warning: " : "")
        return "\(marker)Elevator: \(namespace)/\(request) \(event): \(subject) for \(requester) under \(policy): \(message)"
    }

    /// The JSON body that is POSTed.
    public var body: Data {
        var fields: [String: JSONValue] = [
            "text": .string(text), "event": .string(event), "type": .string(type), "namespace": .string(namespace),
            "request": .string(request), "uid": .string(uid), "phase": .string(phase), "policy": .string(policy),
            "subject": .string(subject), "requester": .string(requester), "reason": .string(reason),
            "breakGlass": .bool(breakGlass), "message": .string(message), "time": .string(RFC3339.format(time)),
        ]
        if let expiresAt { fields["expiresAt"] = .string(RFC3339.format(expiresAt)) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(JSONValue.object(fields))) ?? Data()
    }
}
