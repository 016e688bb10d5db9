import Foundation
import Testing
import YAML

@testable import Elevation

/// The Linkerd backend: one AuthorizationPolicy on the policy's existing Server with exactly one
/// ServiceAccount, never anything wider; and the policy checks (ServerNotFound, UnsupportedRule).
@Suite struct LinkerdBackendTests {
    static func grant(
        name: String = "inc-1234-debug", subject: Subject = .serviceAccount("tools", "debugger"),
        target: PolicyTarget = PolicyTarget(linkerdServer: "payments-http"),
        rules: [AccessRule] = [AccessRule(ports: ["8080"])]
    ) -> Grant {
        Grant(
            requestName: name, namespace: "payments", requestUID: "6f1c-uid", policyName: "payments-debug",
            requester: "alice@example.com", mesh: .linkerd, target: target, subject: subject, rules: rules,
            grantedAt: Fixture.at(0), expiresAt: RFC3339.parse("2026-11-25T10:42:07Z") ?? Fixture.at(600))
    }

    static let policy = Fixture.policy { spec in
        spec.mesh = .linkerd
        spec.target = PolicyTarget(linkerdServer: "payments-http")
        spec.subjects = [.serviceAccount("tools", "debugger")]
        spec.rules = [AccessRule(ports: ["8080"])]
    }

    static func server(_ name: String = "payments-http", namespace: String = "payments", port: JSONValue = .int(8080)) -> JSONValue {
        .object([
            "apiVersion": "policy.linkerd.io/v1beta3", "kind": "Server",
            "metadata": .object(["name": .string(name), "namespace": .string(namespace)]),
            "spec": .object(["podSelector": .object(["matchLabels": .object(["app": "payments"])]), "port": port]),
        ])
    }

