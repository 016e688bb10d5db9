import Elevation
import Foundation
import Kube
import Logging
import YAML

/// The plugin's API work: one Kube client plus the namespace the commands act in. Each method is
/// one `kubectl elevate` command without its printing, and throws only `PluginError`.
///
/// Identities are never typed by the user: they come from the API server's SelfSubjectReview, so
/// what the plugin writes into `spec.requester` / `spec.approver` is exactly what admission checks.
public struct ElevateSession: Sendable {
    /// The client used for every call.
    public let client: KubeClient
    /// The namespace commands act in (`-n`, else the kubeconfig context's).
    public let namespace: String

    static let requests = ResourceType(group: "elevator.dev", version: "v1alpha1", plural: "elevationrequests", kind: "ElevationRequest", namespaced: true)
    static let policies = ResourceType(group: "elevator.dev", version: "v1alpha1", plural: "elevationpolicies", kind: "ElevationPolicy", namespaced: true)
    static let approvals = ResourceType(group: "elevator.dev", version: "v1alpha1", plural: "elevationapprovals", kind: "ElevationApproval", namespaced: true)

    /// A session over `client`, acting in `namespace` (default: the client configuration's).
    public init(client: KubeClient, namespace: String? = nil) {
        self.client = client
        self.namespace = namespace ?? client.configuration.namespace
    }

    /// Loads the kubeconfig the way kubectl does (`--kubeconfig`, else `KUBECONFIG`, else
    /// `~/.kube/config`) and opens a session; the caller shuts the client down.
    public static func open(kubeconfig: String?, context: String?, namespace: String?,
                            environment: [String: String] = ProcessInfo.processInfo.environment) throws(PluginError) -> ElevateSession {
        var environment = environment
        if let kubeconfig {
            guard FileManager.default.fileExists(atPath: kubeconfig) else {
                throw .configuration("\(kubeconfig) does not exist")
            }
            environment["KUBECONFIG"] = kubeconfig
        }
        do {
            let configuration = try ClientConfiguration.load(environment: environment, context: context)
            // A person is waiting: two quick retries, then the error, instead of the controller's patience.
            var logger = Logger(label: "kubectl-elevate")
            logger.logLevel = .error
            let client = KubeClient(configuration: configuration,
                                    retryPolicy: RetryPolicy(maxRetries: 2, initialDelay: .milliseconds(200), maxDelay: .seconds(1)),
                                    logger: logger)
            return ElevateSession(client: client, namespace: namespace)
        } catch {
            throw .configuration(error.description.trimmingCharacters(in: CharacterSet(charactersIn: ".")))
        }
    }

    var server: String { client.configuration.server }

    func fail(_ error: any Error, _ what: String, missing: PluginError? = nil, namespace: String? = nil) -> PluginError {
        PluginError.from(error, server: server, what: what, namespace: namespace ?? self.namespace, missing: missing)
    }

    /// Who the API server says the caller is; `system:` groups are left out (no policy names them).
    public func whoAmI() async throws(PluginError) -> Identity {
        do {
            let review = try await client.create(SelfSubjectReview())
            let info = review.status?.userInfo
            guard let user = info?.username, !user.isEmpty else {
                throw PluginError.rejected(what: "say who you are", message: "the SelfSubjectReview names no user")
            }
            let groups = (info?.groups ?? []).filter { !$0.hasPrefix("system:") }
            return Identity(user: user, groups: groups.isEmpty ? nil : groups)
        } catch {
            throw fail(error, "create SelfSubjectReviews")
        }
    }

    /// Reads request `name`.
    public func request(named name: String) async throws(PluginError) -> ElevationRequest {
        do {
            return try await client.get(ElevationRequest.self, Self.requests, name: name, namespace: namespace)
        } catch {
            throw fail(error, "read ElevationRequests", missing: .noSuchRequest(name: name, namespace: namespace))
        }
    }

    /// Reads policy `name`.
    public func policy(named name: String) async throws(PluginError) -> ElevationPolicy {
        do {
            return try await client.get(ElevationPolicy.self, Self.policies, name: name, namespace: namespace)
        } catch {
            throw fail(error, "read ElevationPolicies", missing: .noSuchPolicy(name: name, namespace: namespace))
        }
    }

    /// What `kubectl elevate request` asks for.
    public struct Ask: Sendable {
        /// The ElevationPolicy, in the session's namespace.
        public var policy: String
        /// Who gets access.
        public var subject: Subject
        /// A Go duration; nil: the policy's default.
        public var duration: String?
        /// Why; some policies require one.
        public var reason: String?
        /// Narrower rules; empty: all of the policy's.
        public var rules: [AccessRule]
        /// Ask for an immediate grant under the policy's break-glass terms.
        public var breakGlass: Bool
        /// The request's name; nil: `<policy>-` plus a generated suffix.
        public var name: String?
        /// The Active request this one continues.
        public var extends: String?

        /// An ask under `policy` for `subject`.
        public init(policy: String, subject: Subject, duration: String? = nil, reason: String? = nil,
                    rules: [AccessRule] = [], breakGlass: Bool = false, name: String? = nil, extends: String? = nil) {
            self.policy = policy
            self.subject = subject
            self.duration = duration
            self.reason = reason
            self.rules = rules
            self.breakGlass = breakGlass
            self.name = name
            self.extends = extends
        }
    }

