/// An `elevator.dev/v1alpha1` ElevationPolicy: what may be granted, to whom, for how long, with
/// whose approval. Written by service owners; the controller only writes its `status`.
public struct ElevationPolicy: Hashable, Sendable, Codable {
    public var apiVersion: String?
    public var kind: String?
    public var metadata: ObjectMeta
    public var spec: ElevationPolicySpec
    public var status: ElevationPolicyStatus?

    /// A policy object with `apiVersion` and `kind` filled in.
    public init(metadata: ObjectMeta, spec: ElevationPolicySpec, status: ElevationPolicyStatus? = nil) {
        self.apiVersion = ElevationAPI.apiVersion
        self.kind = "ElevationPolicy"
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }
}

/// The mesh a policy's grants are written for.
public enum Mesh: String, Hashable, Sendable, Codable {
    case istio
    case linkerd
}

/// The desired state of an ElevationPolicy; see API.md for each field's meaning.
public struct ElevationPolicySpec: Hashable, Sendable, Codable {
    /// Default `istio`.
    public var mesh: Mesh?
    public var target: PolicyTarget
    public var subjects: [Subject]
    public var rules: [AccessRule]
    /// Omitted: any user allowed by RBAC to create requests in the namespace.
    public var requesters: Requesters?
    /// Go duration; default `15m`.
    public var defaultDuration: String?
    /// Go duration; default `1h`.
    public var maxDuration: String?
    public var requireReason: Bool?
    /// 0 or omitted: no limit.
    public var maxActiveGrants: Int?
    /// 0 or omitted: no limit.
    public var maxActivePerRequester: Int?
    public var approval: ApprovalPolicy?
    public var breakGlass: BreakGlassPolicy?
    public var suspended: Bool?

    /// A spec with the required fields; optional ones can be set afterwards.
    public init(target: PolicyTarget, subjects: [Subject], rules: [AccessRule], mesh: Mesh? = nil) {
        self.target = target
        self.subjects = subjects
        self.rules = rules
        self.mesh = mesh
    }

    /// `mesh` with its default applied.
    public var effectiveMesh: Mesh { mesh ?? .istio }
    /// `defaultDuration` with its default (`15m`) applied, still unparsed.
    public var effectiveDefaultDuration: String { defaultDuration ?? "15m" }
    /// `maxDuration` with its default (`1h`) applied, still unparsed.
    public var effectiveMaxDuration: String { maxDuration ?? "1h" }
}

/// The workloads a policy protects: exactly one of the three forms.
public struct PolicyTarget: Hashable, Sendable, Codable {
    public var workloadSelector: LabelSelector?
    public var targetRefs: [TargetRef]?
    public var linkerdServer: String?

    /// A target; set exactly one field.
    public init(workloadSelector: LabelSelector? = nil, targetRefs: [TargetRef]? = nil, linkerdServer: String? = nil) {
        self.workloadSelector = workloadSelector
        self.targetRefs = targetRefs
        self.linkerdServer = linkerdServer
    }

    /// `app=payments`, `Service/payments` or `Server payments-http`, for messages.
    public var display: String {
        if let selector = workloadSelector {
            return (selector.matchLabels ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
                .joined(separator: ",")
        }
        if let refs = targetRefs { return refs.map { "\($0.kind)/\($0.name)" }.joined(separator: ",") }
        return linkerdServer.map { "Server \($0)" } ?? "no target"
    }
}

/// Istio's workload selector: labels only (Istio has no `matchExpressions`).
public struct LabelSelector: Hashable, Sendable, Codable {
    public var matchLabels: [String: String]?

    /// A selector of `matchLabels`.
    public init(matchLabels: [String: String]) { self.matchLabels = matchLabels }
}

/// A Gateway API style reference to what an ambient waypoint enforces on (`Service`, `Gateway`, ...).
public struct TargetRef: Hashable, Sendable, Codable {
    /// `""` (core) for a Service.
    public var group: String?
    public var kind: String
    public var name: String

    /// A reference to `kind` `name` in `group`.
    public init(group: String? = nil, kind: String, name: String) {
        self.group = group
        self.kind = kind
        self.name = name
    }

    /// Equal references, counting `""`, `core` and a missing group as the same core group.
    func sameTarget(as other: TargetRef) -> Bool {
        func normal(_ group: String?) -> String { group == nil || group == "core" ? "" : group ?? "" }
        return normal(group) == normal(other.group) && kind == other.kind && name == other.name
    }
}

/// Who may ask for a grant: listed users, or members of listed groups.
public struct Requesters: Hashable, Sendable, Codable, Membership {
    public var users: [String]?
    public var groups: [String]?

    /// A list of users and groups.
    public init(users: [String]? = nil, groups: [String]? = nil) {
        self.users = users
        self.groups = groups
    }
}

/// How requests are approved: every stage must be met (AND); a matching `autoApprove` skips them.
public struct ApprovalPolicy: Hashable, Sendable, Codable {
    public var stages: [ApprovalStage]?
    public var autoApprove: AutoApprove?
    /// Go duration; default `1h`: a request unapproved this long after creation is Expired.
    public var timeout: String?

    /// An approval section.
    public init(stages: [ApprovalStage]? = nil, autoApprove: AutoApprove? = nil, timeout: String? = nil) {
        self.stages = stages
        self.autoApprove = autoApprove
        self.timeout = timeout
    }
}

/// One approval stage: `required` distinct people among `users` and members of `groups`.
public struct ApprovalStage: Hashable, Sendable, Codable, Membership {
    public var name: String
    public var users: [String]?
    public var groups: [String]?
    /// Default 1.
    public var required: Int?

    /// A stage named `name`.
    public init(name: String, users: [String]? = nil, groups: [String]? = nil, required: Int? = nil) {
        self.name = name
        self.users = users
        self.groups = groups
        self.required = required
    }

    /// `required` with its default applied.
    public var effectiveRequired: Int { required ?? 1 }
}

/// Conditions under which a request needs no approval; all set ones must hold.
public struct AutoApprove: Hashable, Sendable, Codable {
    public var maxDuration: String?
    public var reasonPattern: String?

    /// Auto-approval limits.
    public init(maxDuration: String? = nil, reasonPattern: String? = nil) {
        self.maxDuration = maxDuration
        self.reasonPattern = reasonPattern
    }
}

/// Whether, and for how long, a grant may be taken at once and reviewed afterwards.
public struct BreakGlassPolicy: Hashable, Sendable, Codable {
    public var allowed: Bool?
    public var maxDuration: String?

    /// Break-glass settings.
    public init(allowed: Bool? = nil, maxDuration: String? = nil) {
        self.allowed = allowed
        self.maxDuration = maxDuration
    }
}

/// What the controller observed about a policy.
public struct ElevationPolicyStatus: Hashable, Sendable, Codable {
    public var observedGeneration: Int64?
    public var activeGrants: Int?
    public var conditions: [Condition]?

    /// A status.
    public init(observedGeneration: Int64? = nil, activeGrants: Int? = nil, conditions: [Condition]? = nil) {
        self.observedGeneration = observedGeneration
        self.activeGrants = activeGrants
        self.conditions = conditions
    }
}

/// Constants of the `elevator.dev` API.
public enum ElevationAPI {
    /// `elevator.dev`.
    public static let group = "elevator.dev"
    /// `elevator.dev/v1alpha1`.
    public static let apiVersion = "elevator.dev/v1alpha1"
}
