import Foundation
import Testing
import YAML

/// The real CRDs of ../shared/schemas: Istio's parse and round-trip, Linkerd's Helm templates fail
/// where the first template expression breaks the YAML.
struct SchemaFileTests {
    /// `../shared/schemas` next to the package root (this file is Tests/YAMLTests/ in the package).
    static let schemas = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("shared/schemas")

    static func read(_ name: String) throws -> String {
        try String(contentsOf: schemas.appendingPathComponent(name), encoding: .utf8)
    }

    @Test func everyIstioDocumentParsesAndRoundTrips() throws {
        let text = try Self.read("istio-crd-all.gen.yaml")
        let documents = try YAMLParser().parseJSONDocuments(text, file: "istio-crd-all.gen.yaml")
        #expect(documents.count == 15)
        for document in documents {
            #expect(document["kind"] == .string("CustomResourceDefinition"))
            let emitted = try YAMLEmitter().emit(document)
            #expect(try YAMLParser().parseJSON(emitted) == document, "\(document["metadata"]?["name"] ?? .null)")
        }
        let stream = try YAMLEmitter().emitDocuments(documents)
        #expect(try YAMLParser().parseJSONDocuments(stream) == documents)
    }

    @Test func istioDocumentsDecodeIntoTypes() throws {
        struct CRD: Decodable {
            struct Metadata: Decodable { var name: String }
            struct Spec: Decodable {
                struct Names: Decodable { var kind: String; var plural: String }
                var group: String
                var names: Names
            }
            var metadata: Metadata
            var spec: Spec
        }
        let crds = try YAMLDecoder().decodeDocuments(CRD.self, from: try Self.read("istio-crd-all.gen.yaml"))
        #expect(crds.contains { $0.metadata.name == "authorizationpolicies.security.istio.io" && $0.spec.names.kind == "AuthorizationPolicy" })
    }

    static let linkerd: [(file: String, expected: String)] = [
        ("linkerd-policy-server.yaml",
         "linkerd-policy-server.yaml:9:37: did not find expected key (while parsing a block mapping that started at line 9, column 5)"),
        ("linkerd-policy-authorization-policy.yaml",
         "linkerd-policy-authorization-policy.yaml:9:37: did not find expected key (while parsing a block mapping that started at line 9, column 5)"),
        ("linkerd-policy-meshtls-authentication.yaml",
         "linkerd-policy-meshtls-authentication.yaml:9:37: did not find expected key (while parsing a block mapping that started at line 9, column 5)"),
    ]

    /// Line 9 is `helm.sh/chart: {{ .Chart.Name }}-{{ .Chart.Version ... }}`: the flow mapping that
    /// starts at column 20 ends at column 36, and column 37 (`-`) cannot follow it. (Line 7's
    /// `{{ include ... }}` is still valid YAML: a flow mapping with a flow-mapping key.)
    @Test(arguments: linkerd)
    func linkerdHelmTemplatesFailAtTheFirstBrokenLine(file: String, expected: String) throws {
        let text = try Self.read(file)
        #expect(throws: (any Error).self) { try YAMLParser().parseDocuments(text, file: file) }
        do {
            _ = try YAMLParser().parseDocuments(text, file: file)
        } catch {
            #expect("\(error)" == expected)
        }
    }
}
