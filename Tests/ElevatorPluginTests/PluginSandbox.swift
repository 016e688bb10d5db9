import ElevatorPlugin
import Foundation
import Kube
import KubeSandbox
import YAML

/// An in-process sandbox with Elevator's CRDs, a policy, and two people with their own tokens:
/// alice (payments-oncall) and bob (payments-oncall, security). Each gets a plugin session.
final class PluginSandbox: Sendable {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    let server: SandboxServer
    let alice: ElevateSession
    let bob: ElevateSession

    init() async throws {
        let tokens = TokenAuthenticator(entries: [
            (token: "alice-token", user: UserInfo(username: "alice@example.com", uid: "1", groups: ["payments-oncall"])),
            (token: "bob-token", user: UserInfo(username: "bob@example.com", uid: "2", groups: ["payments-oncall", "security"])),
        ])
        server = SandboxServer(config: SandboxServer.Config(tokens: tokens))
        _ = try server.installCRDs(from: [Self.packageRoot + "/manifests/crds"])
        try await server.start()
        alice = ElevateSession(client: KubeClient(configuration: ClientConfiguration(server: server.url, namespace: "payments", credentials: .token("alice-token"))))
        bob = ElevateSession(client: KubeClient(configuration: ClientConfiguration(server: server.url, namespace: "payments", credentials: .token("bob-token"))))
        try await apply("{apiVersion: v1, kind: Namespace, metadata: {name: payments}}",
                        Kube.ResourceType(group: "", version: "v1", plural: "namespaces", kind: "Namespace", namespaced: false))
        try await apply(
            """
            apiVersion: elevator.dev/v1alpha1
            kind: ElevationPolicy
            metadata: {name: payments-debug, namespace: payments}
            spec:
              target: {workloadSelector: {matchLabels: {app: payments}}}
              subjects: [{serviceAccount: {namespace: tools, name: debugger}}]
              rules: [{ports: ["8080"], methods: [GET, POST], paths: ["/admin/*"]}]
              requesters: {groups: [payments-oncall]}
              defaultDuration: 10m
              maxDuration: 1h
              approval:
                stages: [{name: oncall, groups: [payments-oncall], required: 1}]
            """, Self.policies)
    }

    func stop() async {
        alice.client.shutdown()
        bob.client.shutdown()
        await server.stop()
    }

    static let requests = Kube.ResourceType(group: "elevator.dev", version: "v1alpha1", plural: "elevationrequests", kind: "ElevationRequest", namespaced: true)
    static let policies = Kube.ResourceType(group: "elevator.dev", version: "v1alpha1", plural: "elevationpolicies", kind: "ElevationPolicy", namespaced: true)
    static let approvals = Kube.ResourceType(group: "elevator.dev", version: "v1alpha1", plural: "elevationapprovals", kind: "ElevationApproval", namespaced: true)

    @discardableResult
    func apply(_ yaml: String, _ resource: Kube.ResourceType) async throws -> JSONValue {
        try await alice.client.apply(try YAMLDecoder().decode(JSONValue.self, from: yaml), resource, fieldManager: "test")
    }

    /// Plays the controller: writes `status` of request `name`.
    func setStatus(_ name: String, _ status: String) async throws {
        _ = try await alice.client.patchStatus(JSONValue.self, Self.requests, name: name, namespace: "payments", Data(#"{"status":\#(status)}"#.utf8))
    }

    func raw(_ resource: Kube.ResourceType, _ name: String) async throws -> JSONValue {
        try await alice.client.get(JSONValue.self, resource, name: name, namespace: "payments")
    }

    /// Runs `body` against a fresh sandbox and always stops it.
    static func with(_ body: (PluginSandbox) async throws -> Void) async throws {
        let sandbox = try await PluginSandbox()
        do {
            try await body(sandbox)
        } catch {
            await sandbox.stop()
            throw error
        }
        await sandbox.stop()
    }
}
