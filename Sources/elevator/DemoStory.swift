import Elevation
import ElevatorController
import Foundation
import Kube
import KubeSandbox
import Logging
import YAML

/// The story `elevator demo` tells: an in-process sandbox, Elevator's CRDs and Istio's
/// AuthorizationPolicy CRD, a baseline ALLOW policy and the sample ElevationPolicy; alice asks,
/// bob and carol approve, the AuthorizationPolicy appears, the window closes, it is gone.
struct DemoStory {
    let grant: String
    let say: @Sendable (String) -> Void

    static let requests = Kube.ResourceType(group: "elevator.dev", version: "v1alpha1", plural: "elevationrequests", kind: "ElevationRequest", namespaced: true)
    static let policies = Kube.ResourceType(group: "elevator.dev", version: "v1alpha1", plural: "elevationpolicies", kind: "ElevationPolicy", namespaced: true)
    static let approvals = Kube.ResourceType(group: "elevator.dev", version: "v1alpha1", plural: "elevationapprovals", kind: "ElevationApproval", namespaced: true)
    static let authorizationPolicies = Kube.ResourceType(group: "security.istio.io", version: "v1", plural: "authorizationpolicies", kind: "AuthorizationPolicy", namespaced: true)
    static let namespaces = Kube.ResourceType(group: "", version: "v1", plural: "namespaces", kind: "Namespace", namespaced: false)

    /// Where `manifests/` is: the working directory, or the package root of the built binary.
    static func manifestsFolder() throws -> String {
        let executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var candidates = [FileManager.default.currentDirectoryPath + "/manifests"]
        var folder = executable.deletingLastPathComponent()
        for _ in 0..<4 {  // .build/<triple>/debug/elevator: the package root is a few levels up
            folder = folder.deletingLastPathComponent()
            candidates.append(folder.path + "/manifests")
        }
        for folder in candidates where FileManager.default.fileExists(atPath: folder + "/crds") { return folder }
        throw DemoError("the demo needs the manifests/ folder of the Elevator repository (looked in \(candidates.joined(separator: ", "))); run it from the repository root")
    }

