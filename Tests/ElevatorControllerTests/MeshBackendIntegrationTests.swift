import ElevatorController
import Foundation
import Kube
import Testing
import YAML

extension ControllerIntegrationTests {
    /// What the controller does with each mesh's own preconditions: a Linkerd Server that must
    /// exist, a mesh whose CRDs the cluster lacks, and Istio ambient targetRefs.
    @Suite(.timeLimit(.minutes(1))) struct MeshBackendIntegrationTests {
        static let namespaces = Kube.ResourceType(group: "", version: "v1", plural: "namespaces", kind: "Namespace", namespaced: false)

        static func condition(_ harness: Harness, _ type: String, policy: String = "payments-debug") async throws -> (status: String?, reason: String?, message: String?) {
            let object = try await harness.get(Harness.policies, policy)
            let condition = object?["status"]?["conditions"]?.arrayValue?.first { $0["type"]?.stringValue == type }
            return (condition?["status"]?.stringValue, condition?["reason"]?.stringValue, condition?["message"]?.stringValue)
        }

        static func linkerdPolicy(rules: String = #"[{ports: ["8080"]}]"#) -> String {
            """
            apiVersion: elevator.dev/v1alpha1
            kind: ElevationPolicy
            metadata: {name: payments-debug, namespace: payments}
            spec:
              mesh: linkerd
              target: {linkerdServer: payments-http}
              subjects: [{serviceAccount: {namespace: tools, name: debugger}}]
              rules: \(rules)
              maxDuration: 1h
            """
        }

        @Test func aLinkerdPolicyIsNotReadyUntilItsServerExistsAndItsRequestsAreDeniedMeanwhile() async throws {
            let harness = try await Harness(mesh: .linkerd)
            try await harness.apply("{apiVersion: v1, kind: Namespace, metadata: {name: payments}}", Self.namespaces)
            try await harness.apply(Self.linkerdPolicy(), Harness.policies)
            try await waitFor("Ready=False ServerNotFound") { try await Self.condition(harness, "Ready").reason == "ServerNotFound" }
            #expect(try await Self.condition(harness, "Ready").message?.contains("no Linkerd Server payments-http") == true)
            _ = try await harness.request("inc-80", duration: "5m")
            try await harness.waitForPhase("inc-80", "Denied")
            let denied = try await harness.get(Harness.requests, "inc-80")
            let granted = denied?["status"]?["conditions"]?.arrayValue?.first { $0["type"]?.stringValue == "Granted" }
            #expect(granted?["message"]?.stringValue?.contains("ServerNotFound") == true)
            #expect(try await harness.client.list(JSONValue.self, Harness.linkerdServers, namespace: "payments").items.isEmpty, "Elevator never creates a Server")
            // The Server appears: the policy is re-checked without being edited, and grants work.
            try await harness.installPolicy(approval: "    stages: []")
            try await waitFor("Ready=True") { try await Self.condition(harness, "Ready").status == "True" }
            _ = try await harness.request("inc-81", duration: "5m")
            try await harness.waitForPhase("inc-81", "Active")
            #expect(try await harness.get(Harness.linkerdAuthorizationPolicies, "elevator-inc-81") != nil)
            await harness.stop()
        }

        @Test func aLinkerdPolicyWithMethodsOrPathsIsUnsupportedRule() async throws {
            let harness = try await Harness(mesh: .linkerd)
            try await harness.installPolicy()
            try await harness.apply(Self.linkerdPolicy(rules: #"[{ports: ["8080"], methods: [GET], paths: ["/admin/*"]}]"#), Harness.policies)
            try await waitFor("Ready=False UnsupportedRule") { try await Self.condition(harness, "Ready").reason == "UnsupportedRule" }
            #expect(try await Self.condition(harness, "Ready").message?.contains("spec.rules[0]") == true)
            await harness.stop()
        }

        @Test func withoutLinkerdCRDsTheControllerStillServesIstioAndSaysLinkerdIsUnsupported() async throws {
            let harness = try await Harness(crds: ["manifests/crds", "manifests/mesh-crds/istio-authorizationpolicy.yaml"])
            try await harness.installPolicy()
            _ = try await harness.request("inc-82", duration: "5s")
            try await harness.waitForPhase("inc-82", "Active")
            try await harness.apply(Self.linkerdPolicy().replacingOccurrences(of: "payments-debug", with: "payments-linkerd"), Harness.policies)
            try await waitFor("Ready=False UnsupportedMesh") {
                try await Self.condition(harness, "Ready", policy: "payments-linkerd").reason == "UnsupportedMesh"
            }
            await harness.stop()
        }

        @Test func ambientTargetRefsWarnUntilAWaypointIsBoundAndGrantsUseTargetRefs() async throws {
            let harness = try await Harness()
            try await harness.apply("{apiVersion: v1, kind: Namespace, metadata: {name: payments}}", Self.namespaces)
            try await harness.apply(
                """
                apiVersion: security.istio.io/v1
                kind: AuthorizationPolicy
                metadata: {name: baseline-waypoint, namespace: payments}
                spec:
                  targetRefs: [{group: "", kind: Service, name: payments}]
                  action: ALLOW
                  rules: [{from: [{source: {namespaces: [payments]}}]}]
                """, Harness.authorizationPolicies)
            try await harness.apply(
                """
                apiVersion: elevator.dev/v1alpha1
                kind: ElevationPolicy
                metadata: {name: payments-debug, namespace: payments}
                spec:
                  target: {targetRefs: [{group: "", kind: Service, name: payments}]}
                  subjects: [{serviceAccount: {namespace: tools, name: debugger}}]
                  rules: [{ports: ["8080"], methods: [GET, POST], paths: ["/admin/*"]}]
                  maxDuration: 1h
                """, Harness.policies)
            try await waitFor("HTTPRulesIgnored=True") { try await Self.condition(harness, "HTTPRulesIgnored").reason == "NoWaypoint" }
            #expect(try await Self.condition(harness, "Ready").status == "True")
            #expect(try await Self.condition(harness, "HTTPRulesIgnored").status == "True")
            #expect(try await Self.condition(harness, "Ready").message?.contains("bound to no waypoint") == true)
            _ = try await harness.request("inc-83", duration: "5m")
            try await harness.waitForPhase("inc-83", "Active")
            let object = try #require(try await harness.get(Harness.authorizationPolicies, "elevator-inc-83"))
            #expect(object["spec"]?["targetRefs"]?[0]?["name"] == .string("payments"))
            #expect(object["spec"]?["selector"] == nil)
            // Binding the namespace to a waypoint clears the warning without editing the policy.
            try await harness.apply(
                "{apiVersion: v1, kind: Namespace, metadata: {name: payments, labels: {istio.io/use-waypoint: waypoint}}}", Self.namespaces)
            try await waitFor("HTTPRulesIgnored=False") { try await Self.condition(harness, "HTTPRulesIgnored").status == "False" }
            #expect(try await Self.condition(harness, "HTTPRulesIgnored").reason == "Waypoint")
            await harness.stop()
        }
    }
}
