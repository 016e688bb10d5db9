import Foundation
import Testing

@testable import Elevation

@Suite struct JSONDecodingTests {
    /// An object as the API server returns it: server fields, defaults applied, status written.
    static let requestJSON = #"""
        {"apiVersion":"elevator.dev/v1alpha1","kind":"ElevationRequest",
         "metadata":{"name":"inc-1234-debug","namespace":"payments","uid":"6f1c","generation":1,"resourceVersion":"42",
           "creationTimestamp":"2026-11-25T10:30:00Z","finalizers":["elevator.dev/grant"],
           "managedFields":[{"manager":"kubectl","operation":"Update"}]},
         "spec":{"policy":"payments-debug","requester":{"user":"alice@example.com","groups":["payments-oncall"]},
           "subject":{"serviceAccount":{"namespace":"tools","name":"debugger"}},
           "rules":[{"ports":["8080"],"methods":["GET"],"paths":["/admin/queue"]}],
           "duration":"10m","reason":"INC-1234","breakGlass":false,"revoked":false},
         "status":{"phase":"Active","observedGeneration":1,"grantedAt":"2026-11-25T10:32:07Z","expiresAt":"2026-11-25T10:42:07Z",
           "approvals":[{"approver":"bob@example.com","stage":"oncall","decision":"Approve","at":"2026-11-25T10:32:00Z"}],
           "grant":[{"apiVersion":"security.istio.io/v1","kind":"AuthorizationPolicy","name":"elevator-inc-1234-debug"}],
           "conditions":[{"type":"Granted","status":"True","reason":"Granted","message":"ok","observedGeneration":1,
             "lastTransitionTime":"2026-11-25T10:32:07Z"}]}}
        """#

    @Test func decodesWhatTheAPIServerReturnsAndRoundTrips() throws {
        let request = try JSONDecoder().decode(ElevationRequest.self, from: Data(Self.requestJSON.utf8))
        #expect(request.phase == .active)
        #expect(request.status?.expiresAt == RFC3339.parse("2026-11-25T10:42:07Z"))
        #expect(request.status?.conditions?[type: "Granted"]?.lastTransitionTime == RFC3339.parse("2026-11-25T10:32:07Z"))
        #expect(request.spec.subject == .serviceAccount("tools", "debugger"))
        let again = try JSONDecoder().decode(ElevationRequest.self, from: JSONEncoder().encode(request))
        #expect(again == request)
    }

    @Test func aWrongTypeNamesTheField() {
        let bad = Self.requestJSON.replacingOccurrences(of: #""duration":"10m""#, with: #""duration":600"#)
        #expect {
            try JSONDecoder().decode(ElevationRequest.self, from: Data(bad.utf8))
        } throws: { error in
            String(describing: error).contains("duration")
        }
    }

    @Test func anUnknownPhaseIsAnError() {
        let bad = Self.requestJSON.replacingOccurrences(of: #""phase":"Active""#, with: #""phase":"Granted""#)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(ElevationRequest.self, from: Data(bad.utf8)) }
    }
}
