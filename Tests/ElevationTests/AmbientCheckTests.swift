import Foundation
import Testing
import YAML

@testable import Elevation

/// Istio ambient mode: targetRefs are rendered as targetRefs (never beside a selector), and a
/// policy whose HTTP fields ztunnel alone would see is flagged `HTTPRulesIgnored=True`.
@Suite struct AmbientCheckTests {
    static func namespace(_ labels: [String: String]) -> JSONValue {
        .object([
            "apiVersion": "v1", "kind": "Namespace",
            "metadata": .object(["name": "payments", "labels": .object(labels.mapValues(JSONValue.string))]),
        ])
    }

    static func service(_ name: String, waypoint: String) -> JSONValue {
        .object([
            "apiVersion": "v1", "kind": "Service",
            "metadata": .object([
                "name": .string(name), "namespace": "payments", "labels": .object(["istio.io/use-waypoint": .string(waypoint)]),
            ]),
        ])
    }

    static func policy(target: PolicyTarget, http: Bool = true) -> ElevationPolicy {
        Fixture.policy { spec in
            spec.target = target
            spec.rules = [http ? AccessRule(ports: ["8080"], methods: ["GET"], paths: ["/admin/*"]) : AccessRule(ports: ["8080"])]
        }
    }

    static let serviceRef = PolicyTarget(targetRefs: [TargetRef(group: "", kind: "Service", name: "payments")])
    static let selector = PolicyTarget(workloadSelector: LabelSelector(matchLabels: ["app": "payments"]))

    @Test(arguments: [
        ("service without waypoint", serviceRef, true, [JSONValue](), "True", "NoWaypoint"),
        ("namespace bound to a waypoint", serviceRef, true, [namespace(["istio.io/use-waypoint": "waypoint"])], "False", "Waypoint"),
        ("service bound to a waypoint", serviceRef, true, [service("payments", waypoint: "waypoint")], "False", "Waypoint"),
        ("service opting out of the namespace waypoint", serviceRef, true,
         [namespace(["istio.io/use-waypoint": "waypoint"]), service("payments", waypoint: "none")], "True", "NoWaypoint"),
        ("another service's waypoint", serviceRef, true, [service("shop", waypoint: "waypoint")], "True", "NoWaypoint"),
        ("a gateway is an Envoy", PolicyTarget(targetRefs: [TargetRef(group: "gateway.networking.k8s.io", kind: "Gateway", name: "waypoint")]),
         true, [], "False", "Waypoint"),
        ("ports only", serviceRef, false, [], "False", "NoHTTPRules"),
        ("selector in an ambient namespace", selector, true, [namespace(["istio.io/dataplane-mode": "ambient"])], "True", "ZtunnelOnly"),
        ("selector with sidecars", selector, true, [namespace([:])], "False", "Sidecar"),
    ])
    func httpRulesIgnoredWhenZtunnelAloneWouldSeeThem(
        _ name: String, target: PolicyTarget, http: Bool, existing: [JSONValue], status: String, reason: String
    ) {
        let condition = IstioBackend().ambientCondition(Self.policy(target: target, http: http), existing: existing)
        #expect(condition.type == "HTTPRulesIgnored", "\(name)")
        #expect(condition.status.rawValue == status, "\(name)")
        #expect(condition.reason == reason, "\(name)")
    }

    @Test func theWarningIsInTheReadyMessageButDoesNotStopGrants() {
        let baseline = DefaultDenyGuardTests.authorizationPolicy("waypoint-baseline", targetRefs: [TargetRef(group: "", kind: "Service", name: "payments")])
        let readiness = Self.policy(target: Self.serviceRef).readiness(backends: MeshBackends.all(), meshObjects: [baseline])
        #expect(readiness.isReady)
        #expect(readiness.message.contains("bound to no waypoint"))
        #expect(readiness.conditions.map(\.type) == ["HTTPRulesIgnored"])
        let status = Self.policy(target: Self.serviceRef).nextStatus(readiness: readiness, activeGrants: 0, now: Fixture.at(0))
        #expect(status.conditions?.map(\.type).sorted() == ["HTTPRulesIgnored", "Ready"])
    }

    @Test func aTargetWithBothSelectorAndTargetRefsIsNeverRendered() {
        let both = PolicyTarget(
            workloadSelector: LabelSelector(matchLabels: ["app": "payments"]), targetRefs: [TargetRef(group: "", kind: "Service", name: "payments")])
        #expect(throws: ElevationError.self) { try IstioBackend().render(IstioBackendTests.grant(target: both)) }
        let refsOnly = try? IstioBackend().render(IstioBackendTests.grant(target: Self.serviceRef)).first
        #expect(refsOnly?["spec"]?["selector"] == nil && refsOnly?["spec"]?["targetRefs"] != nil)
    }
}
