import Foundation
import YAML

/// Accumulates one decision: starts from the request's current status and only ever overwrites
/// (never clears) its timestamps, moves condition transition times only on status changes, and
/// records an Event for each transition.
struct DecisionBuilder {
    let request: ElevationRequest
    let old: ElevationRequestStatus
    var status: ElevationRequestStatus
    var events: [DecisionEvent] = []
    var ignored: [IgnoredApproval] = []
    /// The decision time as precise as given, for comparisons.
    let now: Date
    /// The decision time in whole seconds, for what is written (`metav1.Time` keeps seconds).
    let stamp: Date

    init(request: ElevationRequest, now: Date) {
        self.request = request
        self.old = request.status ?? ElevationRequestStatus()
        self.status = old
        self.now = now
        self.stamp = Date(timeIntervalSince1970: now.timeIntervalSince1970.rounded(.down))
    }

    var oldConditions: [Condition] { old.conditions ?? [] }

    mutating func condition(_ type: String, _ value: Condition.Status, _ reason: String, _ message: String) {
        var conditions = status.conditions ?? []
        conditions.set(
            type, value, reason: reason, message: message, observedGeneration: request.metadata.generation, now: stamp)
        status.conditions = conditions
    }

    mutating func event(_ kind: DecisionEvent.Kind, _ reason: String, _ message: String, notify: Bool) {
        events.append(DecisionEvent(kind: kind, reason: reason, message: message, notify: notify))
    }

    /// Final `Denied`.
    mutating func deny(_ denial: Denial) -> Decision {
        status.phase = .denied
        if denial.reason == .approverDenied {
            condition("Approved", .false, denial.reason.rawValue, denial.message)
        } else {
            condition("Valid", .false, denial.reason.rawValue, denial.message)
        }
        condition("Granted", .false, "Denied", denial.message)
        event(.warning, "Denied", "\(denial.reason.rawValue): \(denial.message)", notify: true)
        return finish()
    }

    /// Final `Revoked`; mesh objects must go.
    mutating func revoke(_ reason: String, _ message: String, kind: DecisionEvent.Kind = .normal) -> Decision {
        status.phase = .revoked
        condition("Granted", .false, reason, message)
        event(kind, "Revoked", message, notify: kind == .warning)
        return finish()
    }

    /// Final `Expired`; mesh objects must go.
    mutating func expire(_ message: String) -> Decision {
        status.phase = .expired
        condition("Granted", .false, "Expired", message)
        event(.normal, "Expired", message, notify: false)
        return finish()
    }

    func finish(grant: Grant? = nil, meshObjects: [JSONValue] = [], nextReview: Date? = nil) -> Decision {
        Decision(
            status: status, grant: grant, meshObjects: grant == nil ? [] : meshObjects, events: events,
            nextReview: nextReview, ignoredApprovals: ignored, statusChanged: status != old)
    }
}

extension Grant {
    /// When the `ExpiringSoon` Event is due: two minutes before `expiresAt`, or half the window
    /// before it if the window is shorter than four minutes.
    static func warningTime(expiresAt: Date, window: TimeInterval) -> Date {
        expiresAt.addingTimeInterval(-min(120, max(0, window) / 2))
    }
}
