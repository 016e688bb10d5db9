import Foundation
import Testing

@testable import Elevation

/// One Denied case: the inputs, the reason, and fragments the message must contain (the value
/// and the limit).
struct DenialCase: Sendable, CustomTestStringConvertible {
    let reason: DenialReason
    let policy: ElevationPolicy?
    let request: ElevationRequest
    var approvals: [ElevationApproval] = []
    var active: [ElevationRequest] = []
    let fragments: [String]
    /// The backends the controller has (a mesh whose CRDs the cluster lacks has none).
    var backends: [any MeshBackend] = MeshBackends.all()
    var testDescription: String { reason.rawValue }
}

@Suite struct DenialTests {
    static func activeRequest(name: String, uid: String, user: String) -> ElevationRequest {
        var request = Fixture.request(name: name, uid: uid, user: user)
        var status = ElevationRequestStatus()
        status.phase = .active
        status.grantedAt = Fixture.at(0)
        status.expiresAt = Fixture.at(600)
        request.status = status
        return request
    }

    static let cases: [DenialCase] = [
        DenialCase(
            reason: .policyNotFound, policy: nil, request: Fixture.request(),
            fragments: ["ElevationPolicy payments-debug does not exist in namespace payments"]),
        DenialCase(
            reason: .policyNotReady, policy: Fixture.policy { $0.rules[0].paths = ["/a*b"] }, request: Fixture.request(),
            fragments: ["spec.rules[0].paths[0]", "\"/a*b\""]),
        DenialCase(
            reason: .policySuspended, policy: Fixture.policy { $0.suspended = true }, request: Fixture.request(),
            fragments: ["payments-debug is suspended"]),
        DenialCase(
            reason: .requesterNotAllowed, policy: Fixture.policy { $0.requesters = Requesters(users: ["ci@example.com"], groups: ["sre"]) },
            request: Fixture.request(), fragments: ["alice@example.com (groups payments-oncall)", "users: ci@example.com", "groups: sre"]),
        DenialCase(
            reason: .subjectNotAllowed, policy: Fixture.policy(),
            request: Fixture.request { $0.subject = .serviceAccount("tools", "intruder") },
            fragments: ["tools/intruder", "tools/debugger, ops/*"]),
        DenialCase(
            reason: .subjectNotAllowed, policy: Fixture.policy(),
            request: Fixture.request { $0.subject = .serviceAccount("ops", "*") }, fragments: ["only for policies"]),
        DenialCase(
            reason: .ruleNotAllowed, policy: Fixture.policy(),
            request: Fixture.request { $0.rules = [AccessRule(ports: ["8080"], methods: ["DELETE"], paths: ["/admin/queue"])] },
            fragments: ["spec.rules[0] (DELETE /admin/queue port 8080)", "GET,POST /admin/*,/debug/pprof/* port 8080"]),
        DenialCase(
            reason: .invalidDuration, policy: Fixture.policy(), request: Fixture.request { $0.duration = "ten minutes" },
            fragments: ["spec.duration", "\"ten minutes\" is not a duration"]),
        DenialCase(
            reason: .durationTooLong, policy: Fixture.policy(), request: Fixture.request { $0.duration = "2h" },
            fragments: ["spec.duration 2h", "maxDuration 1h"]),
        DenialCase(
            reason: .durationTooLong, policy: Fixture.policy { $0.breakGlass = BreakGlassPolicy(allowed: true, maxDuration: "30m") },
            request: Fixture.request { $0.duration = "45m"; $0.breakGlass = true },
            fragments: ["spec.duration 45m", "breakGlass.maxDuration 30m"]),
        DenialCase(
            reason: .reasonRequired, policy: Fixture.policy(), request: Fixture.request { $0.reason = "  " },
            fragments: ["spec.reason is empty", "requires a reason"]),
        DenialCase(
            reason: .maxActiveGrants, policy: Fixture.policy(stages: []) { $0.maxActiveGrants = 1 }, request: Fixture.request(),
            active: [activeRequest(name: "other", uid: "u2", user: "bob@example.com")],
            fragments: ["already has 1 active grants", "maxActiveGrants is 1"]),
        DenialCase(
            reason: .maxActivePerRequester, policy: Fixture.policy(stages: []) { $0.maxActivePerRequester = 1 },
            request: Fixture.request(), active: [activeRequest(name: "mine", uid: "u2", user: "alice@example.com")],
            fragments: ["alice@example.com already has 1 active grants", "maxActivePerRequester is 1"]),
        DenialCase(
            reason: .extendsInvalid, policy: Fixture.policy(), request: Fixture.request { $0.extends = "nope" },
            fragments: ["spec.extends names nope", "not an Active request"]),
        DenialCase(
            reason: .extendsInvalid, policy: Fixture.policy(),
            request: Fixture.request { $0.extends = "old"; $0.subject = .serviceAccount("ops", "x") },
            active: [activeRequest(name: "old", uid: "u2", user: "alice@example.com")], fragments: ["subject or rules differ"]),
        DenialCase(
            reason: .breakGlassNotAllowed, policy: Fixture.policy(), request: Fixture.request { $0.breakGlass = true },
            fragments: ["spec.breakGlass is true", "does not allow break-glass"]),
        DenialCase(
            reason: .approverDenied, policy: Fixture.policy(), request: Fixture.request(),
            approvals: [
                ElevationApproval(
                    metadata: ObjectMeta(name: "no", namespace: "payments", creationTimestamp: Fixture.at(30)),
                    spec: ElevationApprovalSpec(
                        request: "inc-1234-debug", requestUID: "req-uid-1", decision: .deny,
                        approver: Identity(user: "bob@example.com", groups: ["payments-oncall"]), comment: "not now"))
            ],
            fragments: ["bob@example.com (stage oncall) denied the request: not now"]),
        DenialCase(
            reason: .specChanged, policy: Fixture.policy(),
            request: {
                var request = Fixture.request()
                var status = ElevationRequestStatus()
                status.phase = .pending
                status.specHash = "sha256:0000"
                request.status = status
                return request
            }(), fragments: ["recorded sha256:0000", "now sha256:"]),
        DenialCase(
            reason: .unsupportedMesh,
            policy: Fixture.policy {
                $0.mesh = .linkerd
                $0.target = PolicyTarget(linkerdServer: "payments-http")
                $0.rules = [AccessRule(ports: ["8080"])]
            },
            request: Fixture.request { $0.rules = nil }, fragments: ["mesh linkerd"], backends: [IstioBackend()]),
    ]

