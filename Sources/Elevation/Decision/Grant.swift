import Foundation

/// One grant as the mesh backends render it: exactly the request's subject and rules, on exactly
/// the policy's target, for one window.
///
/// Built only by `decide`, from a request that passed every check, so the rules here are the
/// request's own (or the policy's when the request names none) and never wider.
public struct Grant: Hashable, Sendable {
    public var requestName: String
    public var namespace: String
    public var requestUID: String
    public var policyName: String
    public var requester: String
    public var mesh: Mesh
    public var target: PolicyTarget
    public var subject: Subject
    public var rules: [AccessRule]
    public var grantedAt: Date
    public var expiresAt: Date
    public var breakGlass: Bool

    /// A grant; see the properties.
    public init(
        requestName: String, namespace: String, requestUID: String, policyName: String, requester: String,
        mesh: Mesh, target: PolicyTarget, subject: Subject, rules: [AccessRule], grantedAt: Date, expiresAt: Date,
        breakGlass: Bool = false
    ) {
        self.requestName = requestName
        self.namespace = namespace
        self.requestUID = requestUID
        self.policyName = policyName
        self.requester = requester
        self.mesh = mesh
        self.target = target
        self.subject = subject
        self.rules = rules
        self.grantedAt = grantedAt
        self.expiresAt = expiresAt
        self.breakGlass = breakGlass
    }

    /// The name of the mesh object(s): `elevator-<request>`, shortened with a hash past 253.
    public var objectName: String { ObjectName.dnsSubdomain("elevator-" + requestName) }

    /// `GET /admin/queue on app=payments for tools/debugger until 10:42:07Z`, for the `Granted` message.
    public var summary: String {
        "\(rules.map(\.display).joined(separator: "; ")) on \(target.display) for \(subject.display) until \(RFC3339.timeOfDay(expiresAt))"
    }
}
