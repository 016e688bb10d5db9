import YAML

extension IstioBackend {
    /// Namespaces, for the ambient labels (`istio.io/dataplane-mode`, `istio.io/use-waypoint`).
    static let namespace = MeshResource(group: "", version: "v1", kind: "Namespace", plural: "namespaces", namespaced: false, optional: true)
    /// Services bound to a waypoint (only those carrying `istio.io/use-waypoint` are cached).
    static let waypointService = MeshResource(
        group: "", version: "v1", kind: "Service", plural: "services", labelSelector: useWaypointLabel, optional: true)
    static let useWaypointLabel = "istio.io/use-waypoint"
    static let dataplaneModeLabel = "istio.io/dataplane-mode"
    /// The policy condition that warns that HTTP fields of the rules would be dropped.
    public static let httpRulesIgnoredCondition = "HTTPRulesIgnored"

    /// Whether ztunnel alone would enforce the policy's target, so the HTTP fields of its rules
    /// (methods, paths) would be dropped and a grant would be narrower than asked (Istio's ALLOW
    /// rules with HTTP attributes never match at ztunnel). Reported as condition
    /// `HTTPRulesIgnored` (True with reason `NoWaypoint` or `ZtunnelOnly`, else False).
    ///
    /// - A `targetRefs` Service with no waypoint (no `istio.io/use-waypoint` label on it or on its
    ///   namespace, or the value `none`): ztunnel ignores targetRefs policies altogether, so nothing
    ///   would enforce the grant (`NoWaypoint`).
    /// - A `workloadSelector` in a namespace labelled `istio.io/dataplane-mode=ambient`: selector
    ///   policies are enforced by ztunnel there, and waypoints ignore them (`ZtunnelOnly`).
    /// A Gateway ref is an Envoy (waypoint or gateway) that enforces HTTP fields.
    func ambientCondition(_ policy: ElevationPolicy, existing: [JSONValue]) -> MeshCondition {
        let namespace = policy.metadata.namespace ?? ""
        let usesHTTP = policy.spec.rules.contains { !($0.methods ?? []).isEmpty || !($0.paths ?? []).isEmpty }
        func ok(_ reason: String, _ message: String) -> MeshCondition {
            MeshCondition(type: Self.httpRulesIgnoredCondition, status: .false, reason: reason, message: message)
        }
        guard usesHTTP else { return ok("NoHTTPRules", "no rule carries methods or paths") }
        let namespaceLabels = existing.first {
            isOne(of: [Self.namespace], $0) && $0["metadata"]?["name"]?.stringValue == namespace
        }?["metadata"]?["labels"]
        if let refs = policy.spec.target.targetRefs {
            let unbound = refs.filter { ref in
                guard ref.kind == "Service", (ref.group ?? "").isEmpty || ref.group == "core" else { return false }
                let service = existing.first {
                    isOne(of: [Self.waypointService], $0) && $0["metadata"]?["namespace"]?.stringValue == namespace
                        && $0["metadata"]?["name"]?.stringValue == ref.name
                }
                let waypoint = service?["metadata"]?["labels"]?[Self.useWaypointLabel]?.stringValue
                    ?? namespaceLabels?[Self.useWaypointLabel]?.stringValue
                return waypoint == nil || waypoint == "none"
            }
            guard unbound.isEmpty else {
                let names = unbound.map { "Service/\($0.name)" }.joined(separator: ", ")
                return MeshCondition(
                    type: Self.httpRulesIgnoredCondition, status: .true, reason: "NoWaypoint",
                    message: "\(names) is bound to no waypoint (no \(Self.useWaypointLabel) label on it or on namespace "
                        + "\(namespace)): ztunnel alone carries its traffic and ignores targetRefs policies and HTTP rules, "
                        + "so grants with methods or paths would not take effect; bind a waypoint")
            }
            return ok("Waypoint", "every target is enforced by a waypoint or gateway, which applies methods and paths")
        }
        if namespaceLabels?[Self.dataplaneModeLabel]?.stringValue == "ambient" {
            return MeshCondition(
                type: Self.httpRulesIgnoredCondition, status: .true, reason: "ZtunnelOnly",
                message: "namespace \(namespace) is in ambient mode, where ztunnel alone enforces workloadSelector "
                    + "policies and drops methods and paths (the grant would be narrower than asked); "
                    + "target a waypoint with targetRefs instead")
        }
        return ok("Sidecar", "the target is enforced by sidecars, which apply methods and paths")
    }
}