    @Test func rendersOneAuthorizationPolicyOnTheServerForOneServiceAccount() throws {
        let objects = try LinkerdBackend().render(Self.grant())
        #expect(objects.count == 1)
        let object = try #require(objects.first)
        #expect(object["apiVersion"] == "policy.linkerd.io/v1alpha1")
        #expect(object["kind"] == "AuthorizationPolicy")
        #expect(object["metadata"]?["name"] == "elevator-inc-1234-debug")
        #expect(object["metadata"]?["labels"]?["app.kubernetes.io/managed-by"] == "elevator")
        #expect(object["metadata"]?["annotations"]?["elevator.dev/request-uid"] == "6f1c-uid")
        #expect(object["metadata"]?["ownerReferences"]?.arrayValue?.first?["kind"] == "ElevationRequest")
        let expectedSpec: JSONValue = .object([
            "targetRef": .object(["group": "policy.linkerd.io", "kind": "Server", "name": "payments-http"]),
            "requiredAuthenticationRefs": .array([.object(["kind": "ServiceAccount", "name": "debugger", "namespace": "tools"])]),
        ])
        #expect(object["spec"] == expectedSpec)
        #expect(LinkerdBackend().references(for: Self.grant()) == [
            ObjectReference(apiVersion: "policy.linkerd.io/v1alpha1", kind: "AuthorizationPolicy", name: "elevator-inc-1234-debug")
        ])
    }

    @Test(arguments: [
        ("jwt subject", grant(subject: Subject(requestPrincipal: "https://idp.example.com/alice"))),
        ("wildcard account", grant(subject: .serviceAccount("ops", "*"))),
        ("empty account", grant(subject: .serviceAccount("tools", ""))),
        ("selector target", grant(target: PolicyTarget(workloadSelector: LabelSelector(matchLabels: ["app": "payments"])))),
        ("no rules", grant(rules: [])),
        ("methods", grant(rules: [AccessRule(ports: ["8080"], methods: ["GET"])])),
        ("paths", grant(rules: [AccessRule(paths: ["/admin/*"])])),
    ])
    func refusesWhatItCannotWriteExactly(name: String, grant: Grant) {
        #expect(throws: ElevationError.self, "\(name)") { try LinkerdBackend().render(grant) }
    }

    @Test func neverWritesAServerOrAnHTTPRoute() throws {
        #expect(LinkerdBackend().writtenResources.map(\.kind) == ["AuthorizationPolicy"])
        for rules in [[AccessRule(ports: ["8080"])], [AccessRule()], [AccessRule(ports: ["8080"]), AccessRule(ports: ["8080"])]] {
            let kinds = try LinkerdBackend().render(Self.grant(rules: rules)).compactMap { $0["kind"]?.stringValue }
            #expect(kinds == ["AuthorizationPolicy"])
        }
    }

    @Test(arguments: [
        ([server()], nil as String?),
        ([JSONValue](), "ServerNotFound"),
        ([server("other-server")], "ServerNotFound"),
        ([server(namespace: "shop")], "ServerNotFound"),
        ([server(port: .int(9090))], "UnsupportedRule"),
        ([server(port: "http")], "UnsupportedRule"),
    ])
    func theServerMustExistAndCarryTheRulesPort(existing: [JSONValue], reason: String?) {
        #expect(LinkerdBackend().assess(Self.policy, existing: existing).problem?.reason == reason)
    }

    @Test func aNamedServerPortIsFineWhenRulesLeavePortsOut() {
        var policy = Self.policy
        policy.spec.rules = [AccessRule()]
        #expect(LinkerdBackend().assess(policy, existing: [Self.server(port: "http")]).problem == nil)
    }

    @Test func policiesWithMethodsOrPathsAreUnsupportedRule() {
        var policy = Self.policy
        policy.spec.rules = [AccessRule(ports: ["8080"], methods: ["GET"], paths: ["/admin/*"])]
        let readiness = policy.readiness(backends: MeshBackends.all(), meshObjects: [Self.server()])
        #expect(!readiness.isReady)
        #expect(readiness.reason == "UnsupportedRule")
        #expect(readiness.message.contains("spec.rules[0]"))
    }

    @Test func aMissingServerDeniesAtGrantTimeAndAnExistingOneGrants() throws {
        let request = Fixture.request { spec in
            spec.rules = [AccessRule(ports: ["8080"])]
            spec.duration = "10m"
        }
        var policy = Self.policy
        policy.spec.approval = nil
        let missing = decide(
            request: request, policy: policy, approvals: [], activeGrants: [], now: Fixture.at(1),
            environment: DecisionEnvironment(meshObjects: []))
        #expect(missing.status.phase == .denied)
        #expect(missing.events.first?.message.contains("ServerNotFound") == true)
        #expect(missing.meshObjects.isEmpty)
        let present = decide(
            request: request, policy: policy, approvals: [], activeGrants: [], now: Fixture.at(1),
            environment: DecisionEnvironment(meshObjects: [Self.server()]))
        #expect(present.status.phase == .active)
        #expect(present.meshObjects.first?["spec"]?["requiredAuthenticationRefs"]?.arrayValue?.count == 1)
        #expect(present.status.grant?.first?.apiVersion == "policy.linkerd.io/v1alpha1")
    }

    /// Every object the Linkerd backend writes passes the real Linkerd CRD schema (Helm lines
    /// stripped) and Elevator's promises, checked by Tests/e2e/linkerd_policy_check.py.
    @Test func everyGeneratedObjectValidatesAgainstTheLinkerdCRD() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("elevator-linkerd-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let grants: [(String, Grant)] = [
            ("api-md", Self.grant()),
            ("long", Self.grant(name: String(repeating: "n", count: 253))),
            ("no-ports", Self.grant(rules: [AccessRule()])),
            ("dotted-account", Self.grant(subject: .serviceAccount("ops-tools", "sa.with.dots"))),
        ] + (0..<40).map { index in
            ("generated-\(index)", Self.grant(
                name: "req-" + String(repeating: "x", count: index * 6) + "-\(index)",
                subject: .serviceAccount("ns-\(index % 7)", "account-\(index)"),
                target: PolicyTarget(linkerdServer: "server-\(index % 5)")))
        }
        for (name, grant) in grants {
            for (offset, object) in try LinkerdBackend().render(grant).enumerated() {
                try JSONEncoder().encode(object).write(to: folder.appendingPathComponent("\(name)-\(offset).json"))
            }
        }
        // And what `decide` grants under Linkerd policies: wildcard policy subjects, requests with
        // and without rules, with or without ports.
        var decided = 0
        for index in 0..<30 {
            var policy = Self.policy
            policy.spec.subjects = [.serviceAccount("ops", "*"), .serviceAccount("tools", "debugger")]
            policy.spec.rules = index % 3 == 0 ? [AccessRule()] : [AccessRule(ports: ["8080"])]
            policy.spec.approval = nil
            let request = Fixture.request(name: "fuzz-\(index)", uid: "uid-\(index)") { spec in
                spec.subject = index % 2 == 0 ? .serviceAccount("ops", "oncall-\(index)") : .serviceAccount("tools", "debugger")
                spec.rules = index % 4 == 0 ? nil : policy.spec.rules
            }
            let decision = decide(
                request: request, policy: policy, approvals: [], activeGrants: [], now: Fixture.at(1),
                environment: DecisionEnvironment(meshObjects: [Self.server()]))
            #expect(decision.status.phase == .active, "request \(index): \(decision.events.first?.message ?? "")")
            for (offset, object) in decision.meshObjects.enumerated() {
                #expect(object["spec"]?["requiredAuthenticationRefs"]?.arrayValue?.first?["name"] == request.spec.subject.serviceAccount.map { .string($0.name) })
                try JSONEncoder().encode(object).write(to: folder.appendingPathComponent("decided-\(index)-\(offset).json"))
                decided += 1
            }
        }
        let result = try TestPython.run("Tests/e2e/linkerd_policy_check.py", [folder.path])
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("checked \(grants.count + decided) Linkerd AuthorizationPolicies, 0 with problems"))
    }
}
