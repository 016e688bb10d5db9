/// An `elevator.dev/v1alpha1` ElevationApproval: one person's decision on one request.
/// Immutable after creation; bound to the request by `requestUID`.
public struct ElevationApproval: Hashable, Sendable, Codable {
    public var apiVersion: String?
    public var kind: String?
    public var metadata: ObjectMeta
    public var spec: ElevationApprovalSpec

    /// An approval object with `apiVersion` and `kind` filled in.
    public init(metadata: ObjectMeta, spec: ElevationApprovalSpec) {
        self.apiVersion = ElevationAPI.apiVersion
        self.kind = "ElevationApproval"
        self.metadata = metadata
        self.spec = spec
    }
}

/// The decision, the request it is about, and who made it.
public struct ElevationApprovalSpec: Hashable, Sendable, Codable {
    public var request: String
    public var requestUID: String
    public var decision: ApprovalDecision
    public var approver: Identity
    public var comment: String?

    /// An approval spec.
    public init(
        request: String, requestUID: String, decision: ApprovalDecision, approver: Identity, comment: String? = nil
    ) {
        self.request = request
        self.requestUID = requestUID
        self.decision = decision
        self.approver = approver
        self.comment = comment
    }
}

/// `Approve` or `Deny`.
public enum ApprovalDecision: String, Hashable, Sendable, Codable {
    case approve = "Approve"
    case deny = "Deny"
}
