import Foundation
import YAML

/// Whether a policy can grant, as its `Ready` condition says.
public struct PolicyReadiness: Hashable, Sendable {
    /// True when requests under the policy may be granted.
    public var isReady: Bool
    /// `Valid`, or the reason of the first problem (`InvalidPath`, `NoDefaultDeny`, ...).
    public var reason: String
    /// What is wrong (naming the field), or what the policy allows; mesh warnings appended.
    public var message: String
    /// The backend's extra conditions (written beside `Ready`); empty without a mesh check.
    public var conditions: [MeshCondition] = []
}

extension ElevationPolicy {
    /// The readiness of this policy: its own validity (`problems()`), a backend for its mesh, and
    /// the mesh check (default-deny guard) over `meshObjects` when given.
    public func readiness(backends: [any MeshBackend], meshObjects: [JSONValue]?) -> PolicyReadiness {
        let problems = problems()
        if let first = problems.first {
            let more = problems.count > 1 ? " (and \(problems.count - 1) more problems)" : ""
            return PolicyReadiness(isReady: false, reason: first.reason, message: first.display + more)
        }
        guard let backend = backends.first(where: { $0.mesh == spec.effectiveMesh }) else {
            return PolicyReadiness(
                isReady: false, reason: "UnsupportedMesh",
                message: "spec.mesh: this controller cannot write grants for \(spec.effectiveMesh.rawValue): the cluster did "
                    + "not serve that mesh's CRDs when the controller started; install them and restart the controller")
        }
        var warnings: [String] = []
        var conditions: [MeshCondition] = []
        if let meshObjects {
            let assessment = backend.assess(self, existing: meshObjects)
            if let problem = assessment.problem {
                return PolicyReadiness(
                    isReady: false, reason: problem.reason,
                    message: ([problem.display] + assessment.warnings).joined(separator: "; "), conditions: assessment.conditions)
            }
            warnings = assessment.warnings
            conditions = assessment.conditions
        }
        let summary = "grants \(spec.rules.map(\.display).joined(separator: "; ")) on \(spec.target.display)"
        return PolicyReadiness(
            isReady: true, reason: "Valid", message: ([summary] + warnings).joined(separator: "; "), conditions: conditions)
    }

    /// The status to write: `observedGeneration`, `activeGrants` and the `Ready` condition, whose
    /// `lastTransitionTime` moves only when readiness flips.
    public func nextStatus(readiness: PolicyReadiness, activeGrants: Int, now: Date) -> ElevationPolicyStatus {
        var status = self.status ?? ElevationPolicyStatus()
        status.observedGeneration = metadata.generation
        status.activeGrants = activeGrants
        var conditions = status.conditions ?? []
        conditions.set(
            "Ready", readiness.isReady ? .true : .false, reason: readiness.reason, message: readiness.message,
            observedGeneration: metadata.generation, now: Date(timeIntervalSince1970: now.timeIntervalSince1970.rounded(.down)))
        for extra in readiness.conditions {
            conditions.set(
                extra.type, extra.status, reason: extra.reason, message: extra.message,
                observedGeneration: metadata.generation, now: Date(timeIntervalSince1970: now.timeIntervalSince1970.rounded(.down)))
        }
        status.conditions = conditions
        return status
    }
}
