import Foundation
import Testing
import YAML

@testable import Elevation

@Suite struct IstioBackendTests {
    static func grant(
        name: String = "inc-1234-debug", subject: Subject = .serviceAccount("tools", "debugger"),
        target: PolicyTarget = PolicyTarget(workloadSelector: LabelSelector(matchLabels: ["app": "payments"])),
        rules: [AccessRule] = [AccessRule(ports: ["8080"], methods: ["GET"], paths: ["/admin/queue"])]
    ) -> Grant {
        Grant(
            requestName: name, namespace: "payments", requestUID: "6f1c-uid", policyName: "payments-debug",
            requester: "alice@example.com", mesh: .istio, target: target, subject: subject, rules: rules,
            grantedAt: Fixture.at(0), expiresAt: RFC3339.parse("2026-11-25T10:42:07Z") ?? Fixture.at(600))
    }

    @Test func rendersExactlyWhatAPIMdShows() throws {
        let objects = try IstioBackend().render(Self.grant())
        let expected: JSONValue = .object([
            "apiVersion": "security.istio.io/v1", "kind": "AuthorizationPolicy",
            "metadata": .object([
                "name": "elevator-inc-1234-debug", "namespace": "payments",
                "labels": .object([
                    "app.kubernetes.io/managed-by": "elevator", "elevator.dev/request": "inc-1234-debug",
                    "elevator.dev/policy": "payments-debug",
                ]),
                "annotations": .object([
                    "elevator.dev/expires-at": "2026-11-25T10:42:07Z", "elevator.dev/requester": "alice@example.com",
                    "elevator.dev/request-uid": "6f1c-uid",
                ]),
                "ownerReferences": .array([
                    .object([
                        "apiVersion": "elevator.dev/v1alpha1", "kind": "ElevationRequest", "name": "inc-1234-debug",
                        "uid": "6f1c-uid", "controller": true, "blockOwnerDeletion": true,
                    ])
                ]),
            ]),
            "spec": .object([
                "selector": .object(["matchLabels": .object(["app": "payments"])]),
                "action": "ALLOW",
                "rules": .array([
                    .object([
                        "from": .array([.object(["source": .object(["principals": .array(["cluster.local/ns/tools/sa/debugger"])])])]),
                        "to": .array([
                            .object(["operation": .object(["ports": .array(["8080"]), "methods": .array(["GET"]), "paths": .array(["/admin/queue"])])])
                        ]),
                    ])
                ]),
            ]),
        ])
        #expect(objects == [expected])
    }

    @Test func oneOperationPerRuleAndTheConfiguredTrustDomain() throws {
        let grant = Self.grant(rules: [AccessRule(ports: ["8080"]), AccessRule(methods: ["GET"], paths: ["/a", "/b/*"])])
        let object = try #require(try IstioBackend(options: MeshOptions(trustDomain: "corp.example")).render(grant).first)
        let rule = try #require(object["spec"]?["rules"]?.arrayValue?.first)
        #expect(rule["to"]?.arrayValue?.count == 2)
        #expect(rule["from"]?.arrayValue?.first?["source"]?["principals"] == .array(["corp.example/ns/tools/sa/debugger"]))
    }

    @Test func jwtSubjectsBecomeRequestPrincipals() throws {
        let grant = Self.grant(subject: Subject(requestPrincipal: "https://idp.example.com/alice"))
        let object = try #require(try IstioBackend().render(grant).first)
        let source = object["spec"]?["rules"]?.arrayValue?.first?["from"]?.arrayValue?.first?["source"]
        #expect(source == .object(["requestPrincipals": .array(["https://idp.example.com/alice"])]))
    }

    @Test func targetRefsReplaceTheSelector() throws {
        let grant = Self.grant(target: PolicyTarget(targetRefs: [TargetRef(group: "", kind: "Service", name: "payments")]))
        let spec = try #require(try IstioBackend().render(grant).first?["spec"])
        #expect(spec["selector"] == nil)
        #expect(spec["targetRefs"] == .array([.object(["group": "", "kind": "Service", "name": "payments"])]))
    }

    @Test func refusesToWidenInsteadOfRenderingSomethingVague() {
        #expect(throws: ElevationError.self) { try IstioBackend().render(Self.grant(subject: Subject())) }
        #expect(throws: ElevationError.self) { try IstioBackend().render(Self.grant(rules: [])) }
        #expect(throws: ElevationError.self) {
            try IstioBackend().render(Self.grant(target: PolicyTarget(workloadSelector: LabelSelector(matchLabels: [:]))))
        }
    }

    @Test func longNamesAreShortenedWithAHashAndStayValid() throws {
        let long = String(repeating: "a", count: 240) + "." + String(repeating: "b", count: 12)
        let other = String(repeating: "a", count: 240) + "." + String(repeating: "c", count: 12)
        let first = Self.grant(name: long).objectName
        let second = Self.grant(name: other).objectName
        #expect(first.count == 253 && second.count <= 253)
        #expect(first != second)
        #expect(Subject.isDNSSubdomain(first) && Subject.isDNSSubdomain(second))
        #expect(Self.grant(name: long).objectName == first, "shortening must be deterministic")
        // A cut that would end in "." or "-" drops it rather than produce an invalid name.
        let dotted = String(repeating: "a", count: 233) + "." + String(repeating: "b", count: 19)
        #expect(Subject.isDNSSubdomain(Self.grant(name: dotted).objectName))
        let labels = try #require(try IstioBackend().render(Self.grant(name: long)).first?["metadata"]?["labels"])
        #expect(labels["elevator.dev/request"]?.stringValue?.count == 63)
    }
}

