import Foundation
import Testing
import YAML

@testable import Elevation

/// A request's status and Elevation's object metadata are read member by member from JSON bodies
/// (`JSONMemberDecodable`): the result, or the error, must be what their `Decodable` conformance
/// gives through the other decoders (the tree's `JSONValueDecoder`, Foundation's `JSONDecoder`).
@Suite struct MemberDecodingTests {
    static let full = #"""
        {"phase":"Active","observedGeneration":2,"specHash":"sha256:ab",
         "approvals":[{"approver":"bob","stage":"owners","decision":"Approve","at":"2026-11-19T10:00:00Z"}],
         "grantedAt":"2026-11-19T10:00:01Z","expiresAt":"2026-11-19T10:09:01.5Z",
         "grant":[{"apiVersion":"security.istio.io/v1","kind":"AuthorizationPolicy","name":"elevator-r0"}],
         "conditions":[{"type":"Granted","status":"True","reason":"Granted","message":"m","observedGeneration":2,
                        "lastTransitionTime":"2026-11-19T10:00:01Z"},{"type":"Valid","status":"False"}],
         "unknown":{"ignored":[1,2]}}
        """#

    @Test(arguments: [
        full, "{}", #"{"phase":null,"conditions":null,"grantedAt":null,"observedGeneration":null,"grant":null}"#,
        // errors: the same message and path both ways
        #"{"phase":"Sleeping"}"#, #"{"phase":5}"#, #"{"observedGeneration":"2"}"#, #"{"grantedAt":"yesterday"}"#,
        #"{"expiresAt":7}"#, #"{"specHash":false}"#, #"{"conditions":[{"status":"True"}]}"#,
        #"{"conditions":[{"type":"T","status":"Maybe"}]}"#, #"{"conditions":[{"type":"T","status":"True","lastTransitionTime":"noon"}]}"#,
        #"{"conditions":[{"type":"T","status":"True"},{"type":"U"}]}"#, #"{"conditions":[{"type":null,"status":"True"}]}"#,
        #"{"conditions":[{"type":"T","status":"True","reason":null,"message":null,"observedGeneration":null,"lastTransitionTime":null}]}"#,
        #"{"conditions":[{"type":"T","status":"True","reason":5}]}"#, #"{"conditions":[{"type":"T","status":"True","observedGeneration":"1"}]}"#,
        #"{"conditions":[]}"#, #"{"conditions":[null]}"#, #"{"conditions":{"type":"T"}}"#,
        #"{"grant":[{"kind":"K"}]}"#, #"{"approvals":[{"approver":"a","stage":"s","decision":"Maybe"}]}"#, #"{"approvals":{}}"#,
        // read from the bytes in place, or through the general decoder when escaped or of another kind
        #"{"phase":"Act\u0069ve","grantedAt":"2026-11-19T10:00:01\u005a","conditions":[{"type":"T","status":"Tru\u0065"}]}"#,
        #"{"phase":"active"}"#, #"{"phase":"Activ\u0065s"}"#, #"{"grantedAt":"2026-11-19T10:00:01+01:00","expiresAt":"2026-11-19T10:00:01.25Z"}"#,
        #"{"grantedAt":"2026-02-30T10:00:01Z"}"#, #"{"grantedAt":"2026-11-19T10:00:01\u0059"}"#, #"{"grantedAt":[]}"#,
        #"{"conditions":[5]}"#, #"{"conditions":"x"}"#, #"{"conditions":[{"type":"T","status":true}]}"#, #"{"grant":7}"#,
        #"{"approvals":[{"approver":"a","stage":"s","decision":"Approve"},null]}"#,
    ])
    func readingTheStatusAgreesWithDecodable(text: String) {
        struct Object: Decodable, Equatable { var status: ElevationRequestStatus }
        Self.expectAgreement(Object.self, Data(#"{"status":"#.utf8) + Data(text.utf8) + Data("}".utf8))
    }

    static let fullMetadata = #"""
        {"name":"r0","namespace":"payments","uid":"u-1","resourceVersion":"42","generation":3,
         "labels":{"app":"a"},"annotations":{"note":"x"},"finalizers":["elevator.dev/grant"],
         "creationTimestamp":"2026-05-01T10:00:00Z","deletionTimestamp":"2026-05-01T11:00:00Z",
         "managedFields":[{"manager":"m","operation":"Update","fieldsV1":{"f:spec":{}}}],"generateName":"r-"}
        """#

    @Test(arguments: [
        fullMetadata, "{}", #"{"name":null,"labels":null,"finalizers":null,"generation":null,"creationTimestamp":null}"#,
        #"{"name":5}"#, #"{"generation":"3"}"#, #"{"creationTimestamp":"yesterday"}"#, #"{"deletionTimestamp":1}"#,
        #"{"labels":{"a":1}}"#, #"{"annotations":[]}"#, #"{"finalizers":"x"}"#, #"{"uid":{}}"#,
    ])
    func readingTheMetadataAgreesWithDecodable(text: String) {
        struct Object: Decodable, Equatable { var metadata: ObjectMeta }
        Self.expectAgreement(Object.self, Data(#"{"metadata":"#.utf8) + Data(text.utf8) + Data("}".utf8))
    }

    static let fullRequest = #"""
        {"apiVersion":"elevator.dev/v1alpha1","kind":"ElevationRequest","metadata":{"name":"r0","namespace":"payments"},
         "spec":{"policy":"load","requester":{"user":"alice","groups":["sre","oncall"]},
                 "subject":{"serviceAccount":{"namespace":"tools","name":"debugger"},"requestPrincipal":"iss/sub"},
                 "rules":[{"ports":["8080"],"methods":["GET"],"paths":["/admin/*"]},{}],"duration":"9m","reason":"INC-1",
                 "breakGlass":true,"extends":"r-1","revoked":false,"unknown":1},
         "status":{"phase":"Active","grant":[{"apiVersion":"security.istio.io/v1","kind":"AuthorizationPolicy","name":"elevator-r0"}]}}
        """#

    /// A request whose `spec` is `spec`.
    static func request(spec: String) -> String { #"{"metadata":{"name":"r0"},"spec":"# + spec + "}" }

    static let minimalSpec = #"{"policy":"p","requester":{"user":"u"},"subject":{}}"#

    @Test(arguments: [
        fullRequest, request(spec: minimalSpec), #"{"metadata":{},"spec":\#(minimalSpec),"status":null,"kind":null}"#,
        request(spec: #"{"policy":"p","requester":{"user":"u","groups":null},"subject":{"serviceAccount":null},"rules":null,"duration":null,"breakGlass":null,"revoked":null}"#),
        // errors: the same message and path both ways
        #"{"spec":\#(minimalSpec)}"#, #"{"metadata":{}}"#, #"{"metadata":{},"spec":null}"#, #"{"metadata":[],"spec":\#(minimalSpec)}"#,
        #"{"metadata":{},"spec":\#(minimalSpec),"apiVersion":3}"#, #"{"metadata":{},"spec":\#(minimalSpec),"status":{"phase":"Maybe"}}"#,
        request(spec: #""p""#), request(spec: #"[]"#), request(spec: #"{"requester":{"user":"u"},"subject":{}}"#),
        request(spec: #"{"policy":null,"requester":{"user":"u"},"subject":{}}"#), request(spec: #"{"policy":"p","subject":{}}"#),
        request(spec: #"{"policy":"p","requester":{"user":"u"}}"#), request(spec: #"{"policy":7,"requester":{"user":"u"},"subject":{}}"#),
        request(spec: #"{"policy":"p","requester":{},"subject":{}}"#), request(spec: #"{"policy":"p","requester":{"user":5},"subject":{}}"#),
        request(spec: #"{"policy":"p","requester":{"user":"u","groups":"sre"},"subject":{}}"#),
        request(spec: #"{"policy":"p","requester":{"user":"u"},"subject":{"serviceAccount":{"namespace":"n"}}}"#),
        request(spec: #"{"policy":"p","requester":{"user":"u"},"subject":{"serviceAccount":{"namespace":null,"name":"n"}}}"#),
        request(spec: #"{"policy":"p","requester":{"user":"u"},"subject":{"requestPrincipal":5}}"#),
        request(spec: #"{"policy":"p","requester":{"user":"u"},"subject":"tools/debugger"}"#),
        request(spec: #"{"policy":"p","requester":{"user":"u"},"subject":{},"rules":{}}"#),
        request(spec: #"{"policy":"p","requester":{"user":"u"},"subject":{},"rules":[null]}"#),
        request(spec: #"{"policy":"p","requester":{"user":"u"},"subject":{},"rules":[{"ports":"80"}]}"#),
        request(spec: #"{"policy":"p","requester":{"user":"u"},"subject":{},"rules":[{"methods":[1]}]}"#),
        request(spec: #"{"policy":"p","requester":{"user":"u"},"subject":{},"breakGlass":"yes"}"#),
        request(spec: #"{"policy":"p","requester":{"user":"u"},"subject":{},"revoked":1}"#),
        request(spec: #"{"policy":"p","requester":{"user":"u"},"subject":{},"revoked":"false","breakGlass":false}"#),
        request(spec: #"{"policy":"p","requester":{"user":"u"},"subject":{},"rules":"GET"}"#),
        request(spec: #"{"policy":"p","requester":{"user":"u"},"subject":{},"rules":[{},{"paths":["/a"]},7]}"#),
        request(spec: #"{"policy":"p","requester":{"user":"u"},"subject":{},"duration":9}"#),
        // the status' records and references, which have required keys
        #"{"metadata":{},"spec":\#(minimalSpec),"status":{"approvals":[{"approver":"a","decision":"Approve"}]}}"#,
        #"{"metadata":{},"spec":\#(minimalSpec),"status":{"approvals":[{"approver":"a","stage":"s","decision":"Approve","at":"noon"}]}}"#,
        #"{"metadata":{},"spec":\#(minimalSpec),"status":{"grant":[{"apiVersion":"v1","kind":"K","name":null}]}}"#,
    ])
    func readingARequestAgreesWithDecodable(text: String) {
        Self.expectAgreement(ElevationRequest.self, Data(text.utf8))
        // Inside an array too: the elements go through the unkeyed container.
        Self.expectAgreement([ElevationRequest].self, Data("[".utf8) + Data(text.utf8) + Data("]".utf8))
    }

    /// A key given twice in the spec or one of its parts: the last value wins both ways.
    @Test func aRepeatedKeyInTheSpecKeepsItsLastValue() throws {
        let body = Data(Self.request(spec: #"{"policy":"a","requester":{"user":"u","user":"v"},"subject":{},"policy":"b"}"#).utf8)
        let tape = try JSONValueDecoder().decode(ElevationRequest.self, fromJSON: body)
        #expect(tape.spec.policy == "b" && tape.spec.requester.user == "v")
        #expect(tape == (try JSONValueDecoder().decode(ElevationRequest.self, from: try JSONParser.parse(body))))
    }

    /// `body` read as `T` member by member (the tape) and through `Decodable` (the tree,
    /// Foundation): the same value or the same error.
    static func expectAgreement<T: Decodable & Equatable>(_ type: T.Type, _ body: Data) {
        let tape = Outcome { try JSONValueDecoder().decode(T.self, fromJSON: body) }
        let tree = Outcome { try JSONValueDecoder().decode(T.self, from: try JSONParser.parse(body)) }
        #expect(tape == tree)
        if case .success(let object) = tape {
            #expect((try? JSONDecoder().decode(T.self, from: body)) == object)
        }
    }

    enum Outcome<T: Equatable>: Equatable {
        case success(T)
        case failure(String)

        init(_ body: () throws -> T) {
            do { self = .success(try body()) } catch { self = .failure("\(error)") }
        }
    }

    /// A key given twice: the last value wins both ways (Foundation's decoder differs here).
    @Test func aRepeatedKeyKeepsItsLastValue() throws {
        let body = Data(#"{"phase":"Pending","phase":"Active"}"#.utf8)
        let tape = try JSONValueDecoder().decode(ElevationRequestStatus.self, fromJSON: body)
        #expect(tape.phase == .active)
        #expect(tape == (try JSONValueDecoder().decode(ElevationRequestStatus.self, from: try JSONParser.parse(body))))
        // Within a condition too (read through `Condition`'s own `Decodable`, not member by member).
        let condition = Data(#"{"conditions":[{"type":"A","status":"True","type":"B"}]}"#.utf8)
        let read = try JSONValueDecoder().decode(ElevationRequestStatus.self, fromJSON: condition)
        #expect(read.conditions?.map(\.type) == ["B"])
        #expect(read == (try JSONValueDecoder().decode(ElevationRequestStatus.self, from: try JSONParser.parse(condition))))
    }

    @Test func everyFieldIsRead() throws {
        let status = try JSONValueDecoder().decode(ElevationRequestStatus.self, fromJSON: Data(Self.full.utf8))
        #expect(status.phase == .active && status.observedGeneration == 2 && status.specHash == "sha256:ab")
        #expect(status.approvals?.first?.approver == "bob" && status.approvals?.first?.at == RFC3339.parse("2026-11-19T10:00:00Z"))
        #expect(status.grantedAt == RFC3339.parse("2026-11-19T10:00:01Z"))
        #expect(status.expiresAt == RFC3339.parse("2026-11-19T10:09:01.5Z"))
        #expect(status.grant?.first?.name == "elevator-r0")
        #expect(status.conditions?.map(\.type) == ["Granted", "Valid"])
        let meta = try JSONValueDecoder().decode(ObjectMeta.self, fromJSON: Data(Self.fullMetadata.utf8))
        #expect(meta.name == "r0" && meta.namespace == "payments" && meta.uid == "u-1" && meta.resourceVersion == "42")
        #expect(meta.generation == 3 && meta.labels == ["app": "a"] && meta.annotations == ["note": "x"])
        #expect(meta.finalizers == ["elevator.dev/grant"] && meta.creationTimestamp == RFC3339.parse("2026-05-01T10:00:00Z"))
        #expect(meta.deletionTimestamp == RFC3339.parse("2026-05-01T11:00:00Z"))
    }
}
