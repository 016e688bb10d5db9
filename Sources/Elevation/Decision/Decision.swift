import Foundation
import YAML

/// What `decide` concluded for one request: the status it must have, the mesh objects that must
/// exist, the Events to record, and when to look again.
///
/// The controller applies it in order: write `meshObjects` (or delete the old ones when empty),
/// then the status, then the Events; then schedule a reconcile at `nextReview`.
public struct Decision: Sendable, Equatable {
    /// The status to write; equal to the old one when nothing changed (skip the write then).
    public var status: ElevationRequestStatus
    /// The active grant, when mesh objects must exist; nil when none may exist.
    public var grant: Grant?
    /// The rendered mesh objects of `grant` (empty when `grant` is nil).
    public var meshObjects: [JSONValue]
    /// Transitions that happened in this decision, one Event (and audit line) each.
    public var events: [DecisionEvent]
    /// When the request must be looked at again even if nothing else changes; nil: only on change.
    public var nextReview: Date?
    /// Approvals that name this request but do not count, and why.
    public var ignoredApprovals: [IgnoredApproval]
    /// Whether `status` differs from the request's current status.
    public var statusChanged: Bool

    public static func == (lhs: Decision, rhs: Decision) -> Bool {
        lhs.status == rhs.status && lhs.grant == rhs.grant && lhs.meshObjects == rhs.meshObjects
            && lhs.events == rhs.events && lhs.nextReview == rhs.nextReview
            && lhs.ignoredApprovals == rhs.ignoredApprovals && lhs.statusChanged == rhs.statusChanged
    }
}

/// One transition, to be written as a Kubernetes Event on the request and a JSON audit line.
public struct DecisionEvent: Hashable, Sendable {
    /// `Normal` or `Warning`, as Kubernetes Events have.
    public enum Kind: String, Hashable, Sendable { case normal = "Normal", warning = "Warning" }
    public var kind: Kind
    /// CamelCase: `PendingApproval`, `Granted`, `BreakGlass`, `ExpiringSoon`, `Expired`, `Revoked`,
    /// `Denied`, `Reviewed`, `IdentityUnverified`.
    public var reason: String
    public var message: String
    /// Whether a person should hear about it (`--notify-url`).
    public var notify: Bool
}

/// An approval that names the request but does not count.
public struct IgnoredApproval: Hashable, Sendable {
    /// Why it was ignored.
    public enum Cause: String, Hashable, Sendable {
        case otherRequestUID = "OtherRequestUID"
        case selfApproval = "SelfApproval"
        case notAnApprover = "NotAnApprover"
    }
    public var approval: String
    public var approver: String
    public var cause: Cause
    public var message: String
}

/// Why a request was denied; the raw value is the `Valid`/`Granted` condition reason.
public enum DenialReason: String, Hashable, Sendable, CaseIterable {
    case policyNotFound = "PolicyNotFound"
    case policyNotReady = "PolicyNotReady"
    case policySuspended = "PolicySuspended"
    case requesterNotAllowed = "RequesterNotAllowed"
    case subjectNotAllowed = "SubjectNotAllowed"
    case ruleNotAllowed = "RuleNotAllowed"
    case invalidDuration = "InvalidDuration"
    case durationTooLong = "DurationTooLong"
    case reasonRequired = "ReasonRequired"
    case maxActiveGrants = "MaxActiveGrantsReached"
    case maxActivePerRequester = "MaxActivePerRequesterReached"
    case extendsInvalid = "ExtendsInvalid"
    case breakGlassNotAllowed = "BreakGlassNotAllowed"
    case approverDenied = "ApproverDenied"
    case specChanged = "SpecChanged"
    case unsupportedMesh = "UnsupportedMesh"
}

/// A denial: its reason and the sentence that names the value and the limit.
public struct Denial: Hashable, Sendable, Error {
    public var reason: DenialReason
    public var message: String

    /// A denial for `reason`.
    public init(_ reason: DenialReason, _ message: String) {
        self.reason = reason
        self.message = message
    }
}

/// What `decide` needs from the world besides the objects themselves.
public struct DecisionEnvironment: Sendable {
    /// False when the identity admission policies are missing (and not overridden): new requests
    /// get `Valid=False, reason=IdentityUnverified` and nothing is granted.
    public var identityVerified: Bool
    /// The mesh's authorization objects in the request's namespace and the mesh root namespace,
    /// for the default-deny guard at grant time; nil skips the guard (offline rendering).
    public var meshObjects: [JSONValue]?
    /// The backends, one per supported mesh.
    public var backends: [any MeshBackend]
    /// The earliest `elevator.dev/expires-at` of the mesh objects already written for a request
    /// that is not Active yet: an earlier attempt granted it, and the controller died (or its
    /// status write failed) before the status said so. The window was running from then on, so
    /// a grant decided again ends there instead of starting a new window. Nil: none.
    public var grantWrittenUntil: Date?

    /// An environment; by default identity is verified, the guard is skipped, every mesh of
    /// `MeshBackends.all` is supported, and no grant was written before.
    public init(
        identityVerified: Bool = true, meshObjects: [JSONValue]? = nil, backends: [any MeshBackend] = MeshBackends.all(),
        grantWrittenUntil: Date? = nil
    ) {
        self.identityVerified = identityVerified
        self.meshObjects = meshObjects
        self.backends = backends
        self.grantWrittenUntil = grantWrittenUntil
    }
}
