@testable import ElevatorController
import Foundation
import Kube
import Testing

/// Which changes to a request the work queue serves first (see `ReconcilePriority`): an expiry
/// that has come before anything, new and changed requests before the confirmation of settled
/// ones, and a settled grant still gets its expiry on time.
@Suite struct ReconcilePriorityTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    /// A request as the API server would send it: `generation` 2, the given status.
    static func request(phase: String?, observed: Int? = 2, expiresIn: Double? = nil, deleting: Bool = false) throws -> RequestObject {
        var status: [String: Any] = [:]
        if let phase { status["phase"] = phase }
        if let observed { status["observedGeneration"] = observed }
        if let expiresIn {
            let format = ISO8601DateFormatter()
            status["grantedAt"] = format.string(from: now.addingTimeInterval(-60))
            status["expiresAt"] = format.string(from: now.addingTimeInterval(expiresIn))
        }
        var metadata: [String: Any] = ["name": "inc-1", "namespace": "payments", "uid": "u-1", "generation": 2, "resourceVersion": "7"]
        if deleting { metadata["deletionTimestamp"] = "2027-01-15T08:00:00Z" }
        let object: [String: Any] = [
            "apiVersion": "elevator.dev/v1alpha1", "kind": "ElevationRequest", "metadata": metadata,
            "spec": [
                "policy": "payments-debug", "requester": ["user": "alice"],
                "subject": ["serviceAccount": ["namespace": "tools", "name": "debugger"]], "duration": "1h",
            ],
            "status": status,
        ]
        return try JSONDecoder().decode(RequestObject.self, from: JSONSerialization.data(withJSONObject: object))
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var label: String
        var phase: String?
        var observed: Int? = 2
        var expiresIn: Double?
        var deleting = false
        var priority: ReconcilePriority.Priority
        var schedulesExpiry: Bool
        var testDescription: String { label }
    }

    @Test(arguments: [
        Case(label: "new request", phase: nil, observed: nil, priority: .normal, schedulesExpiry: false),
        Case(label: "pending, waiting for approval", phase: "Pending", priority: .normal, schedulesExpiry: false),
        Case(label: "active, settled", phase: "Active", expiresIn: 600, priority: .background, schedulesExpiry: true),
        Case(label: "active, expiry passed", phase: "Active", expiresIn: -1, priority: .urgent, schedulesExpiry: false),
        Case(label: "active, spec changed", phase: "Active", observed: 1, expiresIn: 600, priority: .normal, schedulesExpiry: true),
        Case(label: "active, being deleted", phase: "Active", expiresIn: 600, deleting: true, priority: .normal, schedulesExpiry: true),
        Case(label: "expired, settled", phase: "Expired", priority: .background, schedulesExpiry: false),
        Case(label: "revoked, generation not observed", phase: "Revoked", observed: nil, priority: .background, schedulesExpiry: false),
        Case(label: "denied, being deleted", phase: "Denied", deleting: true, priority: .normal, schedulesExpiry: false),
    ])
    func priorityOfAChange(_ example: Case) throws {
        let object = try Self.request(phase: example.phase, observed: example.observed, expiresIn: example.expiresIn, deleting: example.deleting)
        let plan = ReconcilePriority(object, now: Self.now)
        #expect(plan.priority == example.priority)
        #expect((plan.expiry != nil) == example.schedulesExpiry)
        if let expiry = plan.expiry, let expiresIn = example.expiresIn {
            #expect(abs(expiry.timeIntervalSince(Self.now) - expiresIn) < 1)
        }
    }
}
