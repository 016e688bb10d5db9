import Foundation
import Testing
import YAML

@testable import Kube

/// `ObjectMeta`, `ManagedFieldsEntry` and `ObjectVersion` are read member by member from
/// response bodies: the result must be what their `Decodable` conformance gives through every
/// other decoder.
@Suite struct ObjectMetaDecodingTests {
    static let full = #"""
        {"name":"w","generateName":"w-","namespace":"default","uid":"0c6f9f3e-1d7a-4a55-9bb5-4f4a9c1f2d11",
         "resourceVersion":"42","generation":3,"creationTimestamp":"2026-05-01T10:00:00Z",
         "deletionTimestamp":"2026-05-01T11:00:00Z","deletionGracePeriodSeconds":30,
         "labels":{"app":"a","tier":"gold"},"annotations":{"note":"x"},
         "ownerReferences":[{"apiVersion":"v1","kind":"ConfigMap","name":"o","uid":"u","controller":true}],
         "finalizers":["elevator.dev/cleanup"],
         "managedFields":[{"manager":"m","operation":"Apply","apiVersion":"v1","time":"2026-05-01T10:00:00Z",
           "fieldsType":"FieldsV1","fieldsV1":{"f:metadata":{"f:labels":{"f:app":{}}}},"subresource":"status","extra":1}],
         "unknown":{"ignored":[1,2]}}
        """#

    @Test(arguments: [
        full, "{}", #"{"name":null,"labels":null,"managedFields":null,"generation":null}"#,
        #"{"managedFields":[{},{"time":null,"fieldsV1":null}]}"#,
        // errors: the same message and path both ways
        #"{"name":5}"#, #"{"generation":"3"}"#, #"{"creationTimestamp":"yesterday"}"#,
        #"{"labels":{"a":1}}"#, #"{"ownerReferences":[{"kind":"K"}]}"#, #"{"managedFields":[{"manager":7}]}"#,
        #"{"managedFields":[{"time":"noon"}]}"#, #"{"finalizers":"x"}"#,
        // times and lists read in place, or through the general decoder when escaped or of another kind
        #"{"creationTimestamp":"2026-05-01T10:00:00.9\u005a","deletionTimestamp":"2026-05-01T12:00:00+02:00"}"#,
        #"{"creationTimestamp":"1969-12-31T23:59:59.5Z"}"#, #"{"creationTimestamp":"2026-05-01T10:00:00\u0059"}"#,
        #"{"creationTimestamp":5}"#, #"{"deletionTimestamp":{}}"#, #"{"ownerReferences":"o"}"#, #"{"ownerReferences":[null]}"#,
        #"{"managedFields":{}}"#, #"{"managedFields":[{"manager":"m"},5]}"#,
    ])
    func readingMembersAgreesWithDecodable(text: String) {
        let body = Data(#"{"metadata":"#.utf8) + Data(text.utf8) + Data("}".utf8)
        struct Object: Decodable, Equatable { var metadata: ObjectMeta }
        let tape = Outcome { try JSONBody.decode(Object.self, from: body) }
        let tree = Outcome { try JSONValueDecoder().decode(Object.self, from: try JSONParser.parse(body)) }
        #expect(tape == tree)
        if case .success(let object) = tape {
            #expect((try? JSONDecoder().decode(Object.self, from: body)) == object)
        }
    }

    @Test(arguments: [
        #"{"metadata":{"name":"w","namespace":"n","uid":"u","resourceVersion":"7","labels":{"a":"b"}},"spec":{"x":1}}"#,
        "{}", #"{"metadata":null}"#, #"{"metadata":{"name":null,"uid":null}}"#, #"{"kind":"K","metadata":{}}"#,
        // errors: the same message and path both ways
        #"{"metadata":[]}"#, #"{"metadata":{"resourceVersion":7}}"#, #"{"metadata":{"name":{}}}"#, #"{"metadata":{"uid":true}}"#,
        #"{"metadata":{"namespace":["n"]}}"#,
    ])
    func readingAnObjectVersionAgreesWithDecodable(text: String) {
        let body = Data(text.utf8)
        let tape = Outcome { try JSONBody.decode(ObjectVersion.self, from: body) }
        let tree = Outcome { try JSONValueDecoder().decode(ObjectVersion.self, from: try JSONParser.parse(body)) }
        #expect(tape == tree)
        if case .success(let version) = tape {
            #expect((try? JSONDecoder().decode(ObjectVersion.self, from: body)) == version)
        }
    }

    enum Outcome<T: Equatable>: Equatable {
        case success(T)
        case failure(String)

        init(_ body: () throws -> T) {
            do { self = .success(try body()) } catch { self = .failure("\(error)") }
        }
    }

    @Test func everyFieldIsRead() throws {
        let meta = try JSONBody.decode(ObjectMeta.self, from: Data(Self.full.utf8))
        #expect(meta.name == "w" && meta.generateName == "w-" && meta.namespace == "default")
        #expect(meta.uid == "0c6f9f3e-1d7a-4a55-9bb5-4f4a9c1f2d11" && meta.resourceVersion == "42" && meta.generation == 3)
        #expect(meta.creationTimestamp == Time(rfc3339: "2026-05-01T10:00:00Z"))
        #expect(meta.deletionTimestamp == Time(rfc3339: "2026-05-01T11:00:00Z") && meta.deletionGracePeriodSeconds == 30)
        #expect(meta.labels == ["app": "a", "tier": "gold"] && meta.annotations == ["note": "x"])
        #expect(meta.ownerReferences?.first?.name == "o" && meta.finalizers == ["elevator.dev/cleanup"])
        let entry = try #require(meta.managedFields?.first)
        #expect(entry.manager == "m" && entry.operation == "Apply" && entry.apiVersion == "v1" && entry.subresource == "status")
        #expect(entry.fieldsType == "FieldsV1" && entry.fieldsV1?.value["f:metadata"] != nil && entry.time != nil)
    }
}
