import Elevation
import Foundation
import YAML

/// One JSON line per transition, on stdout by default: the audit trail a log pipeline keeps.
///
/// Format (keys sorted, one object per line): `time`, `kind` (`audit`), `event` (the Event
/// reason), `type` (`Normal`/`Warning`), `namespace`, `request`, `uid`, `policy`, `requester`,
/// `subject`, `phase`, `expiresAt` (when set), `breakGlass`, `message`.
public struct AuditLog: Sendable {
    private let sink: @Sendable (String) -> Void

    /// An audit log writing each line to `sink`; by default standard output, flushed per line.
    public init(sink: @escaping @Sendable (String) -> Void = { FileHandle.standardOutput.write(Data(($0 + "\n").utf8)) }) {
        self.sink = sink
    }

    /// Writes the line for `event` of `request`, whose new status is `status`.
    func record(_ event: DecisionEvent, request: ElevationRequest, status: ElevationRequestStatus, at time: Date) {
        write(reason: event.reason, type: event.kind, message: event.message, request: request, status: status, at: time)
    }

    /// Writes a line for what the controller refused or repaired outside a transition (an
    /// `ApprovalIgnored` approval, a `MeshObjectRestored` object): an attempt worth keeping in
    /// the audit trail even though the request's phase did not change.
    func record(reason: String, type: DecisionEvent.Kind, message: String, request: ElevationRequest, at time: Date) {
        write(reason: reason, type: type, message: message, request: request, status: request.status ?? ElevationRequestStatus(), at: time)
    }

    private func write(
        reason: String, type: DecisionEvent.Kind, message: String, request: ElevationRequest,
        status: ElevationRequestStatus, at time: Date
    ) {
        var fields: [String: JSONValue] = [
            "time": .string(RFC3339.format(time)), "kind": .string("audit"), "event": .string(reason),
            "type": .string(type.rawValue), "namespace": .string(request.metadata.namespace ?? ""),
            "request": .string(request.metadata.name), "uid": .string(request.metadata.uid ?? ""),
            "policy": .string(request.spec.policy), "requester": .string(request.spec.requester.user),
            "subject": .string(request.spec.subject.display), "phase": .string((status.phase ?? .pending).rawValue),
            "breakGlass": .bool(request.spec.breakGlass == true), "message": .string(message),
        ]
        if let expiresAt = status.expiresAt { fields["expiresAt"] = .string(RFC3339.format(expiresAt)) }
        // JSONWriter sorts keys and leaves slashes alone, as the format needs, without Foundation's
        // encoder (a measurable share of a grant's CPU; see BENCHMARKS.md "Controller").
        sink(String(decoding: JSONWriter.encode(.object(fields)), as: UTF8.self))
    }
}
