import Foundation
import Testing

@testable import Elevation

@Suite struct DecideTransitionTests {
    let policy = Fixture.policy()
    let bob = Fixture.approval("bob@example.com")

    func run(
        _ request: ElevationRequest, policy: ElevationPolicy?, approvals: [ElevationApproval] = [],
        active: [ElevationRequest] = [], at seconds: Double, environment: DecisionEnvironment = DecisionEnvironment()
    ) -> (Decision, ElevationRequest) {
        let decision = decide(
            request: request, policy: policy, approvals: approvals, activeGrants: active, now: Fixture.at(seconds),
            environment: environment)
        return (decision, Fixture.applying(decision, to: request))
    }

    @Test func newRequestWaitsForApprovalUntilTheDeadline() {
        let (decision, _) = run(Fixture.request(), policy: policy, at: 5)
        #expect(decision.status.phase == .pending)
        #expect(decision.status.expiresAt == Fixture.at(3600))
        #expect(decision.nextReview == Fixture.at(3600))
        #expect(decision.grant == nil)
        #expect(decision.events.map(\.reason) == ["PendingApproval"])
        #expect(decision.status.conditions?[type: "Approved"]?.message.contains("oncall needs 1 more") == true)
        #expect(decision.status.specHash == Fixture.request().spec.specHash)
    }

    @Test func theSpecIsHashedAgainOnlyForAGenerationNotObservedYet() {
        let (_, pending) = run(Fixture.request(), policy: policy, at: 5)
        // The same generation as observed: the recorded hash stands for this spec (the API server
        // moves the generation on every spec change), so it is not computed again.
        var sameGeneration = pending
        sameGeneration.status?.specHash = "sha256:recorded-for-generation-1"
        let (kept, _) = run(sameGeneration, policy: policy, at: 30)
        #expect(kept.status.phase == .pending && kept.status.specHash == "sha256:recorded-for-generation-1")
        // A newer generation is hashed and checked against the recorded hash.
        var newer = sameGeneration
        newer.metadata.generation = 2
        let (checked, _) = run(newer, policy: policy, at: 30)
        #expect(checked.status.phase == .denied)
        #expect(checked.status.conditions?[type: "Valid"]?.reason == "SpecChanged")
    }

    @Test func pendingRequestIsNotReannouncedWhenNothingChanged() {
        let (_, pending) = run(Fixture.request(), policy: policy, at: 5)
        let (again, _) = run(pending, policy: policy, at: 30)
        #expect(again.events.isEmpty)
        #expect(!again.statusChanged)
    }

    @Test func approvalGrantsWithTheWindowStartingAtTheGrant() throws {
        let (_, pending) = run(Fixture.request(), policy: policy, at: 5)
        let (decision, active) = run(pending, policy: policy, approvals: [bob], at: 300.7)
        #expect(decision.status.phase == .active)
        #expect(decision.status.grantedAt == Fixture.at(300))
        #expect(decision.status.expiresAt == Fixture.at(900))
        #expect(decision.nextReview == Fixture.at(780))
        #expect(decision.status.approvals == [ApprovalRecord(approver: "bob@example.com", stage: "oncall", decision: .approve, at: Fixture.at(60))])
        #expect(decision.events.map(\.reason) == ["Granted"])
        let grant = try #require(decision.grant)
        #expect(grant.rules == [AccessRule(ports: ["8080"], methods: ["GET"], paths: ["/admin/queue"])])
        #expect(decision.status.conditions?[type: "Granted"]?.message == "GET /admin/queue port 8080 on app=payments for tools/debugger until \(RFC3339.timeOfDay(Fixture.at(900)))")
        #expect(decision.status.grant == [ObjectReference(apiVersion: "security.istio.io/v1", kind: "AuthorizationPolicy", name: "elevator-inc-1234-debug")])
        #expect(decision.meshObjects.count == 1)
        // Looking again without change keeps everything as it is.
        let (steady, _) = run(active, policy: policy, approvals: [bob], at: 400)
        #expect(!steady.statusChanged && steady.events.isEmpty && steady.grant == grant)
    }

