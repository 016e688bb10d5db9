import Foundation
import Testing

@testable import Elevation
import TestSupport

/// Random walks through a request's life (time passing, approvals and denials arriving, revocation,
/// the policy suspended or deleted), checking after every decision the promises of API.md that
/// hold whatever happens.
@Suite struct DecideInvariantTests {
    @Test(arguments: [UInt64(7), 8, 9, 10])
    func invariantsHoldOnEveryStep(seed: UInt64) {
        var random = SeededRandom(seed: seed)
        var sawPhases = Set<RequestPhase>()
        for walk in 0..<150 {
            let breakGlass = Int.random(in: 0..<5, using: &random) == 0
            var policy: ElevationPolicy? = Fixture.policy(stages: [
                ApprovalStage(name: "oncall", groups: ["payments-oncall"]), ApprovalStage(name: "security", groups: ["security"]),
            ]) { $0.breakGlass = BreakGlassPolicy(allowed: true, maxDuration: "30m") }
            var request = Fixture.request(uid: "uid-\(walk)") { spec in
                spec.duration = ["1m", "3m", "10m"][Int.random(in: 0..<3, using: &random)]
                spec.breakGlass = breakGlass
            }
            var approvals: [ElevationApproval] = []
            var time = 0.0
            var previous = request
            for _ in 0..<12 {
                time += Double(Int.random(in: 0..<400, using: &random))
                switch Int.random(in: 0..<14, using: &random) {
                case 0...3:
                    let people = [("bob@example.com", ["payments-oncall"]), ("carol@example.com", ["security"]),
                                  ("dan@example.com", ["payments-oncall", "security"]), ("alice@example.com", ["security"])]
                    let (user, groups) = people[Int.random(in: 0..<people.count, using: &random)]
                    let decision: ApprovalDecision = Int.random(in: 0..<6, using: &random) == 0 ? .deny : .approve
                    approvals.append(Fixture.approval(user, groups: groups, decision: decision, uid: "uid-\(walk)", at: Fixture.at(time), name: "a\(approvals.count)"))
                case 4: request.spec.revoked = true
                case 5: policy?.spec.suspended = true
                case 6: policy = nil
                default: break
                }
                let decision = decide(request: request, policy: policy, approvals: approvals, activeGrants: [], now: Fixture.at(time))
                let old = request.status ?? ElevationRequestStatus()
                let new = decision.status
                sawPhases.insert(new.phase ?? .pending)
                if let phase = old.phase, phase.isTerminal {
                    #expect(new == old && decision.grant == nil && decision.events.isEmpty, "a terminal request changed")
                }
                if old.grantedAt != nil { #expect(new.grantedAt == old.grantedAt, "grantedAt changed once written") }
                if old.expiresAt != nil { #expect(new.expiresAt != nil, "expiresAt was cleared") }
                #expect((decision.grant != nil) == (new.phase == .active), "mesh objects exist exactly while Active")
                if let grant = decision.grant {
                    #expect(grant.rules == request.spec.rules && grant.subject == request.spec.subject)
                    #expect(grant.expiresAt > Fixture.at(time) && grant.grantedAt <= Fixture.at(time))
                    #expect(decision.meshObjects.count == 1)
                    #expect(new.approvals?.contains { $0.approver == "alice@example.com" } != true, "the requester counted")
                }
                if new.phase == .active, previous.phase != .active, !breakGlass {
                    let approvers = Set(new.approvals?.map(\.approver) ?? [])
                    #expect(approvers.count >= 2, "granted without both stages")
                }
                if let review = decision.nextReview { #expect(review >= Fixture.at(time)) }
                if decision.statusChanged == false { #expect(decision.events.isEmpty) }
                previous = request
                request.status = new
            }
        }
        #expect(sawPhases.isSuperset(of: [.pending, .active, .expired, .revoked, .denied]))
    }
}
