import YAML

/// Writes one `security.istio.io/v1` AuthorizationPolicy per grant, as API.md "What the controller
/// writes" shows: ALLOW, the policy's selector or targetRefs, one rule whose `from` is the
/// grant's subject and whose `to` has one operation per request rule.
public struct IstioBackend: MeshBackend {
    public let options: MeshOptions
    public var mesh: Mesh { .istio }

    /// A backend with `options` (trust domain, mesh root namespace).
    public init(options: MeshOptions = MeshOptions()) { self.options = options }

    /// `security.istio.io/v1` AuthorizationPolicy: the one kind written and read (the guard).
    static let authorizationPolicy = MeshResource(
        group: "security.istio.io", version: "v1", kind: "AuthorizationPolicy", plural: "authorizationpolicies")

    public var writtenResources: [MeshResource] { [Self.authorizationPolicy] }
    /// The AuthorizationPolicies (the guard), and, when served, Namespaces and waypoint-bound
    /// Services for the ambient check.
    public var watchedResources: [MeshResource] { [Self.authorizationPolicy, Self.namespace, Self.waypointService] }

    public func references(for grant: Grant) -> [ObjectReference] {
        [ObjectReference(apiVersion: Self.authorizationPolicy.apiVersion, kind: Self.authorizationPolicy.kind, name: grant.objectName)]
    }

    /// The AuthorizationPolicy for `grant`.
    ///
    /// Guarantees: `principals` or `requestPrincipals` holds exactly one non-empty entry, never
    /// with `spiffe://`; `to` holds exactly the grant's rules; the target is the policy's. Throws
    /// (instead of widening) when the grant has no subject, no rules or no Istio target.
    public func render(_ grant: Grant) throws(ElevationError) -> [JSONValue] {
        func fail(_ problem: String) -> ElevationError { .unrenderable(request: grant.requestName, problem: problem) }
        let source: JSONValue
        if let account = grant.subject.serviceAccount, grant.subject.requestPrincipal == nil,
            !account.namespace.isEmpty, !account.name.isEmpty
        {
            source = .object(["principals": .array([.string(principal(account))])])
        } else if let principal = grant.subject.requestPrincipal, grant.subject.serviceAccount == nil, !principal.isEmpty {
            source = .object(["requestPrincipals": .array([.string(principal)])])
        } else {
            throw fail("its subject names neither one service account nor one request principal")
        }
        guard !grant.rules.isEmpty else { throw fail("it has no rules") }
        let operations: [JSONValue] = grant.rules.map { rule in
            var operation: [String: JSONValue] = [:]
            if let ports = rule.ports, !ports.isEmpty { operation["ports"] = .array(ports.map(JSONValue.string)) }
            if let methods = rule.methods, !methods.isEmpty { operation["methods"] = .array(methods.map(JSONValue.string)) }
            if let paths = rule.paths, !paths.isEmpty { operation["paths"] = .array(paths.map(JSONValue.string)) }
            return .object(["operation": .object(operation)])
        }
        var spec: [String: JSONValue] = [
            "action": .string("ALLOW"),
            "rules": .array([.object(["from": .array([.object(["source": source])]), "to": .array(operations)])]),
        ]
        if let labels = grant.target.workloadSelector?.matchLabels, !labels.isEmpty, grant.target.targetRefs == nil {
            spec["selector"] = .object(["matchLabels": .object(labels.mapValues(JSONValue.string))])
        } else if let refs = grant.target.targetRefs, !refs.isEmpty, grant.target.workloadSelector == nil {
            spec["targetRefs"] = .array(
                refs.map { .object(["group": .string($0.group ?? ""), "kind": .string($0.kind), "name": .string($0.name)]) })
        } else {
            // Without a selector the policy would apply to the whole namespace: never write that.
            throw fail("its policy has no Istio target (workloadSelector or targetRefs)")
        }
        return [
            .object([
                "apiVersion": .string(Self.authorizationPolicy.apiVersion), "kind": .string(Self.authorizationPolicy.kind),
                "metadata": ManagedMetadata.metadata(for: grant), "spec": .object(spec),
            ])
        ]
    }

    /// istiod's status conditions on the object (`WaypointAccepted`, `ZtunnelAccepted`, ...), as
    /// `Type=Status (Reason: message)` joined by `; `.
    public func observedStatus(of object: JSONValue) -> String? {
        let conditions = object["status"]?["conditions"]?.arrayValue ?? []
        let parts = conditions.compactMap { condition -> String? in
            guard let type = condition["type"]?.stringValue, let status = condition["status"]?.stringValue else { return nil }
            let reason = condition["reason"]?.stringValue.map { " (\($0)" } ?? ""
            let message = condition["message"]?.stringValue.map { reason.isEmpty ? " (\($0))" : ": \($0))" } ?? (reason.isEmpty ? "" : ")")
            return "\(type)=\(status)\(reason)\(message)"
        }
        return parts.isEmpty ? nil : "Istio reports " + parts.joined(separator: "; ")
    }

    /// `<trust domain>/ns/<namespace>/sa/<name>`: istiod adds `spiffe://` itself.
    func principal(_ account: ServiceAccountRef) -> String {
        "\(options.trustDomain)/ns/\(account.namespace)/sa/\(account.name)"
    }
}
