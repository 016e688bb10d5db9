import Foundation
import Testing

@testable import Elevation

/// A grant whose mesh objects were written but whose status never said Active (the controller
/// was SIGKILLed, or its status write failed, in between): deciding it again keeps the window
/// that began with the first attempt, and never starts a second one.
@Suite struct DecideInterruptedGrantTests {
    let policy = Fixture.policy()
    let bob = Fixture.approval("bob@example.com")

    func decideAgain(at seconds: Double, writtenUntil: Date?) -> Decision {
        let pending = Fixture.applying(decide(request: Fixture.request(), policy: policy, approvals: [], activeGrants: [], now: Fixture.at(5)), to: Fixture.request())
        return decide(
            request: pending, policy: policy, approvals: [bob], activeGrants: [], now: Fixture.at(seconds),
            environment: DecisionEnvironment(grantWrittenUntil: writtenUntil))
    }

    @Test func aGrantDecidedAgainKeepsTheWindowItsObjectsWereWrittenFor() throws {
        // First attempt at 100 s: objects until 700 s (10 minutes). Decided again at 103 s.
        let decision = decideAgain(at: 103, writtenUntil: Fixture.at(700))
        #expect(decision.status.phase == .active)
        #expect(decision.status.grantedAt == Fixture.at(100))
        #expect(decision.status.expiresAt == Fixture.at(700))
        #expect(decision.grant?.expiresAt == Fixture.at(700))
        #expect(decision.events.map(\.reason) == ["Granted"])
        #expect(decision.nextReview == Fixture.at(580))
    }

    @Test func aGrantWhoseWindowClosedMeanwhileEndsExpiredWithoutObjects() throws {
        // The objects said 700 s; the controller came back at 720 s.
        let decision = decideAgain(at: 720, writtenUntil: Fixture.at(700))
        #expect(decision.status.phase == .expired)
        #expect(decision.grant == nil && decision.meshObjects.isEmpty)
        #expect(decision.status.grantedAt == Fixture.at(100))
        #expect(decision.status.expiresAt == Fixture.at(700))
        #expect(decision.events.map(\.reason) == ["Granted", "Expired"])
        #expect(decision.status.conditions?[type: "Granted"]?.reason == "Expired")
    }

    @Test(arguments: [nil, 2000.0])
    func withoutEarlierObjectsOrWithLaterOnesTheWindowStartsNow(writtenUntil: Double?) {
        // A later expires-at never lengthens a grant.
        let decision = decideAgain(at: 300.7, writtenUntil: writtenUntil.map(Fixture.at))
        #expect(decision.status.grantedAt == Fixture.at(300))
        #expect(decision.status.expiresAt == Fixture.at(900))
    }
}
