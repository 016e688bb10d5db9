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

    @Test func reportsTheByteOffsetOfMalformedJSON() {
        #expect(throws: JSONParser.Failure(message: "after object key", offset: 5)) {
            try JSONBody.decode(JSONValue.self, from: Data(#"{"a" 1}"#.utf8))
        }
    }
}
