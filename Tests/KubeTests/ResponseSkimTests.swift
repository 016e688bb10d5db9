import Foundation
import Synchronization
import Testing
import YAML

@testable import Kube

/// A write's response read as `ObjectVersion`, or taken from `known`, comes from a skim of the
/// body (`JSONSkim`); what a skim cannot answer is decoded whole, with the decoder's errors.
@Suite struct ResponseSkimTests {
    let client = KubeClient(configuration: ClientConfiguration(server: "http://127.0.0.1:1"))

    func response(_ body: String) -> HTTPResponse { HTTPResponse(status: 200, body: Data(body.utf8)) }

    @Test func anObjectVersionIsSkimmedWhereverItsMembersStand() throws {
        let bodies = [
            #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"managedFields":[{"manager":"m","fieldsV1":{"f:data":{"f:name":{}}}}],"name":"a","namespace":"ns","resourceVersion":"42","uid":"u-1"},"data":{"name":"not this"}}"#,
            #"{"data":{"metadata":{"name":"not this"}},"metadata":{"uid":"u-1","resourceVersion":"42","namespace":"ns","name":"a"}}"#,
        ]
        for body in bodies {
            let version = try client.decode(ObjectVersion.self, response(body))
            #expect(version.metadata?.name == "a")
            #expect(version.metadata?.namespace == "ns")
            #expect(version.metadata?.uid == "u-1")
            #expect(version.resourceVersion == "42")
            #expect(version == (try JSONValueDecoder().decode(ObjectVersion.self, fromJSON: Array(body.utf8))))
        }
    }

    @Test func whatASkimCannotAnswerIsDecodedWhole() throws {
        let unnamed = try client.decode(ObjectVersion.self, response(#"{"metadata":{"resourceVersion":"7"}}"#))
        #expect(unnamed.metadata?.name == nil)
        #expect(unnamed.resourceVersion == "7")
        #expect(try client.decode(ObjectVersion.self, response(#"{"kind":"Status"}"#)).metadata == nil)
        #expect(throws: KubeError.self) { try client.decode(ObjectVersion.self, response(#"{"metadata":{"name":7}}"#)) }
        #expect(throws: KubeError.self) { try client.decode(ObjectVersion.self, response("not json")) }
    }

    @Test func aKnownObjectIsTakenFromItsNamesAndVersion() throws {
        let asked = Mutex<[String]>([])
        let known: KnownObject<ObjectVersion> = { namespace, name, version in
            asked.withLock { $0.append("\(namespace ?? "-")/\(name)@\(version)") }
            guard version == "9" else { return nil }
            var held = ObjectVersion()
            held.metadata = ObjectVersion.Metadata()
            held.metadata?.uid = "held"
            return held
        }
        let held = try client.decode(ObjectVersion.self, response(#"{"metadata":{"name":"a","resourceVersion":"9"}}"#), known: known)
        #expect(held.metadata?.uid == "held")
        let read = try client.decode(
            ObjectVersion.self, response(#"{"metadata":{"name":"b","namespace":"ns","resourceVersion":"10","uid":"wire"}}"#), known: known)
        #expect(read.metadata?.uid == "wire")
        #expect(asked.withLock { $0 } == ["-/a@9", "ns/b@10"])
    }
}