    @Test(arguments: [
        ("10m", 600.0, 480.0), ("3m", 180.0, 90.0), ("1m", 60.0, 30.0),
    ])
    func expiringSoonComesTwoMinutesOrHalfTheWindowBeforeTheEnd(duration: String, window: Double, warnAfter: Double) {
        let noApproval = Fixture.policy(stages: [])
        let (granted, active) = run(Fixture.request { $0.duration = duration }, policy: noApproval, at: 0)
        #expect(granted.status.expiresAt == Fixture.at(window))
        #expect(granted.nextReview == Fixture.at(warnAfter))
        let (early, _) = run(active, policy: noApproval, at: warnAfter - 1)
        #expect(early.events.isEmpty)
        let (warning, warned) = run(active, policy: noApproval, at: warnAfter)
        #expect(warning.events.map(\.reason) == ["ExpiringSoon"])
        #expect(warning.status.conditions?[type: "Granted"]?.reason == "ExpiringSoon")
        #expect(warning.nextReview == Fixture.at(window))
        #expect(warning.grant != nil)
        let (again, _) = run(warned, policy: noApproval, at: warnAfter + 1)
        #expect(again.events.isEmpty)
        let (expired, done) = run(warned, policy: noApproval, at: window)
        #expect(expired.status.phase == .expired)
        #expect(expired.grant == nil && expired.meshObjects.isEmpty)
        #expect(expired.events.map(\.reason) == ["Expired"])
        #expect(expired.status.grantedAt == Fixture.at(0) && expired.status.expiresAt == Fixture.at(window))
        let (after, _) = run(done, policy: noApproval, at: window + 1000)
        #expect(!after.statusChanged && after.events.isEmpty && after.nextReview == nil)
    }

    @Test func unapprovedRequestExpiresAtTheTimeoutWithoutAGrant() {
        let (_, pending) = run(Fixture.request(), policy: policy, at: 5)
        let late = Fixture.approval("bob@example.com", at: Fixture.at(3700))
        let (decision, _) = run(pending, policy: policy, approvals: [late], at: 3700)
        #expect(decision.status.phase == .expired)
        #expect(decision.status.grantedAt == nil)
        #expect(decision.status.expiresAt == Fixture.at(3600))
        #expect(decision.status.conditions?[type: "Approved"]?.reason == "ApprovalTimeout")
        #expect(decision.grant == nil)
    }

    @Test func aDenialAfterTheDeadlineDoesNotCount() {
        let (_, pending) = run(Fixture.request(), policy: policy, at: 5)
        let late = Fixture.approval("bob@example.com", decision: .deny, at: Fixture.at(3650))
        let (decision, _) = run(pending, policy: policy, approvals: [late], at: 3700)
        #expect(decision.status.phase == .expired)
        let (inTime, _) = run(pending, policy: policy, approvals: [late], at: 3599)
        #expect(inTime.status.phase == .denied)
    }

    @Test func autoApproveSkipsApproval() {
        let auto = Fixture.policy { $0.approval?.autoApprove = AutoApprove(maxDuration: "10m", reasonPattern: "^INC-[0-9]+") }
        let (decision, _) = run(Fixture.request(), policy: auto, at: 1)
        #expect(decision.status.phase == .active)
        #expect(decision.status.conditions?[type: "Approved"]?.reason == "AutoApproved")
        let (tooLong, _) = run(Fixture.request { $0.duration = "11m" }, policy: auto, at: 1)
        #expect(tooLong.status.phase == .pending)
        let (noTicket, _) = run(Fixture.request { $0.reason = "just looking" }, policy: auto, at: 1)
        #expect(noTicket.status.phase == .pending)
    }

    @Test func noStagesMeansNoApproval() {
        let (decision, _) = run(Fixture.request(), policy: Fixture.policy(stages: nil), at: 1)
        #expect(decision.status.phase == .active)
        #expect(decision.status.conditions?[type: "Approved"]?.reason == "NoApprovalRequired")
    }