    func run() async throws {
        let manifests = try Self.manifestsFolder()
        let server = SandboxServer()
        try server.installCRDs(from: [manifests + "/crds", manifests + "/mesh-crds"])
        try await server.start()
        say("sandbox API server on \(server.url) with the Elevator CRDs and Istio's AuthorizationPolicy CRD")
        let configuration = ClientConfiguration(server: server.url, credentials: .token(server.token ?? ""))
        let client = KubeClient(configuration: configuration)
        let controllerClient = KubeClient(configuration: configuration)
        var quiet = Logger(label: "elevator.controller")
        quiet.logLevel = .error
        let say = self.say
        let controller = ElevatorController(
            client: controllerClient,
            options: ControllerOptions(allowUnverifiedIdentity: true, sweepInterval: .seconds(5), workers: 2, instance: "demo"),
            audit: AuditLog(sink: { _ in }), logger: quiet)
        let running = Task { try? await controller.run() }
        defer {
            running.cancel()
            client.shutdown()
            controllerClient.shutdown()
        }
        while !controller.isReady { try await Task.sleep(for: .milliseconds(20)) }
        say("controller running in-process (identity admission policies are not in the sandbox: --allow-unverified-identity)")

        try await apply(client, "{apiVersion: v1, kind: Namespace, metadata: {name: payments}}", Self.namespaces)
        try await apply(
            client,
            """
            apiVersion: security.istio.io/v1
            kind: AuthorizationPolicy
            metadata: {name: payments-baseline, namespace: payments}
            spec:
              selector: {matchLabels: {app: payments}}
              action: ALLOW
              rules: [{from: [{source: {namespaces: [payments, frontend]}}]}]
            """, Self.authorizationPolicies)
        say("the payments team's own ALLOW policy payments-baseline exists (the default-deny guard needs one)")
        let policyText = try String(contentsOfFile: manifests + "/samples/policy.yaml", encoding: .utf8)
        try await apply(client, policyText, Self.policies)
        say("ElevationPolicy payments/payments-debug applied (manifests/samples/policy.yaml): two approval stages, oncall and security")

        let request = try await apply(
            client,
            """
            apiVersion: elevator.dev/v1alpha1
            kind: ElevationRequest
            metadata: {name: payouts-debug, namespace: payments}
            spec:
              policy: payments-debug
              requester: {user: alice@example.com, groups: [payments-oncall]}
              subject: {serviceAccount: {namespace: tools, name: debugger}}
              rules: [{ports: ["8080"], methods: [GET], paths: [/admin/queue]}]
              duration: \(grant)
              reason: payouts are stuck, need the admin queue
            """, Self.requests)
        say("alice asks for GET /admin/queue on app=payments for tools/debugger, for \(grant): ElevationRequest payments/payouts-debug")
        let pending = try await waitFor(client, phase: "Pending")
        say("phase Pending: \(condition(pending, "Approved")?["message"]?.stringValue ?? "")")

        let uid = request["metadata"]?["uid"]?.stringValue ?? ""
        for (name, user, group, stage) in [("bob", "bob@example.com", "payments-oncall", "oncall"), ("carol", "carol@example.com", "security", "security")] {
            try await apply(
                client,
                """
                apiVersion: elevator.dev/v1alpha1
                kind: ElevationApproval
                metadata: {name: payouts-debug-\(name), namespace: payments}
                spec: {request: payouts-debug, requestUID: \(uid), decision: Approve, approver: {user: \(user), groups: [\(group)]}}
                """, Self.approvals)
            say("\(name) approves for stage \(stage)")
        }
        let active = try await waitFor(client, phase: "Active")
        say("phase Active: \(condition(active, "Granted")?["message"]?.stringValue ?? "")")
        let object = try await client.get(JSONValue.self, Self.authorizationPolicies, name: "elevator-payouts-debug", namespace: "payments")
        say("AuthorizationPolicy payments/elevator-payouts-debug, as written by the controller:\n" + (try YAMLEmitter().emit(Self.withoutNoise(object))))

        let expired = try await waitFor(client, phase: "Expired", seconds: 120)
        say("phase Expired: \(condition(expired, "Granted")?["message"]?.stringValue ?? "")")
        do {
            _ = try await client.get(JSONValue.self, Self.authorizationPolicies, name: "elevator-payouts-debug", namespace: "payments")
            throw DemoError("the AuthorizationPolicy elevator-payouts-debug is still there after the window closed")
        } catch KubeError.notFound {
            say("AuthorizationPolicy payments/elevator-payouts-debug is gone; payments-baseline is untouched")
        }
        // The Event follows the status write, so it may trail the phase by a moment.
        var reasons: [String] = []
        for _ in 0..<40 {
            let events = try await client.list(JSONValue.self, Kube.ResourceType(group: "events.k8s.io", version: "v1", plural: "events", kind: "Event", namespaced: true), namespace: "payments")
            reasons = events.items.filter { $0["regarding"]?["name"]?.stringValue == "payouts-debug" }
                .sorted { ($0["eventTime"]?.stringValue ?? "") < ($1["eventTime"]?.stringValue ?? "") }
                .compactMap { $0["reason"]?.stringValue }
            if reasons.contains("Expired") { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        say("Events on the request: \(reasons.joined(separator: ", "))")
        running.cancel()
        await running.value
        await server.stop()
    }

    @discardableResult
    private func apply(_ client: KubeClient, _ yaml: String, _ resource: Kube.ResourceType) async throws -> JSONValue {
        try await client.apply(try YAMLDecoder().decode(JSONValue.self, from: yaml), resource, fieldManager: "kubectl")
    }

    private func waitFor(_ client: KubeClient, phase: String, seconds: Double = 20) async throws -> JSONValue {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            let object = try await client.get(JSONValue.self, Self.requests, name: "payouts-debug", namespace: "payments")
            if object["status"]?["phase"]?.stringValue == phase { return object }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw DemoError("the request did not become \(phase) within \(Int(seconds)) s")
    }

    private func condition(_ request: JSONValue, _ type: String) -> JSONValue? {
        request["status"]?["conditions"]?.arrayValue?.first { $0["type"]?.stringValue == type }
    }

    /// The object without managedFields, resourceVersion and the like, as `kubectl get -o yaml` users read it.
    static func withoutNoise(_ object: JSONValue) -> JSONValue {
        guard case .object(var fields) = object, case .object(var metadata)? = fields["metadata"] else { return object }
        for key in ["managedFields", "resourceVersion", "generation", "creationTimestamp"] { metadata.removeValue(forKey: key) }
        fields["metadata"] = .object(metadata)
        fields.removeValue(forKey: "status")
        return .object(fields)
    }
}

/// Why the demo stopped, in one sentence.
struct DemoError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
