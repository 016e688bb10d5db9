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
}