    @Test func breakGlassGrantsAtOnceAndIsReviewedAfterwards() {
        let glass = Fixture.policy { $0.breakGlass = BreakGlassPolicy(allowed: true, maxDuration: "30m") }
        let request = Fixture.request { $0.breakGlass = true }
        let (granted, active) = run(request, policy: glass, at: 1)
        #expect(granted.status.phase == .active)
        #expect(granted.status.conditions?[type: "Reviewed"]?.status == .false)
        #expect(granted.events.map(\.reason) == ["BreakGlass"] && granted.events.first?.kind == .warning)
        let selfReview = Fixture.approval("alice@example.com", at: Fixture.at(100))
        let (stillOpen, _) = run(active, policy: glass, approvals: [selfReview], at: 120)
        #expect(stillOpen.status.conditions?[type: "Reviewed"]?.status == .false)
        #expect(stillOpen.ignoredApprovals.map(\.cause) == [.selfApproval])
        let review = Fixture.approval("bob@example.com", at: Fixture.at(100))
        let (reviewed, done) = run(active, policy: glass, approvals: [review], at: 120)
        #expect(reviewed.status.phase == .active)
        #expect(reviewed.status.conditions?[type: "Reviewed"]?.status == .true)
        #expect(reviewed.events.map(\.reason) == ["Reviewed"])
        #expect(reviewed.status.approvals?.map(\.approver) == ["bob@example.com"])
        let (quiet, _) = run(done, policy: glass, approvals: [review], at: 130)
        #expect(quiet.events.isEmpty)
        let rejection = Fixture.approval("bob@example.com", decision: .deny, at: Fixture.at(100))
        let (revoked, _) = run(active, policy: glass, approvals: [rejection], at: 120)
        #expect(revoked.status.phase == .revoked && revoked.grant == nil)
        #expect(revoked.status.conditions?[type: "Granted"]?.reason == "ReviewDenied")
    }

    @Test(arguments: ["Revoked", "Deleted", "PolicyDeleted", "PolicySuspended"])
    func activeGrantIsRevoked(reason: String) {
        let noApproval = Fixture.policy(stages: [])
        var (_, active) = run(Fixture.request(), policy: noApproval, at: 0)
        var changedPolicy: ElevationPolicy? = noApproval
        switch reason {
        case "Revoked": active.spec.revoked = true
        case "Deleted": active.metadata.deletionTimestamp = Fixture.at(200)
        case "PolicyDeleted": changedPolicy = nil
        default: changedPolicy?.spec.suspended = true
        }
        let (decision, revoked) = run(active, policy: changedPolicy, at: 200)
        #expect(decision.status.phase == .revoked)
        #expect(decision.grant == nil)
        #expect(decision.status.conditions?[type: "Granted"]?.reason == reason)
        #expect(decision.events.map(\.reason) == ["Revoked"])
        #expect(decision.status.grantedAt == Fixture.at(0) && decision.status.expiresAt == Fixture.at(600))
        // Final: nothing brings it back, not even un-suspending the policy.
        let (later, _) = run(revoked, policy: noApproval, at: 300)
        #expect(!later.statusChanged && later.grant == nil)
    }

    @Test func pendingRequestCanBeRevokedToo() {
        let (_, pending) = run(Fixture.request(), policy: policy, at: 5)
        var revoking = pending
        revoking.spec.revoked = true
        let (decision, _) = run(revoking, policy: policy, approvals: [bob], at: 10)
        #expect(decision.status.phase == .revoked && decision.grant == nil)
    }

    @Test func unverifiedIdentityGrantsNothingButIsNotFinal() {
        let unverified = DecisionEnvironment(identityVerified: false)
        let (decision, waiting) = run(Fixture.request(), policy: Fixture.policy(stages: []), at: 1, environment: unverified)
        #expect(decision.status.phase == .pending && decision.grant == nil)
        #expect(decision.status.conditions?[type: "Valid"]?.reason == "IdentityUnverified")
        #expect(decision.events.map(\.reason) == ["IdentityUnverified"])
        let (again, _) = run(waiting, policy: Fixture.policy(stages: []), at: 2, environment: unverified)
        #expect(again.events.isEmpty)
        let (verified, _) = run(waiting, policy: Fixture.policy(stages: []), at: 3)
        #expect(verified.status.phase == .active)
        #expect(verified.status.conditions?[type: "Valid"]?.status == .true)
    }

    @Test func selfApprovalIsIgnored() {
        let own = Fixture.approval("alice@example.com")
        let (decision, _) = run(Fixture.request(), policy: policy, approvals: [own], at: 100)
        #expect(decision.status.phase == .pending)
        #expect(decision.ignoredApprovals.map(\.cause) == [.selfApproval])
        #expect(decision.status.approvals == nil)
    }

    @Test func approvalForAnotherRequestUIDIsIgnored() {
        let stale = Fixture.approval("bob@example.com", uid: "uid-of-a-deleted-request")
        let (decision, _) = run(Fixture.request(), policy: policy, approvals: [stale], at: 100)
        #expect(decision.status.phase == .pending)
        #expect(decision.ignoredApprovals.map(\.cause) == [.otherRequestUID])
        #expect(decision.ignoredApprovals.first?.message.contains("uid-of-a-deleted-request") == true)
        let staleDeny = Fixture.approval("bob@example.com", decision: .deny, uid: "old")
        let (notDenied, _) = run(Fixture.request(), policy: policy, approvals: [staleDeny], at: 100)
        #expect(notDenied.status.phase == .pending)
    }

