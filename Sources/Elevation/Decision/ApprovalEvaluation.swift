import Foundation

/// The approvals that count for a request, the ones that do not (and why), and the stage
/// assignment of the approving ones.
struct ApprovalEvaluation {
    /// Bound to the request, by a member of some stage, not by the requester; oldest first.
    var valid: [ElevationApproval] = []
    var ignored: [IgnoredApproval] = []
    let stages: [ApprovalStage]

    init(request: ElevationRequest, stages: [ApprovalStage], approvals: [ElevationApproval]) {
        self.stages = stages
        let mine = approvals.filter {
            $0.spec.request == request.metadata.name
                && ($0.metadata.namespace == nil || $0.metadata.namespace == request.metadata.namespace)
        }
        .sorted {
            ($0.metadata.creationTimestamp ?? .distantPast, $0.metadata.name)
                < ($1.metadata.creationTimestamp ?? .distantPast, $1.metadata.name)
        }
        for approval in mine {
            let approver = approval.spec.approver
            if approval.spec.requestUID != request.metadata.uid {
                ignored.append(
                    IgnoredApproval(
                        approval: approval.metadata.name, approver: approver.user, cause: .otherRequestUID,
                        message: "ElevationApproval \(approval.metadata.name) is for requestUID \(approval.spec.requestUID), "
                            + "not this request's \(request.metadata.uid ?? "(none)"); it was made for an earlier object of the same name"))
            } else if approver.user == request.spec.requester.user {
                ignored.append(
                    IgnoredApproval(
                        approval: approval.metadata.name, approver: approver.user, cause: .selfApproval,
                        message: "ElevationApproval \(approval.metadata.name) is by the requester \(approver.user), "
                            + "who can never approve their own request"))
            } else if !stages.contains(where: { $0.includes(approver) }) {
                ignored.append(
                    IgnoredApproval(
                        approval: approval.metadata.name, approver: approver.user, cause: .notAnApprover,
                        message: "ElevationApproval \(approval.metadata.name) is by \(approver.user), who belongs to no "
                            + "approval stage of the policy"))
            } else {
                valid.append(approval)
            }
        }
    }

    /// The first valid Deny, if any: one is enough to deny the request.
    var firstDeny: ElevationApproval? { valid.first { $0.spec.decision == .deny } }

    /// The first valid Approve, for break-glass review.
    var firstApprove: ElevationApproval? { valid.first { $0.spec.decision == .approve } }

    /// The stage assignment of the approving people.
    var assignment: StageAssignment {
        StageAssignment(stages: stages, approvers: valid.filter { $0.spec.decision == .approve }.map(\.spec.approver))
    }

    /// Status records of the counted approvals, with the time of each person's first approval.
    func records(_ assignment: StageAssignment) -> [ApprovalRecord] {
        assignment.counted.map { approver, stage in
            let approval = valid.first { $0.spec.approver.user == approver && $0.spec.decision == .approve }
            return ApprovalRecord(approver: approver, stage: stage, decision: .approve, at: approval?.metadata.creationTimestamp)
        }
    }

    /// The names of the stages `identity` can approve for, for messages.
    func stageNames(of identity: Identity) -> String {
        stages.filter { $0.includes(identity) }.map(\.name).joined(separator: ", ")
    }
}
