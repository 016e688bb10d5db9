import YAML

/// Writes one `policy.linkerd.io/v1alpha1` AuthorizationPolicy per grant (API.md "What the
/// controller writes"): its `targetRef` is the policy's existing Server, its
/// `requiredAuthenticationRefs` exactly the grant's one ServiceAccount.
///
/// Never writes a Server or an HTTPRoute: creating either changes the port's traffic for everyone
/// (a Server turns the port deny-unless-authorized; a first HTTPRoute makes unmatched requests 404).
/// Never writes an empty `requiredAuthenticationRefs`, which Linkerd reads as "every client".
public struct LinkerdBackend: MeshBackend {
    public let options: MeshOptions
    public var mesh: Mesh { .linkerd }

    /// A backend with `options` (Linkerd needs neither the trust domain nor the root namespace:
    /// a ServiceAccount reference names the identity without them).
    public init(options: MeshOptions = MeshOptions()) { self.options = options }

    /// `policy.linkerd.io/v1alpha1` AuthorizationPolicy: the only version Linkerd serves.
    static let authorizationPolicy = MeshResource(
        group: "policy.linkerd.io", version: "v1alpha1", kind: "AuthorizationPolicy", plural: "authorizationpolicies")
    /// `policy.linkerd.io/v1beta3` Server (Linkerd 2.16 and later; the storage version), read only.
    static let server = MeshResource(group: "policy.linkerd.io", version: "v1beta3", kind: "Server", plural: "servers")

    public var writtenResources: [MeshResource] { [Self.authorizationPolicy] }
    public var watchedResources: [MeshResource] { [Self.authorizationPolicy, Self.server] }

    public func references(for grant: Grant) -> [ObjectReference] {
        [ObjectReference(apiVersion: Self.authorizationPolicy.apiVersion, kind: Self.authorizationPolicy.kind, name: grant.objectName)]
    }

    /// The AuthorizationPolicy for `grant`.
    ///
    /// Guarantees: `requiredAuthenticationRefs` holds exactly one ServiceAccount with a name and a
    /// namespace; the target is the policy's Server. Throws (instead of widening) when the subject
    /// is not one service account, the target is not a Server, or a rule carries methods or paths
    /// (a Server target cannot express them).
    public func render(_ grant: Grant) throws(ElevationError) -> [JSONValue] {
        func fail(_ problem: String) -> ElevationError { .unrenderable(request: grant.requestName, problem: problem) }
        guard let account = grant.subject.serviceAccount, grant.subject.requestPrincipal == nil,
            !account.namespace.isEmpty, !account.name.isEmpty, account.name != "*"
        else { throw fail("Linkerd grants need exactly one service account as subject") }
        guard let server = grant.target.linkerdServer, !server.isEmpty,
            grant.target.workloadSelector == nil, grant.target.targetRefs == nil
        else { throw fail("its policy names no Linkerd Server (spec.target.linkerdServer)") }
        guard !grant.rules.isEmpty else { throw fail("it has no rules") }
        if grant.rules.contains(where: { !($0.methods ?? []).isEmpty || !($0.paths ?? []).isEmpty }) {
            throw fail("a Linkerd Server target cannot be limited by methods or paths")
        }
        let spec: JSONValue = .object([
            "targetRef": .object(["group": .string("policy.linkerd.io"), "kind": .string("Server"), "name": .string(server)]),
            "requiredAuthenticationRefs": .array([
                .object(["kind": .string("ServiceAccount"), "name": .string(account.name), "namespace": .string(account.namespace)])
            ]),
        ])
        return [
            .object([
                "apiVersion": .string(Self.authorizationPolicy.apiVersion), "kind": .string(Self.authorizationPolicy.kind),
                "metadata": ManagedMetadata.metadata(for: grant), "spec": spec,
            ])
        ]
    }

    /// The policy's Server must exist in its namespace (`ServerNotFound` otherwise: a policy
    /// targeting a missing Server is silently ignored by Linkerd). A grant opens the Server's whole
    /// port, so rules that list ports must list exactly that port (`UnsupportedRule` otherwise);
    /// a Server whose port is a name cannot be compared, so rules must then leave ports out.
    public func assess(_ policy: ElevationPolicy, existing: [JSONValue]) -> MeshAssessment {
        let namespace = policy.metadata.namespace ?? ""
        guard let name = policy.spec.target.linkerdServer else { return MeshAssessment() }
        let server = existing.first { object in
            isOne(of: [Self.server], object) && object["metadata"]?["namespace"]?.stringValue == namespace
                && object["metadata"]?["name"]?.stringValue == name
        }
        guard let server else {
            return MeshAssessment(
                problem: PolicyProblem(
                    reason: "ServerNotFound", field: "spec.target.linkerdServer",
                    message: "no Linkerd Server \(name) exists in namespace \(namespace); Elevator never creates one "
                        + "(it would deny the port to everyone else): create the Server, or name an existing one"))
        }
        let port = server["spec"]?["port"]
        for (index, rule) in policy.spec.rules.enumerated() {
            guard let ports = rule.ports, !ports.isEmpty else { continue }
            switch port {
            case .int(let number)? where ports == ["\(number)"]:
                continue
            case .int(let number)?:
                return MeshAssessment(
                    problem: PolicyProblem(
                        reason: "UnsupportedRule", field: "spec.rules[\(index)].ports",
                        message: "a grant opens all of Server \(name)'s port \(number); list only \"\(number)\" or no ports"))
            default:
                return MeshAssessment(
                    problem: PolicyProblem(
                        reason: "UnsupportedRule", field: "spec.rules[\(index)].ports",
                        message: "Server \(name) names its port (\(port?.stringValue ?? "?")), so ports cannot be compared; "
                            + "remove ports from the rule (a grant opens the Server's port)"))
            }
        }
        return MeshAssessment()
    }

    /// Linkerd writes no status on AuthorizationPolicies.
    public func observedStatus(of object: JSONValue) -> String? { nil }
}
