import Foundation
import YAML

/// An Active request: revoke when its policy is gone or suspended, expire when the window has
/// closed, take a break-glass review, warn once before the end (unless an Active extension
/// already continues it); otherwise keep the grant.
func decideActive(
    _ builder: inout DecisionBuilder, policy: ElevationPolicy?, approvals: [ElevationApproval],
    activeGrants: [ElevationRequest], environment: DecisionEnvironment
) -> Decision {
    let request = builder.request
    guard let grantedAt = builder.old.grantedAt, let expiresAt = builder.old.expiresAt else {
        return builder.revoke("StatusLost", "the Active status lost grantedAt or expiresAt; the grant is withdrawn", kind: .warning)
    }
    if builder.now >= expiresAt {
        return builder.expire("the window closed at \(RFC3339.format(expiresAt))")
    }
    guard let policy else {
        return builder.revoke("PolicyDeleted", "ElevationPolicy \(request.spec.policy) was deleted", kind: .warning)
    }
    if policy.spec.suspended == true {
        return builder.revoke("PolicySuspended", "ElevationPolicy \(policy.metadata.name) was suspended", kind: .warning)
    }
    guard let backend = environment.backends.first(where: { $0.mesh == policy.spec.effectiveMesh }) else {
        return builder.revoke("UnsupportedMesh", "ElevationPolicy \(policy.metadata.name) moved to a mesh this controller cannot write", kind: .warning)
    }
    if request.spec.breakGlass == true, builder.oldConditions[type: "Reviewed"]?.status != .true {
        let evaluation = ApprovalEvaluation(request: request, stages: policy.spec.approval?.stages ?? [], approvals: approvals)
        builder.ignored = evaluation.ignored
        if let deny = evaluation.firstDeny {
            let comment = deny.spec.comment.map { ": \($0)" } ?? ""
            builder.condition("Reviewed", .true, "ReviewDenied", "\(deny.spec.approver.user) rejected the break-glass grant\(comment)")
            return builder.revoke(
                "ReviewDenied", "\(deny.spec.approver.user) rejected the break-glass grant in review\(comment)", kind: .warning)
        }
        if let approve = evaluation.firstApprove {
            let stage = evaluation.stages.first { $0.includes(approve.spec.approver) }?.name ?? ""
            builder.status.approvals = [
                ApprovalRecord(approver: approve.spec.approver.user, stage: stage, decision: .approve, at: approve.metadata.creationTimestamp)
            ]
            builder.condition("Reviewed", .true, "Reviewed", "reviewed by \(approve.spec.approver.user) (stage \(stage))")
            builder.event(.normal, "Reviewed", "break-glass grant reviewed by \(approve.spec.approver.user)", notify: false)
        }
    }
    let rules = request.spec.rules ?? policy.spec.rules
    let grant = Grant(
        requestName: request.metadata.name, namespace: request.metadata.namespace ?? "",
        requestUID: request.metadata.uid ?? "", policyName: policy.metadata.name, requester: request.spec.requester.user,
        mesh: policy.spec.effectiveMesh, target: policy.spec.target, subject: request.spec.subject, rules: rules,
        grantedAt: grantedAt, expiresAt: expiresAt, breakGlass: request.spec.breakGlass == true)
    let objects: [JSONValue]
    do { objects = try backend.render(grant) } catch {
        return builder.revoke("PolicyChanged", error.description, kind: .warning)
    }
    builder.status.grant = backend.references(for: grant)
    let durationText = request.spec.duration ?? policy.spec.effectiveDefaultDuration
    let window = (try? GoDuration.parse(durationText))?.timeInterval ?? expiresAt.timeIntervalSince(grantedAt)
    let warnAt = Grant.warningTime(expiresAt: expiresAt, window: min(window, expiresAt.timeIntervalSince(grantedAt)))
    let warned = builder.oldConditions[type: "Granted"]?.reason == "ExpiringSoon"
    let extended = activeGrants.contains {
        $0.phase == .active && $0.spec.extends == request.metadata.name && $0.metadata.uid != request.metadata.uid
    }
    if builder.now >= warnAt, !warned, !extended {
        let message = "the grant ends at \(RFC3339.format(expiresAt)); ask for an extension now if it is still needed"
        builder.condition("Granted", .true, "ExpiringSoon", message)
        builder.event(.normal, "ExpiringSoon", message, notify: true)
    }
    let nextReview = builder.now >= warnAt ? expiresAt : warnAt
    return builder.finish(grant: grant, meshObjects: objects, nextReview: nextReview)
}
