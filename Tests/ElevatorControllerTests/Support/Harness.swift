import ElevatorController
import Foundation
import Kube
import KubeSandbox
import Synchronization
import YAML

/// The mesh a harness's policies are written for; the lifecycle tests run once per mesh.
enum TestMesh: String, CaseIterable, Sendable {
    case istio, linkerd

    /// The kind a grant is written as.
    var grantResource: Kube.ResourceType {
        switch self {
        case .istio: Harness.authorizationPolicies
        case .linkerd: Harness.linkerdAuthorizationPolicies
        }
    }

    /// The policy's `target` and `rules` (Linkerd: a Server, ports only).
    var policyTargetAndRules: String {
        switch self {
        case .istio:
            """
              target: {workloadSelector: {matchLabels: {app: payments}}}
              rules: [{ports: ["8080"], methods: [GET, POST], paths: ["/admin/*"]}]
            """
        case .linkerd:
            """
              mesh: linkerd
              target: {linkerdServer: payments-http}
              rules: [{ports: ["8080"]}]
            """
        }
    }

    /// A request's `rules`.
    var requestRules: String {
        switch self {
        case .istio: #"[{ports: ["8080"], methods: [GET], paths: ["/admin/queue"]}]"#
        case .linkerd: #"[{ports: ["8080"]}]"#
        }
    }
}

/// A sandbox API server in-process with Elevator's CRDs and the mesh CRDs (Istio's and Linkerd's
/// AuthorizationPolicy, Linkerd's Server), a client for it, and a running controller; `stop()`
/// tears all three down. `mesh` is the mesh of the policies `installPolicy` writes.
final class Harness: Sendable {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path

    let server: SandboxServer
    /// The test's own client (a user with kubectl).
    let client: KubeClient
    /// The controller's client, so its API calls can be counted apart.
    let controllerClient: KubeClient
    let controller: ElevatorController
    let auditLines = Lines()
    let mesh: TestMesh
    private let running = Mutex<Task<Void, Never>?>(nil)

    init(
        options: ControllerOptions = ControllerOptions(allowUnverifiedIdentity: true, workers: 2), startController: Bool = true,
        mesh: TestMesh = .istio, crds: [String] = ["manifests/crds", "manifests/mesh-crds"]
    ) async throws {
        self.mesh = mesh
        server = SandboxServer()
        try server.installCRDs(from: crds.map { Self.packageRoot + "/" + $0 })
        try await server.start()
        client = KubeClient(configuration: ClientConfiguration(server: server.url, credentials: .token(server.token ?? "")))
        controllerClient = KubeClient(configuration: ClientConfiguration(server: server.url, credentials: .token(server.token ?? "")))
        let lines = auditLines
        controller = ElevatorController(client: controllerClient, options: options, audit: AuditLog(sink: { line in lines.append(line) }))
        guard startController else { return }
        let controller = self.controller
        running.withLock { $0 = Task { try? await controller.run() } }
        try await waitFor("the controller to be ready") { controller.isReady }
    }

    /// Stops the harness's controller as a crash would for the grants: its task is cancelled, it
    /// cleans nothing up, and the sandbox with everything in it keeps running.
    func stopController() async {
        let task = running.withLock { $0 }
        task?.cancel()
        await task?.value
    }

    func stop() async {
        let task = running.withLock { $0 }
        task?.cancel()
        await task?.value
        client.shutdown()
        controllerClient.shutdown()
        await server.stop()
    }

    static let requests = Kube.ResourceType(group: "elevator.dev", version: "v1alpha1", plural: "elevationrequests", kind: "ElevationRequest", namespaced: true)
    static let policies = Kube.ResourceType(group: "elevator.dev", version: "v1alpha1", plural: "elevationpolicies", kind: "ElevationPolicy", namespaced: true)
    static let approvals = Kube.ResourceType(group: "elevator.dev", version: "v1alpha1", plural: "elevationapprovals", kind: "ElevationApproval", namespaced: true)
    static let authorizationPolicies = Kube.ResourceType(group: "security.istio.io", version: "v1", plural: "authorizationpolicies", kind: "AuthorizationPolicy", namespaced: true)
    static let linkerdAuthorizationPolicies = Kube.ResourceType(group: "policy.linkerd.io", version: "v1alpha1", plural: "authorizationpolicies", kind: "AuthorizationPolicy", namespaced: true)
    static let linkerdServers = Kube.ResourceType(group: "policy.linkerd.io", version: "v1beta3", plural: "servers", kind: "Server", namespaced: true)

    /// The kind this harness's grants are written as.
    var grantResource: Kube.ResourceType { mesh.grantResource }

    /// Creates (or updates) an object from YAML as a test user would with `kubectl apply`.
    @discardableResult
    func apply(_ yaml: String, _ resource: Kube.ResourceType) async throws -> JSONValue {
        let object = try YAMLDecoder().decode(JSONValue.self, from: yaml)
        return try await client.apply(object, resource, fieldManager: "kubectl")
    }

