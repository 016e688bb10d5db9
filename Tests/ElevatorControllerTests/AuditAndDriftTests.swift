@testable import Elevation
import Foundation
import Testing
import YAML

@testable import ElevatorController

/// The pure parts of the controller: the audit line and when a managed object counts as drifted.
@Suite struct AuditAndDriftTests {
    @Test func anAuditLineIsOneSortedJSONObjectWithTheTransition() throws {
        let lines = Lines()
        let log = AuditLog(sink: { lines.append($0) })
        var meta = Elevation.ObjectMeta(name: "inc-1", namespace: "payments")
        meta.uid = "u-1"
        let request = ElevationRequest(
            metadata: meta,
            spec: ElevationRequestSpec(
                policy: "payments-debug", requester: Identity(user: "alice@example.com"),
                subject: Subject(serviceAccount: ServiceAccountRef(namespace: "tools", name: "debugger"))))
        var status = ElevationRequestStatus()
        status.phase = .active
        status.expiresAt = Date(timeIntervalSince1970: 1_800_000_000)
        log.record(
            DecisionEvent(kind: .normal, reason: "Granted", message: "GET /admin/queue", notify: true), request: request,
            status: status, digest: request.transitionDigest("Granted"), at: Date(timeIntervalSince1970: 1_799_999_400))
        let line = try #require(lines.all.first)
        #expect(lines.all.count == 1)
        #expect(!line.contains("\n"))
        let object = try JSONDecoder().decode(JSONValue.self, from: Data(line.utf8))
        #expect(object["event"]?.stringValue == "Granted")
        #expect(object["phase"]?.stringValue == "Active")
        #expect(object["kind"]?.stringValue == "audit")
        #expect(object["requester"]?.stringValue == "alice@example.com")
        #expect(object["subject"]?.stringValue == "tools/debugger")
        #expect(object["expiresAt"]?.stringValue == "2027-01-15T08:00:00Z")
        #expect(object["time"]?.stringValue == "2027-01-15T07:50:00Z")
        #expect(line.hasPrefix(#"{"breakGlass":false,"event":"Granted""#))
        let id = try #require(object["id"]?.stringValue)
        #expect(id.hasPrefix("u-1/Granted/") && id.count == "u-1/Granted/".count + 16, "\(id)")
    }

    static func request(uid: String = "u-1", generation: Int64 = 1, phase: RequestPhase? = .pending) -> ElevationRequest {
        var meta = Elevation.ObjectMeta(name: "inc-1", namespace: "payments", uid: uid, generation: generation)
        meta.resourceVersion = "41"
        var request = ElevationRequest(
            metadata: meta,
            spec: ElevationRequestSpec(
                policy: "payments-debug", requester: Identity(user: "alice@example.com"),
                subject: Subject(serviceAccount: ServiceAccountRef(namespace: "tools", name: "debugger"))))
        var status = ElevationRequestStatus()
        status.phase = phase
        request.status = phase == nil ? nil : status
        return request
    }

    /// The id a consumer de-duplicates by: the same transition decided again from the same stored
    /// request (a retry, a restart) has the same digest; anything that makes it another
    /// transition changes it.
    @Test func theTransitionDigestIsStableForARetryAndDiffersForAnyOtherTransition() {
        let base = Self.request()
        let digest = base.transitionDigest("Granted")
        #expect(digest.count == 16 && digest.allSatisfy(\.isHexDigit))
        var retried = base
        retried.metadata.resourceVersion = "42"  // the finalizer or a label changed in between
        retried.metadata.labels = ["team": "payments"]
        #expect(retried.transitionDigest("Granted") == digest)
        #expect(ElevationRequest(metadata: base.metadata, spec: base.spec, status: base.status).transitionDigest("Granted") == digest)
        let others = [
            base.transitionDigest("Expired"), Self.request(uid: "u-2").transitionDigest("Granted"),
            Self.request(generation: 2).transitionDigest("Granted"), Self.request(phase: nil).transitionDigest("Granted"),
            Self.request(phase: .active).transitionDigest("Granted"),
        ]
        #expect(Set(others + [digest]).count == others.count + 1)
    }

    static let desired: JSONValue = .object([
        "metadata": .object([
            "name": .string("elevator-inc-1"),
            "labels": .object(["app.kubernetes.io/managed-by": .string("elevator")]),
            "annotations": .object(["elevator.dev/request-uid": .string("u-1")]),
        ]),
        "spec": .object(["action": .string("ALLOW")]),
    ])

    static func edited(_ change: (inout [String: JSONValue], inout [String: JSONValue]) -> Void) -> JSONValue {
        guard case .object(var top) = desired, case .object(var metadata)? = top["metadata"] else { return desired }
        change(&top, &metadata)
        top["metadata"] = .object(metadata)
        return .object(top)
    }

    @Test(arguments: [
        ("unchanged, with fields the API server adds", edited { _, meta in meta["uid"] = .string("x"); meta["resourceVersion"] = .string("9") }, true),
        ("someone else's extra label", edited { _, meta in meta["labels"] = .object(["app.kubernetes.io/managed-by": .string("elevator"), "team": .string("x")]) }, true),
        ("spec widened", edited { top, _ in top["spec"] = .object(["action": .string("ALLOW"), "rules": .array([.object([:])])]) }, false),
        ("label removed", edited { _, meta in meta["labels"] = .object([:]) }, false),
        ("annotation changed", edited { _, meta in meta["annotations"] = .object(["elevator.dev/request-uid": .string("other")]) }, false),
    ])
    func aManagedObjectIsPutBackOnlyWhenWhatElevatorSetChanged(_ name: String, current: JSONValue, covered: Bool) {
        for backend in MeshBackends.all() {
            #expect(backend.matches(live: current, desired: Self.desired) == covered, "\(name) (\(backend.mesh))")
        }
    }
}
