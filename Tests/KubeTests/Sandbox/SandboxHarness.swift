import Foundation
import KubeSandbox
import Synchronization
import YAML

@testable import Kube

/// An in-process sandbox API server on a free loopback port with a client pointed at it.
///
/// Each test makes its own, so tests run concurrently without sharing objects or faults.
struct SandboxHarness {
    let server: SandboxServer
    let client: KubeClient

    /// Starts a sandbox (optionally with `tokens`) and a client using its first token.
    static func start(
        tokens: TokenAuthenticator? = .generatedAdmin(), retryPolicy: RetryPolicy = RetryPolicy(),
        namespace: String = "default"
    ) async throws -> SandboxHarness {
        let server = SandboxServer(config: .init(tokens: tokens))
        try await server.start()
        let credentials: Credentials = server.token.map { .token($0) } ?? .none
        let client = KubeClient(
            configuration: ClientConfiguration(server: server.url, namespace: namespace, credentials: credentials),
            retryPolicy: retryPolicy)
        return SandboxHarness(server: server, client: client)
    }

    /// Another client of the same sandbox (its own transfers, same credentials).
    func makeClient(retryPolicy: RetryPolicy = RetryPolicy(), credentials: Credentials? = nil) -> KubeClient {
        KubeClient(
            configuration: ClientConfiguration(
                server: server.url, credentials: credentials ?? server.token.map { .token($0) } ?? .none),
            retryPolicy: retryPolicy)
    }

    func stop() async {
        client.shutdown()
        await server.stop()
    }

    /// The sandbox's own view of a resource type (for writes that bypass HTTP and its faults).
    func sandboxType(_ type: Kube.ResourceType) throws -> KubeSandbox.ResourceType {
        guard let found = server.store.type(group: type.group, version: type.version, plural: type.plural) else {
            throw KubeError.notFound("the sandbox does not serve \(type)")
        }
        return found
    }

    /// Installs the `Widget` CRD (namespaced, status subresource, open schema).
    func installWidgetCRD() async throws {
        _ = try await client.apply(try json(widgetCRDJSON), customResourceDefinitions, fieldManager: "test")
    }
}

let configMaps = Kube.ResourceType(group: "", version: "v1", plural: "configmaps", kind: "ConfigMap", namespaced: true)
let customResourceDefinitions = Kube.ResourceType(
    group: "apiextensions.k8s.io", version: "v1", plural: "customresourcedefinitions", kind: "CustomResourceDefinition",
    namespaced: false)
let widgets = Kube.ResourceType(group: "example.com", version: "v1", plural: "widgets", kind: "Widget", namespaced: true)

/// The `Widget` CRD: namespaced, with a status subresource and an open schema.
let widgetCRDJSON = #"""
{"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition","metadata":{"name":"widgets.example.com"},
 "spec":{"group":"example.com","scope":"Namespaced",
  "names":{"plural":"widgets","singular":"widget","kind":"Widget","listKind":"WidgetList"},
  "versions":[{"name":"v1","served":true,"storage":true,"subresources":{"status":{}},
   "schema":{"openAPIV3Schema":{"type":"object","properties":{
     "spec":{"type":"object","x-kubernetes-preserve-unknown-fields":true},
     "status":{"type":"object","x-kubernetes-preserve-unknown-fields":true}}}}}]}}
"""#

/// Parses JSON text written in a test.
func json(_ text: String) throws -> JSONValue { try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)) }

/// A ConfigMap as a typed value (the tests' custom kind).
struct TestConfigMap: KubeResource, Hashable {
    static let resourceType = configMaps
    var apiVersion: String? = "v1"
    var kind: String? = "ConfigMap"
    var metadata: ObjectMeta
    var data: [String: String]?

    init(name: String, namespace: String = "default", data: [String: String]? = nil) {
        metadata = ObjectMeta(name: name, namespace: namespace)
        self.data = data
    }
}

/// Polls `condition` every 20 ms until it holds, failing after `timeout`.
func eventually(
    timeout: Duration = .seconds(10), _ what: @autoclosure () -> String = "the condition",
    _ condition: () async throws -> Bool
) async throws {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(20))
    }
    throw KubeError.transport("timed out after \(timeout) waiting for \(what())")
}

/// Seconds between two instants.
func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}

/// Lines appended from any task.
final class Lines: Sendable {
    private let lines = Mutex<[String]>([])
    func append(_ line: String) { lines.withLock { $0.append(line) } }
    var all: [String] { lines.withLock { $0 } }
}