    func get(_ resource: Kube.ResourceType, _ name: String, namespace: String = "payments") async throws -> JSONValue? {
        do {
            return try await client.get(JSONValue.self, resource, name: name, namespace: namespace)
        } catch KubeError.notFound {
            return nil
        }
    }

    func phase(_ request: String, namespace: String = "payments") async throws -> String? {
        try await get(Self.requests, request, namespace: namespace)?["status"]?["phase"]?.stringValue
    }

    /// Waits (up to `seconds`) for the request to reach `phase`; returns how long it took.
    @discardableResult
    func waitForPhase(_ request: String, _ phase: String, namespace: String = "payments", seconds: Double = 10) async throws -> Duration {
        let started = ContinuousClock.now
        try await waitFor("\(request) to be \(phase)", seconds: seconds) { [self] in
            try await self.phase(request, namespace: namespace) == phase
        }
        return ContinuousClock.now - started
    }

    func events(about request: String) async throws -> [String] {
        let list = try await client.list(JSONValue.self, Kube.ResourceType(group: "events.k8s.io", version: "v1", plural: "events", kind: "Event", namespaced: true), namespace: "payments")
        return list.items.filter { $0["regarding"]?["name"]?.stringValue == request }.compactMap { $0["reason"]?.stringValue }
    }

    var audit: [String] { auditLines.all }

    /// The baseline the mesh needs before a grant (Istio: a namespace ALLOW policy, so grants pass
    /// the default-deny guard; Linkerd: the Server `payments-http` on port 8080) and a policy.
    /// `approval` is the policy's `approval` block, indented by 2; by default one on-call stage with
    /// auto-approval up to 5 s.
    func installPolicy(
        name: String = "payments-debug",
        approval: String = "    stages: [{name: oncall, groups: [payments-oncall], required: 1}]\n    autoApprove: {maxDuration: 5s}",
        extra: String = ""
    ) async throws {
        try await apply(
            "{apiVersion: v1, kind: Namespace, metadata: {name: payments}}",
            Kube.ResourceType(group: "", version: "v1", plural: "namespaces", kind: "Namespace", namespaced: false))
        switch mesh {
        case .istio:
            try await apply(
                """
                apiVersion: security.istio.io/v1
                kind: AuthorizationPolicy
                metadata: {name: baseline, namespace: payments}
                spec:
                  selector: {matchLabels: {app: payments}}
                  action: ALLOW
                  rules: [{from: [{source: {namespaces: [payments]}}]}]
                """, Self.authorizationPolicies)
        case .linkerd:
            try await apply(
                """
                apiVersion: policy.linkerd.io/v1beta3
                kind: Server
                metadata: {name: payments-http, namespace: payments}
                spec: {podSelector: {matchLabels: {app: payments}}, port: 8080, proxyProtocol: HTTP/1}
                """, Self.linkerdServers)
        }
        try await apply(
            """
            apiVersion: elevator.dev/v1alpha1
            kind: ElevationPolicy
            metadata: {name: \(name), namespace: payments}
            spec:
            \(mesh.policyTargetAndRules)
              subjects: [{serviceAccount: {namespace: tools, name: debugger}}]
              requesters: {groups: [payments-oncall]}
              defaultDuration: 1m
              maxDuration: 1h
              approval:
            \(approval)
            \(extra)
            """, Self.policies)
    }

    /// A request by alice for `duration` (auto-approved at 5 s or less).
    func request(_ name: String, duration: String, policy: String = "payments-debug", breakGlass: Bool = false) async throws -> JSONValue {
        try await apply(
            """
            apiVersion: elevator.dev/v1alpha1
            kind: ElevationRequest
            metadata: {name: \(name), namespace: payments}
            spec:
              policy: \(policy)
              requester: {user: alice@example.com, groups: [payments-oncall]}
              subject: {serviceAccount: {namespace: tools, name: debugger}}
              rules: \(mesh.requestRules)
              duration: \(duration)
              reason: "INC-1 stuck payouts"
              breakGlass: \(breakGlass)
            """, Self.requests)
    }
}

/// Polls `condition` every 25 ms until it holds or `seconds` pass.
func waitFor(_ what: String, seconds: Double = 10, _ condition: @Sendable () async throws -> Bool) async throws {
    let deadline = ContinuousClock.now + .milliseconds(Int64(seconds * 1000))
    while ContinuousClock.now < deadline {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(25))
    }
    throw TimeoutError(what: what)
}

struct TimeoutError: Error, CustomStringConvertible {
    var what: String
    var description: String { "timed out waiting for \(what)" }
}

extension JSONValue {
    /// The element at `index` of an array, nil past its end or for other values.
    subscript(_ index: Int) -> JSONValue? {
        guard let array = arrayValue, array.indices.contains(index) else { return nil }
        return array[index]
    }
}

/// Lines written by the controller's audit log.
final class Lines: Sendable {
    private let lines = Mutex<[String]>([])
    func append(_ line: String) { lines.withLock { $0.append(line) } }
    var all: [String] { lines.withLock { $0 } }
}
