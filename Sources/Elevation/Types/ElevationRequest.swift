import Foundation

/// An `elevator.dev/v1alpha1` ElevationRequest: one ask for one grant under one policy.
public struct ElevationRequest: Hashable, Sendable, Codable {
    public var apiVersion: String?
    public var kind: String?
    public var metadata: ObjectMeta
    public var spec: ElevationRequestSpec
    public var status: ElevationRequestStatus?

    /// A request object with `apiVersion` and `kind` filled in.
    public init(metadata: ObjectMeta, spec: ElevationRequestSpec, status: ElevationRequestStatus? = nil) {
        self.apiVersion = ElevationAPI.apiVersion
        self.kind = "ElevationRequest"
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }

    /// The phase, `Pending` for a request the controller has not decided yet.
    public var phase: RequestPhase { status?.phase ?? .pending }
}

/// What is asked for. Immutable after creation except `revoked` (false to true).
public struct ElevationRequestSpec: Hashable, Sendable, Codable {
    public var policy: String
    public var requester: Identity
    public var subject: Subject
    /// Omitted: all of the policy's rules.
    public var rules: [AccessRule]?
    /// Go duration; omitted: the policy's `defaultDuration`.
    public var duration: String?
    public var reason: String?
    public var breakGlass: Bool?
    /// The name of the Active request this one continues.
    public var extends: String?
    public var revoked: Bool?

    /// A request spec with the required fields.
    public init(
        policy: String, requester: Identity, subject: Subject, rules: [AccessRule]? = nil,
        duration: String? = nil, reason: String? = nil, breakGlass: Bool? = nil,
        extends: String? = nil, revoked: Bool? = nil
    ) {
        self.policy = policy
        self.requester = requester
        self.subject = subject
        self.rules = rules
        self.duration = duration
        self.reason = reason
        self.breakGlass = breakGlass
        self.extends = extends
        self.revoked = revoked
    }
}

/// Where a request is in its life. `Expired`, `Revoked` and `Denied` are final.
public enum RequestPhase: String, Hashable, Sendable, Codable, CaseIterable {
    case pending = "Pending"
    case active = "Active"
    case expired = "Expired"
    case revoked = "Revoked"
    case denied = "Denied"

    /// Whether the phase never changes again.
    public var isTerminal: Bool { self == .expired || self == .revoked || self == .denied }
}

/// What the controller observed and did for a request.
public struct ElevationRequestStatus: Hashable, Sendable, Codable {
    public var phase: RequestPhase?
    public var observedGeneration: Int64?
    public var approvals: [ApprovalRecord]?
    public var grantedAt: Date?
    /// `grantedAt + duration` once Active; while Pending, the approval deadline.
    public var expiresAt: Date?
    public var grant: [ObjectReference]?
    /// SHA-256 of the spec (without `revoked`) when the controller first decided; see `SpecHash`.
    public var specHash: String?
    public var conditions: [Condition]?

    /// An empty status.
    public init() {}

    private enum CodingKeys: String, CodingKey {
        case phase, observedGeneration, approvals, grantedAt, expiresAt, grant, specHash, conditions
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        phase = try container.decodeIfPresent(RequestPhase.self, forKey: .phase)
        observedGeneration = try container.decodeIfPresent(Int64.self, forKey: .observedGeneration)
        approvals = try container.decodeIfPresent([ApprovalRecord].self, forKey: .approvals)
        grantedAt = try container.decodeTimestamp(forKey: .grantedAt)
        expiresAt = try container.decodeTimestamp(forKey: .expiresAt)
        grant = try container.decodeIfPresent([ObjectReference].self, forKey: .grant)
        specHash = try container.decodeIfPresent(String.self, forKey: .specHash)
        conditions = try container.decodeIfPresent([Condition].self, forKey: .conditions)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(phase, forKey: .phase)
        try container.encodeIfPresent(observedGeneration, forKey: .observedGeneration)
        try container.encodeIfPresent(approvals, forKey: .approvals)
        try container.encodeTimestamp(grantedAt, forKey: .grantedAt)
        try container.encodeTimestamp(expiresAt, forKey: .expiresAt)
        try container.encodeIfPresent(grant, forKey: .grant)
        try container.encodeIfPresent(specHash, forKey: .specHash)
        try container.encodeIfPresent(conditions, forKey: .conditions)
    }
}

/// An approval that counted, and for which stage.
public struct ApprovalRecord: Hashable, Sendable, Codable {
    public var approver: String
    public var stage: String
    public var decision: ApprovalDecision
    public var at: Date?

    /// A record of `approver`'s `decision` counted for `stage`.
    public init(approver: String, stage: String, decision: ApprovalDecision, at: Date?) {
        self.approver = approver
        self.stage = stage
        self.decision = decision
        self.at = at
    }

    private enum CodingKeys: String, CodingKey { case approver, stage, decision, at }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        approver = try container.decode(String.self, forKey: .approver)
        stage = try container.decode(String.self, forKey: .stage)
        decision = try container.decode(ApprovalDecision.self, forKey: .decision)
        at = try container.decodeTimestamp(forKey: .at)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(approver, forKey: .approver)
        try container.encode(stage, forKey: .stage)
        try container.encode(decision, forKey: .decision)
        try container.encodeTimestamp(at, forKey: .at)
    }
}

/// A written object, as listed in `status.grant`.
public struct ObjectReference: Hashable, Sendable, Codable {
    public var apiVersion: String
    public var kind: String
    public var name: String

    /// A reference to `kind` `name` of `apiVersion` (in the request's namespace).
    public init(apiVersion: String, kind: String, name: String) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.name = name
    }
}
