import Elevation
@testable import ElevatorController
import Foundation
import Testing
import YAML

/// The status merge patch a transition sends.
@Suite struct StatusPatchTests {
    @Test func theStatusPatchIsTheJSONFoundationsEncoderWrites() throws {
        var status = ElevationRequestStatus()
        status.phase = .active
        status.observedGeneration = 1
        status.grantedAt = Date(timeIntervalSince1970: 1_796_000_000)
        status.expiresAt = Date(timeIntervalSince1970: 1_796_003_600)
        status.specHash = "9f2c"
        status.approvals = [ApprovalRecord(approver: "bob@example.com", stage: "oncall", decision: .approve, at: Date(timeIntervalSince1970: 1_795_999_990))]
        status.grant = [ObjectReference(apiVersion: "security.istio.io/v1", kind: "AuthorizationPolicy", name: "elevator-inc-1")]
        status.conditions = [
            Condition(type: "Granted", status: .true, reason: "Approved", message: "GET /admin/queue until 11:00:00Z",
                      observedGeneration: 1, lastTransitionTime: Date(timeIntervalSince1970: 1_796_000_000)),
        ]
        let patch = try Reconciler.statusPatch(status)
        let reference = try JSONEncoder().encode(["status": status])
        #expect(try JSONParser.parse(Array(patch)) == (try JSONParser.parse(Array(reference))))
        let text = String(decoding: patch, as: UTF8.self)
        #expect(text.hasPrefix(#"{"status":{"approvals":[{"approver":"bob@example.com""#))
        #expect(text.contains(#""expiresAt":"2026-11-30T01:53:20Z""#))
        #expect(text.contains(#""apiVersion":"security.istio.io/v1""#))

        // A policy's status goes the same way.
        let policyStatus = ElevationPolicyStatus(observedGeneration: 3, activeGrants: 2, conditions: status.conditions)
        #expect(try JSONParser.parse(Array(try Reconciler.statusPatch(policyStatus)))
            == (try JSONParser.parse(Array(try JSONEncoder().encode(["status": policyStatus])))))
    }
}
