import Elevation
import Foundation
import YAML

/// One JSON line per transition, on stdout by default: the audit trail a log pipeline keeps.
///
/// Format (keys sorted, one object per line): `time`, `kind` (`audit`), `event` (the Event
/// reason), `type` (`Normal`/`Warning`), `namespace`, `request`, `uid`, `policy`, `requester`,
/// `subject`, `phase`, `expiresAt` (when set), `breakGlass`, `message`, `id`.
///
/// Delivery is at least once: a transition's line is written after its mesh objects and before
/// its status, so a crash or a failed status write makes the next attempt write it again. Every
/// repeat carries the same `id` (`<uid>/<event>/<16 hex digits>`, see
/// `ElevationRequest.transitionDigest`); a consumer keeps one line per `id`, the last one.
public struct AuditLog: Sendable {
    private let sink: @Sendable (String) -> Void

    /// An audit log writing each line to `sink`; by default standard output, flushed per line.
    public init(sink: @escaping @Sendable (String) -> Void = { FileHandle.standardOutput.write(Data(($0 + "\n").utf8)) }) {
        self.sink = sink
    }

    /// Writes the line for `event` of `request`, whose new status is `status`; `digest` is
    /// `request.transitionDigest(event.reason)` of the request as stored when `decide` ran.
    func record(
        _ event: DecisionEvent, request: ElevationRequest, status: ElevationRequestStatus, digest: String, at time: Date
    ) {
        write(
            reason: event.reason, type: event.kind, message: event.message, request: request, status: status,
            id: "\(request.metadata.uid ?? "")/\(event.reason)/\(digest)", at: time)
    }

    /// Writes a line for what the controller refused or repaired outside a transition (an
    /// `ApprovalIgnored` approval, a `MeshObjectRestored` object): an attempt worth keeping in
    /// the audit trail even though the request's phase did not change. `occurrence` completes
    /// the `id` (`<uid>/<reason>/<occurrence>`): the approval's name, say, so that the report of
    /// the same ignored approval after a restart carries the same `id`.
    func record(
        reason: String, type: DecisionEvent.Kind, message: String, request: ElevationRequest, occurrence: String, at time: Date
    ) {
        write(
            reason: reason, type: type, message: message, request: request, status: request.status ?? ElevationRequestStatus(),
            id: "\(request.metadata.uid ?? "")/\(reason)/\(occurrence)", at: time)
    }

    private func write(
        reason: String, type: DecisionEvent.Kind, message: String, request: ElevationRequest,
        status: ElevationRequestStatus, id: String, at time: Date
    ) {
        var fields: [String: JSONValue] = [
            "time": .string(RFC3339.format(time)), "kind": .string("audit"), "event": .string(reason),
            "type": .string(type.rawValue), "namespace": .string(request.metadata.namespace ?? ""),
            "request": .string(request.metadata.name), "uid": .string(request.metadata.uid ?? ""),
            "policy": .string(request.spec.policy), "requester": .string(request.spec.requester.user),
            "subject": .string(request.spec.subject.display), "phase": .string((status.phase ?? .pending).rawValue),
            "breakGlass": .bool(request.spec.breakGlass == true), "message": .string(message),
            "id": .string(id),
        ]
        if let expiresAt = status.expiresAt { fields["expiresAt"] = .string(RFC3339.format(expiresAt)) }
        // JSONWriter sorts keys and leaves slashes alone, as the format needs, without Foundation's
        // encoder (a measurable share of a grant's CPU; see BENCHMARKS.md "Controller").
        sink(String(decoding: JSONWriter.encode(.object(fields)), as: UTF8.self))
    }
}
