/// A caller that a grant lets in: a workload's service account, or (Istio only) an end-user JWT
/// principal `<iss>/<sub>`.
///
/// In a policy, `serviceAccount.name` may be `*` (any account of the namespace) and
/// `requestPrincipal` may take Istio's wildcard forms. In a request, the subject must lie inside
/// one of the policy's subjects (see `Subject.isInside`). Exactly one field is set.
public struct Subject: Hashable, Sendable, Codable {
    public var serviceAccount: ServiceAccountRef?
    public var requestPrincipal: String?

    /// A subject with the given form; set exactly one.
    public init(serviceAccount: ServiceAccountRef? = nil, requestPrincipal: String? = nil) {
        self.serviceAccount = serviceAccount
        self.requestPrincipal = requestPrincipal
    }

    /// The service account `namespace/name`.
    public static func serviceAccount(_ namespace: String, _ name: String) -> Subject {
        Subject(serviceAccount: ServiceAccountRef(namespace: namespace, name: name))
    }

    /// How people read it: `tools/debugger` or the JWT principal.
    public var display: String {
        if let account = serviceAccount { return "\(account.namespace)/\(account.name)" }
        return requestPrincipal ?? "nobody"
    }
}

/// A Kubernetes service account by namespace and name (`name` may be `*` in a policy).
public struct ServiceAccountRef: Hashable, Sendable, Codable {
    public var namespace: String
    public var name: String

    /// The account `namespace/name`.
    public init(namespace: String, name: String) {
        self.namespace = namespace
        self.name = name
    }
}

/// Who asked or who decided: a Kubernetes user name and the groups the API server vouched for.
public struct Identity: Hashable, Sendable, Codable {
    public var user: String
    public var groups: [String]?

    /// An identity with `user` and optional `groups`.
    public init(user: String, groups: [String]? = nil) {
        self.user = user
        self.groups = groups
    }
}

/// A list of users and groups (`requesters`, an approval stage's members).
protocol Membership {
    var users: [String]? { get }
    var groups: [String]? { get }
}

extension Membership {
    /// Whether `identity` is named as a user or holds one of the groups.
    func includes(_ identity: Identity) -> Bool {
        if users?.contains(identity.user) == true { return true }
        let held = Set(identity.groups ?? [])
        return (groups ?? []).contains { held.contains($0) }
    }
}