    @Test func approverOutsideEveryStageIsIgnored() {
        let stranger = Fixture.approval("eve@example.com", groups: ["marketing"], decision: .deny)
        let (decision, _) = run(Fixture.request(), policy: policy, approvals: [stranger], at: 100)
        #expect(decision.status.phase == .pending)
        #expect(decision.ignoredApprovals.map(\.cause) == [.notAnApprover])
    }

    @Test func oneApproverInTwoGroupsCountsOnce() {
        let twoStages = Fixture.policy(stages: [
            ApprovalStage(name: "oncall", groups: ["payments-oncall"]), ApprovalStage(name: "security", groups: ["security"]),
        ])
        let both = Fixture.approval("bob@example.com", groups: ["payments-oncall", "security"])
        let (decision, _) = run(Fixture.request(), policy: twoStages, approvals: [both], at: 100)
        #expect(decision.status.phase == .pending)
        #expect(decision.status.approvals?.count == 1)
        let carol = Fixture.approval("carol@example.com", groups: ["payments-oncall"], at: Fixture.at(90))
        let (granted, _) = run(Fixture.request(), policy: twoStages, approvals: [both, carol], at: 100)
        #expect(granted.status.phase == .active)
        #expect(Set(granted.status.approvals?.map { "\($0.approver)=\($0.stage)" } ?? [])
            == ["bob@example.com=security", "carol@example.com=oncall"])
    }

    @Test func extensionStartsExactlyAtTheOldGrantsEnd() throws {
        let noApproval = Fixture.policy(stages: [])
        let (_, old) = run(Fixture.request(name: "inc-1230-debug", uid: "old-uid"), policy: noApproval, at: 0)
        #expect(old.status?.expiresAt == Fixture.at(600))
        let extensionRequest = Fixture.request(name: "inc-1234-debug", uid: "new-uid", created: Fixture.at(500)) {
            $0.extends = "inc-1230-debug"
            $0.duration = "30m"
        }
        let (decision, _) = run(
            extensionRequest, policy: Fixture.policy(stages: []) { $0.maxActivePerRequester = 1 }, active: [old], at: 500)
        #expect(decision.status.phase == .active)
        #expect(decision.status.grantedAt == Fixture.at(500))
        #expect(decision.status.expiresAt == Fixture.at(600 + 1800))
        let grant = try #require(decision.grant)
        #expect(grant.objectName == "elevator-inc-1234-debug")
    }

    @Test func anExtendedGrantDoesNotWarnBeforeItsEnd() {
        let noApproval = Fixture.policy(stages: [])
        let (_, old) = run(Fixture.request(name: "inc-1230-debug", uid: "old-uid"), policy: noApproval, at: 0)
        let (_, continuation) = run(
            Fixture.request(name: "inc-1234-debug", uid: "new-uid") { $0.extends = "inc-1230-debug" }, policy: noApproval,
            active: [old], at: 300)
        #expect(continuation.phase == .active)
        let (quiet, _) = run(old, policy: noApproval, active: [continuation], at: 500)
        #expect(quiet.events.isEmpty && quiet.grant != nil)
        #expect(quiet.nextReview == Fixture.at(600))
        let (warned, _) = run(old, policy: noApproval, active: [], at: 500)
        #expect(warned.events.map(\.reason) == ["ExpiringSoon"])
    }

    @Test func defaultDenyGuardIsCheckedAtGrantTime() {
        let nothing = DecisionEnvironment(meshObjects: [])
        let (decision, _) = run(Fixture.request(), policy: Fixture.policy(stages: []), at: 1, environment: nothing)
        #expect(decision.status.phase == .denied)
        #expect(decision.status.conditions?[type: "Valid"]?.reason == "PolicyNotReady")
        #expect(decision.status.conditions?[type: "Granted"]?.message.contains("NoDefaultDeny") == true)
    }

    @Test func conditionTransitionTimesMoveOnlyWithStatus() {
        let (_, pending) = run(Fixture.request(), policy: policy, at: 5)
        let (granted, _) = run(pending, policy: policy, approvals: [bob], at: 300)
        let valid = granted.status.conditions?[type: "Valid"]
        #expect(valid?.lastTransitionTime == Fixture.at(5))
        #expect(granted.status.conditions?[type: "Approved"]?.lastTransitionTime == Fixture.at(300))
    }
}