    @Test(arguments: cases)
    func deniedWithAMessageNamingValueAndLimit(_ scenario: DenialCase) {
        let decision = decide(
            request: scenario.request, policy: scenario.policy, approvals: scenario.approvals,
            activeGrants: scenario.active, now: Fixture.at(120), environment: DecisionEnvironment(backends: scenario.backends))
        #expect(decision.status.phase == .denied)
        #expect(decision.grant == nil && decision.meshObjects.isEmpty)
        let conditions = decision.status.conditions ?? []
        let granted = conditions[type: "Granted"]
        #expect(granted?.status == .false && granted?.reason == "Denied")
        let reasonCondition = scenario.reason == .approverDenied ? conditions[type: "Approved"] : conditions[type: "Valid"]
        #expect(reasonCondition?.reason == scenario.reason.rawValue)
        for fragment in scenario.fragments {
            #expect(granted?.message.contains(fragment) == true, "\(granted?.message ?? "") lacks \(fragment)")
        }
        #expect(decision.events.map(\.reason) == ["Denied"])
        #expect(decision.events.first?.kind == .warning && decision.events.first?.notify == true)
        #expect(decision.nextReview == nil)
    }

    @Test func everyDenialReasonHasACase() {
        let covered = Set(Self.cases.map(\.reason))
        #expect(covered == Set(DenialReason.allCases))
    }

    @Test func deniedIsFinal() {
        let first = decide(request: Fixture.request(), policy: nil, approvals: [], activeGrants: [], now: Fixture.at(1))
        let denied = Fixture.applying(first, to: Fixture.request())
        let later = decide(
            request: denied, policy: Fixture.policy(stages: []), approvals: [], activeGrants: [], now: Fixture.at(100))
        #expect(later.status == first.status)
        #expect(!later.statusChanged && later.events.isEmpty && later.grant == nil)
    }
}

@Suite struct ApproverDenialRecordTests {
    @Test func theDenyThatCountedIsRecorded() {
        let deny = Fixture.approval("bob@example.com", decision: .deny, at: Fixture.at(30))
        let decision = decide(request: Fixture.request(), policy: Fixture.policy(), approvals: [deny], activeGrants: [], now: Fixture.at(40))
        #expect(decision.status.approvals == [ApprovalRecord(approver: "bob@example.com", stage: "oncall", decision: .deny, at: Fixture.at(30))])
    }
}
