import Foundation
import Testing
import YAML

@testable import Kube

/// Response bodies decode through the YAML module's JSON reader, strictly and with field paths.
@Suite struct JSONBodyTests {
    @Test func decodesAListIntoTypedObjects() throws {
        let body = Data(#"{"metadata":{"resourceVersion":"7"},"items":[{"metadata":{"name":"a","labels":{"x":"1"}},"spec":{"holderIdentity":"h","leaseDurationSeconds":15}}]}"#.utf8)
        let list = try JSONBody.decode(ObjectList<Lease>.self, from: body)
        #expect(list.items.count == 1)
        #expect(list.items.first?.metadata.name == "a")
        #expect(list.items.first?.metadata.labels == ["x": "1"])
        #expect(list.items.first?.spec?.leaseDurationSeconds == 15)
    }

    @Test(arguments: [
        (#"{"items":[{"metadata":{"name":5}}]}"#, "items[0].metadata.name: expected a string, found an integer"),
        (#"{"items":[{"metadata":{"labels":{"app.kubernetes.io/name":true}}}]}"#, "items[0].metadata.labels[app.kubernetes.io/name]: expected a string, found a boolean"),
        (#"{"items":[{"metadata":{},"spec":{"leaseDurationSeconds":1.5}}]}"#, "items[0].spec.leaseDurationSeconds: expected an integer, found a number with a fraction or beyond 64 bits"),
    ])
    func reportsTheFieldPathOfAWrongType(json: String, message: String) {
        do {
            _ = try JSONBody.decode(ObjectList<Lease>.self, from: Data(json.utf8))
            Issue.record("decoded \(json)")
        } catch {
            #expect(error is YAMLError)
            #expect("\(error)" == message)
        }
    }

    /// `managedFields` are typed entries whose `fieldsV1` is the server's text, cut from the
    /// body without building a tree, and still readable as a value and written back as an object.
    @Test func managedFieldsAreTypedAndKeepTheirFieldsAsJSONText() throws {
        let fields = #"{"f:data":{".":{},"f:color":{}}, "f:metadata":{"f:labels":{"f:app":{}}}}"#
        let body = Data(#"""
            {"metadata":{"name":"a","managedFields":[
              {"manager":"alpha","operation":"Apply","apiVersion":"v1","time":"2026-05-01T10:00:00Z","fieldsType":"FieldsV1","fieldsV1":\#(fields)},
              {"manager":"kubelet","operation":"Update","apiVersion":"v1","time":"2026-05-01T10:00:05Z","fieldsType":"FieldsV1","fieldsV1":{"f:status":{}},"subresource":"status"}]},
             "spec":{}}
            """#.utf8)
        let lease = try JSONBody.decode(Lease.self, from: body)
        let entries = try #require(lease.metadata.managedFields)
        #expect(entries.map(\.manager) == ["alpha", "kubelet"])
        #expect(entries.map(\.operation) == ["Apply", "Update"])
        #expect(entries[0].time == Time(rfc3339: "2026-05-01T10:00:00Z"))
        #expect(entries[1].subresource == "status")
        #expect(entries[0].fieldsV1?.text == fields)
        #expect(entries[0].fieldsV1?.value["f:data"]?["f:color"] == .object([:]))
        // Written back (an apply of a fetched object, a cache dump) as an object, not a string.
        let encoded = try JSONValueEncoder().encode(lease)
        #expect(encoded["metadata"]?["managedFields"]?.arrayValue?.first?["fieldsV1"] == (try JSONParser.parse(Array(fields.utf8))))
        // The same object through another decoder compares equal.
        #expect(try JSONDecoder().decode(Lease.self, from: body).metadata == lease.metadata)
    }

    @Test func reportsTheByteOffsetOfMalformedJSON() {
        #expect(throws: JSONParser.Failure(message: "after object key", offset: 5)) {
            try JSONBody.decode(JSONValue.self, from: Data(#"{"a" 1}"#.utf8))
        }
    }
}
