import Foundation
import YAML

/// Decides what a request's state must be at `now`: the single pure function behind every
/// transition of API.md "Life of a request".
///
/// - Parameters:
///   - request: the request as stored (spec and current status).
///   - policy: its ElevationPolicy, or nil when it does not exist.
///   - approvals: ElevationApprovals of the namespace (others are filtered out here).
///   - activeGrants: the other requests of the namespace (only Active ones count), for limits and `extends`.
///   - now: the decision time; nothing here reads a clock.
///   - environment: identity verification, the mesh's existing objects, the backends.
///
/// Guarantees: terminal phases (Expired, Revoked, Denied) never change; written timestamps are
/// never cleared; a grant allows exactly the request's subject and rules (or the policy's rules
/// when the request names none) on the policy's target; the spec hash recorded at the first
/// decision is checked at every later one. The same inputs always give the same `Decision`.
public func decide(
    request: ElevationRequest, policy: ElevationPolicy?, approvals: [ElevationApproval],
    activeGrants: [ElevationRequest], now: Date, environment: DecisionEnvironment = DecisionEnvironment()
) -> Decision {
    var builder = DecisionBuilder(request: request, now: now)
    if builder.old.phase?.isTerminal == true { return builder.finish() }
    builder.status.observedGeneration = request.metadata.generation
    let hash = currentSpecHash(request, recorded: builder.old)
    if let recorded = builder.old.specHash, recorded != hash {
        return builder.deny(
            Denial(.specChanged, "the spec changed after the controller first decided (recorded \(recorded), now \(hash))"))
    }
    builder.status.specHash = hash
    if request.spec.revoked == true {
        return builder.revoke("Revoked", "spec.revoked was set to true")
    }
    if request.metadata.deletionTimestamp != nil {
        return builder.revoke("Deleted", "the request is being deleted")
    }
    if builder.old.phase == .active {
        return decideActive(
            &builder, policy: policy, approvals: approvals, activeGrants: activeGrants, environment: environment)
    }
    return decidePending(&builder, policy: policy, approvals: approvals, activeGrants: activeGrants, environment: environment)
}

/// The hash of the request's spec. The API server moves `metadata.generation` on every change to
/// a custom resource's spec, so a hash recorded by the decision that observed this generation is
/// this spec's hash; hashing again (encoding and SHA-256 at every reconcile) was 5% of the
/// controller's CPU at 500 grants/s. Any other case (first decision, a newer generation, no
/// generation at all) hashes the spec.
private func currentSpecHash(_ request: ElevationRequest, recorded status: ElevationRequestStatus) -> String {
    if let recorded = status.specHash, let observed = status.observedGeneration, observed == request.metadata.generation {
        return recorded
    }
    return request.spec.specHash
}

/// Pending (or not yet decided): validate, then grant, wait for approval, or expire.
private func decidePending(
    _ builder: inout DecisionBuilder, policy: ElevationPolicy?, approvals: [ElevationApproval],
    activeGrants: [ElevationRequest], environment: DecisionEnvironment
) -> Decision {
    let request = builder.request
    builder.status.phase = .pending
    guard environment.identityVerified else {
        let message = "the ValidatingAdmissionPolicies that check requester and approver identities are not installed; "
            + "nothing is granted until they are (or the controller runs with --allow-unverified-identity)"
        if builder.oldConditions[type: "Valid"]?.reason != "IdentityUnverified" {
            builder.event(.warning, "IdentityUnverified", message, notify: false)
        }
        builder.condition("Valid", .false, "IdentityUnverified", message)
        builder.condition("Granted", .false, "Pending", "not granted: identity is unverified")
        return builder.finish()
    }
    guard let policy else {
        return builder.deny(
            Denial(
                .policyNotFound,
                "ElevationPolicy \(request.spec.policy) does not exist in namespace \(request.metadata.namespace ?? "")"))
    }
    guard let backend = environment.backends.first(where: { $0.mesh == policy.spec.effectiveMesh }) else {
        return builder.deny(
            Denial(.unsupportedMesh, "ElevationPolicy \(policy.metadata.name) is for mesh \(policy.spec.effectiveMesh.rawValue), which this controller cannot write (its CRDs were not served when the controller started)"))
    }
    // The mesh check waits for the grant (it is re-checked at every grant, with the freshest objects).
    let readiness = policy.readiness(backends: environment.backends, meshObjects: nil)
    if !readiness.isReady {
        return builder.deny(
            Denial(.policyNotReady, "ElevationPolicy \(policy.metadata.name) is not Ready: \(readiness.reason): \(readiness.message)"))
    }
    let checks = RequestChecks(request: request, policy: policy, activeGrants: activeGrants)
    let checked: CheckedRequest
    switch checks.validate() {
    case .failure(let denial): return builder.deny(denial)
    case .success(let value): checked = value
    }
    let stages = policy.spec.approval?.stages ?? []
    let evaluation = ApprovalEvaluation(request: request, stages: stages, approvals: approvals)
    builder.ignored = evaluation.ignored
    builder.condition("Valid", .true, "Valid", "the request lies within ElevationPolicy \(policy.metadata.name)")
    if request.spec.breakGlass == true {
        builder.condition("Approved", .true, "BreakGlass", "granted at once under break-glass; an approver must review it")
        return grant(&builder, checked: checked, policy: policy, backend: backend, checks: checks, environment: environment)
    }
    if checks.isAutoApproved(duration: checked.duration) {
        builder.condition("Approved", .true, "AutoApproved", "the request meets the policy's autoApprove conditions")
        return grant(&builder, checked: checked, policy: policy, backend: backend, checks: checks, environment: environment)
    }
    if stages.isEmpty {
        builder.condition("Approved", .true, "NoApprovalRequired", "ElevationPolicy \(policy.metadata.name) has no approval stages")
        return grant(&builder, checked: checked, policy: policy, backend: backend, checks: checks, environment: environment)
    }
    let created = request.metadata.creationTimestamp ?? builder.stamp
    let timeoutText = policy.spec.approval?.timeout ?? "1h"
    let timeout = (try? GoDuration.parse(timeoutText)) ?? .seconds(3600)
    let deadline = created.addingTimeInterval(timeout.timeInterval)
    var counted = evaluation
    if builder.now >= deadline {
        // Decisions that arrived after the deadline are too late to count, either way.
        counted.valid = evaluation.valid.filter { ($0.metadata.creationTimestamp ?? deadline) < deadline }
    }
    if let deny = counted.firstDeny {
        let comment = deny.spec.comment.map { ": \($0)" } ?? ""
        builder.status.approvals = [
            ApprovalRecord(
                approver: deny.spec.approver.user,
                stage: stages.first { $0.includes(deny.spec.approver) }?.name ?? "",
                decision: .deny, at: deny.metadata.creationTimestamp)
        ]
        return builder.deny(
            Denial(
                .approverDenied,
                "\(deny.spec.approver.user) (stage \(counted.stageNames(of: deny.spec.approver))) denied the request\(comment)"))
    }
    let assignment = counted.assignment
    let records = counted.records(assignment)
    // An empty list is not written where there was none, so a quiet Pending request stays unchanged.
    builder.status.approvals = records.isEmpty && builder.old.approvals == nil ? nil : records
    if assignment.isComplete {
        let who = assignment.counted.map { "\($0.approver) (\($0.stage))" }.joined(separator: ", ")
        builder.condition("Approved", .true, "Approved", "approved by \(who)")
        return grant(&builder, checked: checked, policy: policy, backend: backend, checks: checks, environment: environment)
    }
    let needed = assignment.missing.map { "\($0.stage) needs \($0.needed) more" }.joined(separator: ", ")
    builder.status.expiresAt = deadline
    if builder.now >= deadline {
        builder.condition("Approved", .false, "ApprovalTimeout", "not approved within approval.timeout \(timeoutText) (\(needed))")
        return builder.expire("not approved by \(RFC3339.format(deadline)); nothing was granted")
    }
    if let limitDenial = checks.checkLimits() { return builder.deny(limitDenial) }
    let message = "waiting for approval: \(needed); deadline \(RFC3339.format(deadline))"
    if builder.old.phase == nil || builder.oldConditions[type: "Approved"]?.reason != "PendingApproval" {
        builder.event(.normal, "PendingApproval", message, notify: true)
    }
    builder.condition("Approved", .false, "PendingApproval", message)
    builder.condition("Granted", .false, "Pending", "not granted yet")
    return builder.finish(nextReview: deadline)
}

