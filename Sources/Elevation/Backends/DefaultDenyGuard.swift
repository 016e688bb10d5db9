import YAML

extension IstioBackend {
    /// The default-deny guard of API.md: granting is safe only when an ALLOW AuthorizationPolicy
    /// that Elevator does not manage already applies to the whole target, so the grant's ALLOW
    /// cannot turn the workload default-deny for everyone else.
    ///
    /// Counts: ALLOW policies (action absent or `ALLOW`) in the policy's namespace or the mesh
    /// root namespace, not managed by Elevator, not in dry-run, that have no selector and no
    /// targetRefs, or a `matchLabels` that is a subset of the target's; for a `targetRefs`
    /// target, ones naming each of the same refs. DENY policies that would apply are returned
    /// as warnings (a DENY beats any ALLOW). Non-Istio objects in `existing` are ignored.
    public func assess(_ policy: ElevationPolicy, existing: [JSONValue]) -> MeshAssessment {
        let namespace = policy.metadata.namespace ?? ""
        var covering: [String] = []
        var denying: [String] = []
        for object in existing {
            guard isOne(of: [Self.authorizationPolicy], object) else { continue }
            let objectNamespace = object["metadata"]?["namespace"]?.stringValue ?? ""
            guard objectNamespace == namespace || objectNamespace == options.meshRootNamespace else { continue }
            if ManagedMetadata.isManaged(object) { continue }
            if object["metadata"]?["annotations"]?["istio.io/dry-run"]?.stringValue == "true" { continue }
            guard appliesToWholeTarget(object["spec"] ?? .object([:]), target: policy.spec.target) else { continue }
            let name = "\(objectNamespace)/\(object["metadata"]?["name"]?.stringValue ?? "")"
            switch object["spec"]?["action"]?.stringValue ?? "ALLOW" {
            case "ALLOW": covering.append(name)
            case "DENY": denying.append(name)
            default: continue
            }
        }
        let ambient = ambientCondition(policy, existing: existing)
        var warnings = denying.sorted().map {
            "DENY AuthorizationPolicy \($0) applies to the target and beats any grant, so grants may be ineffective"
        }
        if ambient.status == .true { warnings.append(ambient.message) }
        guard !covering.isEmpty else {
            return MeshAssessment(
                problem: PolicyProblem(
                    reason: "NoDefaultDeny", field: "spec.target",
                    message: "no ALLOW AuthorizationPolicy outside Elevator covers \(policy.spec.target.display) in "
                        + "\(namespace) or \(options.meshRootNamespace), so a grant would deny all its other traffic; "
                        + "apply a baseline ALLOW policy for this target first"),
                warnings: warnings, conditions: [ambient])
        }
        return MeshAssessment(problem: nil, warnings: warnings, conditions: [ambient])
    }

    private func appliesToWholeTarget(_ spec: JSONValue, target: PolicyTarget) -> Bool {
        let selector = spec["selector"]?["matchLabels"]?.objectValue
        let refs = (spec["targetRefs"]?.arrayValue ?? []) + (spec["targetRef"].map { [$0] } ?? [])
        if let targetRefs = target.targetRefs {
            // Waypoints ignore selector and namespace-wide policies: only the same refs count.
            let existingRefs = refs.compactMap { ref -> TargetRef? in
                guard let kind = ref["kind"]?.stringValue, let name = ref["name"]?.stringValue else { return nil }
                return TargetRef(group: ref["group"]?.stringValue, kind: kind, name: name)
            }
            return !targetRefs.isEmpty && targetRefs.allSatisfy { wanted in existingRefs.contains { $0.sameTarget(as: wanted) } }
        }
        guard refs.isEmpty, let labels = target.workloadSelector?.matchLabels else { return false }
        guard let selector, !selector.isEmpty else { return true }
        return selector.allSatisfy { key, value in value.stringValue != nil && labels[key] == value.stringValue }
    }
}
