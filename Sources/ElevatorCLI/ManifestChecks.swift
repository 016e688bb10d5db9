import Elevation
import Foundation

/// The semantic checks of requests and approvals that need no cluster, as `(field, message)`
/// pairs. Policies are checked by Elevation's own `ElevationPolicy.problems()`.
enum ManifestChecks {
    /// Problems of a request on its own: subject form, rules, duration, names.
    static func problems(of request: ElevationRequest, mesh: Mesh = .istio) -> [(field: String, message: String)] {
        var problems: [(field: String, message: String)] = []
        let spec = request.spec
        if spec.policy.isEmpty { problems.append(("spec.policy", "is empty; name the ElevationPolicy to ask under")) }
        if spec.requester.user.isEmpty {
            problems.append(("spec.requester.user", "is empty; write your user name (kubectl elevate request fills it)"))
        }
        // The request's subject and rules are checked by the policy validation itself: a probe
        // policy carrying them yields the same messages, at the same paths (spec.rules[i]) or at
        // spec.subjects[0], which is the request's spec.subject.
        var probe = ElevationPolicy(
            metadata: ObjectMeta(name: "probe"),
            spec: ElevationPolicySpec(
                target: PolicyTarget(workloadSelector: LabelSelector(matchLabels: ["app": "probe"])),
                subjects: [spec.subject], rules: spec.rules ?? [AccessRule(ports: ["1"])], mesh: mesh))
        if mesh == .linkerd { probe.spec.target = PolicyTarget(linkerdServer: "probe") }
        for problem in probe.problems() {
            if problem.field.hasPrefix("spec.rules"), spec.rules != nil {
                problems.append((problem.field, problem.message))
            } else if problem.field.hasPrefix("spec.subjects[0]") {
                problems.append(("spec.subject" + problem.field.dropFirst("spec.subjects[0]".count), problem.message))
            }
        }
        if let account = spec.subject.serviceAccount, account.name == "*" || account.namespace == "*" {
            problems.append(("spec.subject.serviceAccount", "a request names one service account; \"*\" is only for policies"))
        }
        if let rules = spec.rules, rules.isEmpty {
            problems.append(("spec.rules", "is empty; omit it to ask for all of the policy's rules, or list the rules you need"))
        }
        if let duration = spec.duration {
            do {
                if try GoDuration.parse(duration).nanoseconds <= 0 {
                    problems.append(("spec.duration", "\"\(duration)\" must be longer than 0s"))
                }
            } catch {
                problems.append(("spec.duration", error.description))
            }
        }
        if let extends = spec.extends, extends.isEmpty {
            problems.append(("spec.extends", "is empty; name the Active request this one continues, or remove the field"))
        }
        return problems
    }

    /// Problems of an approval on its own.
    static func problems(of approval: ElevationApproval) -> [(field: String, message: String)] {
        var problems: [(field: String, message: String)] = []
        if approval.spec.request.isEmpty { problems.append(("spec.request", "is empty; name the ElevationRequest you decide on")) }
        if approval.spec.requestUID.isEmpty {
            problems.append(("spec.requestUID", "is empty; copy the request's metadata.uid (kubectl elevate approve fills it)"))
        }
        if approval.spec.approver.user.isEmpty {
            problems.append(("spec.approver.user", "is empty; write your user name (kubectl elevate approve fills it)"))
        }
        return problems
    }

    /// The field a denial of a request is about, for denials a request's author can fix; nil for
    /// denials that depend on the cluster's state (limits, `extends`, approvals, readiness).
    static func field(of reason: DenialReason) -> String? {
        switch reason {
        case .requesterNotAllowed: return "spec.requester"
        case .subjectNotAllowed: return "spec.subject"
        case .ruleNotAllowed: return "spec.rules"
        case .invalidDuration, .durationTooLong: return "spec.duration"
        case .reasonRequired: return "spec.reason"
        case .breakGlassNotAllowed: return "spec.breakGlass"
        case .policyNotFound, .policyNotReady, .policySuspended, .maxActiveGrants, .maxActivePerRequester,
            .extendsInvalid, .approverDenied, .specChanged, .unsupportedMesh:
            return nil
        }
    }

    /// Why `request` would be denied under `policy` whatever the cluster's state, or nil: `decide`
    /// with no other grants, no approvals and the policy not suspended.
    static func denial(of request: ElevationRequest, under policy: ElevationPolicy, now: Date) -> (field: String, message: String)? {
        var request = request
        request.status = nil
        request.spec.extends = nil
        request.spec.revoked = nil
        request.metadata.deletionTimestamp = nil
        request.metadata.creationTimestamp = now
        var policy = policy
        policy.spec.suspended = nil
        let decision = decide(request: request, policy: policy, approvals: [], activeGrants: [], now: now)
        guard decision.status.phase == .denied,
            let condition = decision.status.conditions?[type: "Valid"],
            let reason = DenialReason(rawValue: condition.reason), let field = field(of: reason)
        else { return nil }
        return (field, "would be denied under ElevationPolicy \(policy.metadata.name) (\(reason.rawValue)): \(condition.message)")
    }
}
