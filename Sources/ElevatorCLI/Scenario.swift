import Elevation
import Foundation
import YAML

/// Everything `decide` needs, gathered offline: what `render` and each test case hand to the
/// domain in place of the controller's informer caches and flags.
struct Scenario {
    var policies: [ElevationPolicy]
    var request: ElevationRequest
    var approvals: [ElevationApproval] = []
    var activeGrants: [ElevationRequest] = []
    /// The mesh's existing authorization objects for the default-deny guard; nil skips it.
    var meshObjects: [JSONValue]?
    var options = MeshOptions()
    var now: Date

    /// The uid a request gets when its manifest has none (the API server would assign one).
    static let placeholderUID = "00000000-0000-0000-0000-000000000000"

    /// The request as the API server would hold it: its namespace, a uid, a creation time.
    static func completed(_ request: ElevationRequest, policy: ElevationPolicy, now: Date) -> ElevationRequest {
        var request = request
        if request.metadata.namespace == nil { request.metadata.namespace = policy.metadata.namespace }
        if request.metadata.uid == nil { request.metadata.uid = placeholderUID }
        if request.metadata.creationTimestamp == nil { request.metadata.creationTimestamp = now }
        return request
    }

    /// The decision for the request and the policy it named.
    func decision(searched: String) throws(CLIError) -> (Decision, ElevationPolicy) {
        let policy = try ObjectLoader.policy(for: request, in: policies, searched: searched)
        let request = Self.completed(request, policy: policy, now: now)
        let environment = DecisionEnvironment(meshObjects: meshObjects, backends: MeshBackends.all(options: options))
        let decision = decide(
            request: request, policy: policy, approvals: approvals, activeGrants: activeGrants, now: now,
            environment: environment)
        return (decision, policy)
    }

    /// The reason and message that explain a status's phase (the table in docs/testing-policies.md).
    static func explanation(of status: ElevationRequestStatus) -> (reason: String, message: String) {
        let conditions = status.conditions ?? []
        func pick(_ types: [String], falseOnly: Bool = false) -> Condition? {
            for type in types {
                if let condition = conditions[type: type], !falseOnly || condition.status == .false { return condition }
            }
            return nil
        }
        let chosen: Condition?
        switch status.phase ?? .pending {
        case .denied: chosen = pick(["Valid", "Approved"], falseOnly: true)
        case .pending: chosen = pick(["Valid"], falseOnly: true) ?? pick(["Approved"])
        case .active: chosen = pick(["Approved"])
        case .expired: chosen = pick(["Approved"], falseOnly: true) ?? pick(["Granted"])
        case .revoked: chosen = pick(["Granted"])
        }
        return (chosen?.reason ?? "", chosen?.message ?? "")
    }
}
