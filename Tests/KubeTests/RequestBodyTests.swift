import Foundation
import Testing
import YAML

@testable import Kube

/// What `KubeClient` sends as a request body.
@Suite struct RequestBodyTests {
    @Test func anUnstructuredObjectIsWrittenAsItsJSONDirectly() throws {
        let client = KubeClient(configuration: ClientConfiguration(server: "http://127.0.0.1:1", credentials: .none))
        defer { client.shutdown() }
        let object = try JSONParser.parse(Array("""
            {"spec": {"rules": [{"to": [{"operation": {"paths": ["/admin/queue"]}}]}]},
             "metadata": {"namespace": "shop", "name": "elevator-inc-1"},
             "kind": "AuthorizationPolicy", "apiVersion": "security.istio.io/v1"}
            """.utf8))
        let body = try client.encode(object)
        // JSONWriter's text: keys sorted, slashes as they are (Foundation's encoder escapes them
        // and walks the value through Codable containers, several times slower).
        #expect(String(decoding: body, as: UTF8.self) == #"{"apiVersion":"security.istio.io/v1","kind":"AuthorizationPolicy","metadata":{"name":"elevator-inc-1","namespace":"shop"},"spec":{"rules":[{"to":[{"operation":{"paths":["/admin/queue"]}}]}]}}"#)
        #expect(try JSONParser.parse(Array(body)) == object)
    }

    /// An Event (`PlainJSONEncodable`) is written by JSONValueEncoder and JSONWriter, and says
    /// exactly what Foundation's encoder says, every field set, times to the microsecond.
    @Test func anEventIsWrittenAsFoundationWouldWriteIt() throws {
        let client = KubeClient(configuration: ClientConfiguration(server: "http://127.0.0.1:1", credentials: .none))
        defer { client.shutdown() }
        let time = Date(timeIntervalSince1970: 1_796_000_000.123456)
        var metadata = ObjectMeta(name: "req-1.0123456789abcdef", namespace: "shop")
        metadata.labels = ["app": "elevator"]
        metadata.annotations = ["elevator.dev/note": "a/b \"quoted\" \u{e9}"]
        metadata.creationTimestamp = Time(time)
        let reference = ObjectReference(
            apiVersion: "elevator.dev/v1alpha1", kind: "ElevationRequest", name: "req-1", namespace: "shop", uid: "u-1")
        let event = Event(
            metadata: metadata, eventTime: MicroTime(time), series: .init(count: 3, lastObservedTime: MicroTime(time)),
            reportingController: "elevator.dev/controller", reportingInstance: "pod-0", action: "Granted", reason: "Granted",
            regarding: reference, related: reference, note: "granted until 12:00 (line\nbreak, tab\t)", type: "Normal")
        let body = try client.encode(event)
        let foundation = try JSONEncoder().encode(event)
        #expect(try JSONParser.parse(Array(body)) == JSONParser.parse(Array(foundation)))
        #expect(try JSONBody.decode(Event.self, from: body) == event)
        // Not Foundation's text (it escapes slashes): the cheaper writer did the work.
        #expect(String(decoding: body, as: UTF8.self).contains(#""elevator.dev/controller""#))
    }
}