@Suite struct DefaultDenyGuardTests {
    static func authorizationPolicy(
        _ name: String, namespace: String = "payments", action: String? = nil, selector: [String: String]? = nil,
        targetRefs: [TargetRef]? = nil, managed: Bool = false, dryRun: Bool = false
    ) -> JSONValue {
        var spec: [String: JSONValue] = [:]
        if let action { spec["action"] = .string(action) }
        if let selector { spec["selector"] = .object(["matchLabels": .object(selector.mapValues(JSONValue.string))]) }
        if let targetRefs {
            spec["targetRefs"] = .array(targetRefs.map { .object(["group": .string($0.group ?? ""), "kind": .string($0.kind), "name": .string($0.name)]) })
        }
        var metadata: [String: JSONValue] = ["name": .string(name), "namespace": .string(namespace)]
        if managed { metadata["labels"] = .object(["app.kubernetes.io/managed-by": "elevator"]) }
        if dryRun { metadata["annotations"] = .object(["istio.io/dry-run": "true"]) }
        return .object([
            "apiVersion": "security.istio.io/v1", "kind": "AuthorizationPolicy", "metadata": .object(metadata), "spec": .object(spec),
        ])
    }

    static let policy = Fixture.policy { $0.target = PolicyTarget(workloadSelector: LabelSelector(matchLabels: ["app": "payments", "tier": "api"])) }

    @Test(arguments: [
        ([authorizationPolicy("allow-all-ns")], true),
        ([authorizationPolicy("mesh-wide", namespace: "istio-system")], true),
        ([authorizationPolicy("app", selector: ["app": "payments"])], true),
        ([authorizationPolicy("exact", action: "ALLOW", selector: ["app": "payments", "tier": "api"])], true),
        ([authorizationPolicy("narrower", selector: ["app": "payments", "tier": "db"])], false),
        ([authorizationPolicy("other-ns", namespace: "shop")], false),
        ([authorizationPolicy("ours", managed: true)], false),
        ([authorizationPolicy("dry", dryRun: true)], false),
        ([authorizationPolicy("deny", action: "DENY")], false),
        ([authorizationPolicy("audit", action: "AUDIT")], false),
        ([JSONValue](), false),
    ])
    func coversOnlyWithAnUnmanagedAllowOnTheWholeTarget(existing: [JSONValue], covered: Bool) {
        let assessment = IstioBackend().assess(Self.policy, existing: existing)
        #expect((assessment.problem == nil) == covered)
        if !covered { #expect(assessment.problem?.reason == "NoDefaultDeny") }
    }

    @Test func denyPoliciesOnTheTargetAreWarnedAbout() {
        let existing = [
            Self.authorizationPolicy("baseline"), Self.authorizationPolicy("block", action: "DENY", selector: ["app": "payments"]),
            Self.authorizationPolicy("elsewhere", action: "DENY", selector: ["app": "shop"]),
        ]
        let assessment = IstioBackend().assess(Self.policy, existing: existing)
        #expect(assessment.problem == nil)
        #expect(assessment.warnings.count == 1)
        #expect(assessment.warnings.first?.contains("payments/block") == true)
    }

    @Test func targetRefsNeedAnAllowOnTheSameRef() {
        let waypoint = Fixture.policy { $0.target = PolicyTarget(targetRefs: [TargetRef(group: "", kind: "Service", name: "payments")]) }
        let same = Self.authorizationPolicy("svc", targetRefs: [TargetRef(group: "core", kind: "Service", name: "payments")])
        let other = Self.authorizationPolicy("svc2", targetRefs: [TargetRef(kind: "Service", name: "shop")])
        #expect(IstioBackend().assess(waypoint, existing: [same]).problem == nil)
        #expect(IstioBackend().assess(waypoint, existing: [other]).problem != nil)
        // Waypoints ignore namespace-wide selector policies, so those do not count.
        #expect(IstioBackend().assess(waypoint, existing: [Self.authorizationPolicy("ns-wide")]).problem != nil)
    }

    @Test func theMeshRootNamespaceIsConfigurable() {
        let root = [Self.authorizationPolicy("mesh-wide", namespace: "istio-config")]
        #expect(IstioBackend().assess(Self.policy, existing: root).problem != nil)
        #expect(IstioBackend(options: MeshOptions(meshRootNamespace: "istio-config")).assess(Self.policy, existing: root).problem == nil)
    }
}

@Suite struct IstioStatusTests {
    @Test func istiodConditionsAreSummarised() {
        let object: JSONValue = .object([
            "status": .object([
                "conditions": .array([
                    .object(["type": "WaypointAccepted", "status": "True", "reason": "Accepted", "message": "bound to waypoint"]),
                    .object(["type": "ZtunnelAccepted", "status": "False"]),
                ])
            ])
        ])
        #expect(IstioBackend().observedStatus(of: object) == "Istio reports WaypointAccepted=True (Accepted: bound to waypoint); ZtunnelAccepted=False")
        #expect(IstioBackend().observedStatus(of: .object([:])) == nil)
    }
}