    /// Creates the request (requester from SelfSubjectReview; `generateName` from the policy when
    /// no name is given) after checking the policy exists, and returns it as stored.
    public func create(_ ask: Ask) async throws(PluginError) -> ElevationRequest {
        _ = try await policy(named: ask.policy)
        let requester = try await whoAmI()
        let spec = ElevationRequestSpec(
            policy: ask.policy, requester: requester, subject: ask.subject,
            rules: ask.rules.isEmpty ? nil : ask.rules, duration: ask.duration, reason: ask.reason,
            breakGlass: ask.breakGlass ? true : nil, extends: ask.extends)
        var metadata = Kube.ObjectMeta()
        metadata.namespace = namespace
        if let name = ask.name { metadata.name = name } else { metadata.generateName = ask.policy + "-" }
        do {
            let created = try await client.create(NewObject(metadata: metadata, spec: spec), namespace: namespace)
            return try await request(named: created.metadata.name ?? "")
        } catch {
            throw fail(error, "create ElevationRequests")
        }
    }

    /// A new request continuing `name`: same policy, subject and rules, `extends: name`.
    public func extend(_ name: String, duration: String, reason: String?) async throws(PluginError) -> ElevationRequest {
        let original = try await request(named: name)
        return try await create(Ask(
            policy: original.spec.policy, subject: original.spec.subject, duration: duration,
            reason: reason ?? original.spec.reason, rules: original.spec.rules ?? [], extends: name))
    }

    /// Records the caller's decision on request `name`, bound to its uid; returns the approval.
    public func decide(_ name: String, _ decision: ApprovalDecision, comment: String?) async throws(PluginError) -> ElevationApproval {
        let target = try await request(named: name)
        let approver = try await whoAmI()
        guard let uid = target.metadata.uid else {
            throw .rejected(what: "decide on \(name)", message: "the request has no uid yet")
        }
        let spec = ElevationApprovalSpec(request: name, requestUID: uid, decision: decision, approver: approver, comment: comment)
        var metadata = Kube.ObjectMeta()
        metadata.namespace = namespace
        metadata.generateName = "\(name)-\(Self.nameSafe(approver.user))-"
        do {
            let created = try await client.create(NewObject(metadata: metadata, spec: spec), namespace: namespace)
            return try await client.get(ElevationApproval.self, Self.approvals, name: created.metadata.name ?? "", namespace: namespace)
        } catch {
            throw fail(error, "create ElevationApprovals")
        }
    }

    /// Sets `spec.revoked: true` on request `name` (a merge patch) and returns the request.
    public func revoke(_ name: String) async throws(PluginError) -> ElevationRequest {
        do {
            return try await client.patch(ElevationRequest.self, Self.requests, name: name, namespace: namespace, .merge,
                                          Data(#"{"spec":{"revoked":true}}"#.utf8))
        } catch {
            throw fail(error, "patch ElevationRequests", missing: .noSuchRequest(name: name, namespace: namespace))
        }
    }

    /// Requests in the session's namespace, or in all namespaces, oldest first.
    public func list(allNamespaces: Bool) async throws(PluginError) -> [ElevationRequest] {
        do {
            let items = try await client.listAll(ElevationRequest.self, Self.requests, namespace: allNamespaces ? nil : namespace).items
            return items.sorted { ($0.metadata.creationTimestamp ?? .distantPast, $0.metadata.name) < ($1.metadata.creationTimestamp ?? .distantPast, $1.metadata.name) }
        } catch {
            throw fail(error, "list ElevationRequests")
        }
    }

    /// Pending requests the caller could approve: under a policy whose approval stages name the
    /// caller's user or one of its groups, and not asked for by the caller.
    public func pendingFor(_ me: Identity, in requests: [ElevationRequest]) async throws(PluginError) -> [ElevationRequest] {
        var policies: [String: ElevationPolicy?] = [:]
        var result: [ElevationRequest] = []
        for request in requests where request.phase == .pending && request.spec.requester.user != me.user {
            let key = "\(request.metadata.namespace ?? namespace)/\(request.spec.policy)"
            if policies[key] == nil {
                do {
                    policies[key] = try await client.get(ElevationPolicy.self, Self.policies, name: request.spec.policy,
                                                         namespace: request.metadata.namespace ?? namespace)
                } catch KubeError.notFound {
                    policies[key] = .some(nil)
                } catch {
                    throw fail(error, "read ElevationPolicies")
                }
            }
            guard let policy = policies[key] ?? nil else { continue }
            let myGroups = Set(me.groups ?? [])
            let named = (policy.spec.approval?.stages ?? []).contains { stage in
                (stage.users ?? []).contains(me.user) || !myGroups.isDisjoint(with: stage.groups ?? [])
            }
            if named { result.append(request) }
        }
        return result
    }

    /// The approvals recorded for request `name` (the objects, including ones the controller ignored).
    public func approvals(for name: String) async throws(PluginError) -> [ElevationApproval] {
        do {
            return try await client.listAll(ElevationApproval.self, Self.approvals, namespace: namespace).items
                .filter { $0.spec.request == name }
        } catch {
            throw fail(error, "list ElevationApprovals")
        }
    }

    static func nameSafe(_ user: String) -> String {
        let mapped = user.lowercased().map { $0.isLetter || $0.isNumber ? $0 : "-" }
        return String(String(mapped).split(separator: "-").joined(separator: "-").prefix(40))
    }
}