/// The transition to Active: limits and the default-deny guard are re-checked here, at grant time.
private func grant(
    _ builder: inout DecisionBuilder, checked: CheckedRequest, policy: ElevationPolicy, backend: any MeshBackend,
    checks: RequestChecks, environment: DecisionEnvironment
) -> Decision {
    let request = builder.request
    if let denial = checks.checkLimits() { return builder.deny(denial) }
    var warnings: [String] = []
    if let existing = environment.meshObjects {
        let assessment = backend.assess(policy, existing: existing)
        if let problem = assessment.problem {
            return builder.deny(
                Denial(.policyNotReady, "ElevationPolicy \(policy.metadata.name) is not Ready: \(problem.reason): \(problem.display)"))
        }
        warnings = assessment.warnings
    }
    let start = max(builder.stamp, checked.extendsUntil ?? builder.stamp)
    var expiresAt = start.addingTimeInterval(checked.duration.timeInterval)
    var grantedAt = builder.stamp
    // Objects written by an attempt whose status never landed: the window began then. Only ever
    // shortens the window, never lengthens it.
    if let written = environment.grantWrittenUntil, written < expiresAt {
        expiresAt = written
        grantedAt = min(builder.stamp, written.addingTimeInterval(-checked.duration.timeInterval))
    }
    let grant = Grant(
        requestName: request.metadata.name, namespace: request.metadata.namespace ?? "",
        requestUID: request.metadata.uid ?? "", policyName: policy.metadata.name, requester: request.spec.requester.user,
        mesh: policy.spec.effectiveMesh, target: policy.spec.target, subject: request.spec.subject, rules: checked.rules,
        grantedAt: grantedAt, expiresAt: expiresAt, breakGlass: request.spec.breakGlass == true)
    let objects: [JSONValue]
    do { objects = try backend.render(grant) } catch {
        return builder.deny(Denial(.policyNotReady, error.description))
    }
    builder.status.phase = .active
    builder.status.grantedAt = grantedAt
    builder.status.expiresAt = expiresAt
    builder.status.grant = backend.references(for: grant)
    let message = ([grant.summary] + warnings).joined(separator: "; ")
    builder.condition("Granted", .true, "Granted", message)
    if grant.breakGlass {
        builder.condition("Reviewed", .false, "AwaitingReview", "break-glass grant: an approver of the policy must review it")
        builder.event(.warning, "BreakGlass", "break-glass grant without approval, to be reviewed: \(message)", notify: true)
    } else {
        builder.event(.normal, "Granted", message, notify: true)
    }
    if builder.now >= expiresAt {
        // That window closed while the status was on its way (the controller was down): the
        // grant happened and is over; its objects go now.
        return builder.expire("the window closed at \(RFC3339.format(expiresAt)) before the grant's status was written")
    }
    let warnAt = Grant.warningTime(expiresAt: expiresAt, window: checked.duration.timeInterval)
    return builder.finish(grant: grant, meshObjects: objects, nextReview: max(warnAt, builder.now))
}
