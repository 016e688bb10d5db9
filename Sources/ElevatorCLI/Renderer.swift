import Elevation
import Foundation
import YAML

/// `elevator render`: the mesh objects a request would get once its approvals are in, as YAML,
/// or the one sentence saying why it would be denied.
///
/// Approval stages are assumed met (render answers "what would this grant open?"); everything
/// else is decided as the controller would: `requesters`, subject and rules containment, duration
/// limits, reason rules, break-glass. The default-deny guard runs only when the mesh's existing
/// AuthorizationPolicies are given, since offline nothing else knows them.
public struct Renderer: Sendable {
    /// Paths (files or folders) holding the policies.
    public var policyPaths: [String]
    /// The file holding exactly one ElevationRequest.
    public var requestPath: String
    /// The decision time (the grant starts here).
    public var now: Date
    /// Trust domain and mesh root namespace, as the controller's flags.
    public var options: MeshOptions
    /// Paths holding the mesh's existing AuthorizationPolicies; nil skips the default-deny guard.
    public var meshObjectPaths: [String]?

    /// A renderer.
    public init(policyPaths: [String], requestPath: String, now: Date, options: MeshOptions = MeshOptions(), meshObjectPaths: [String]? = nil) {
        self.policyPaths = policyPaths
        self.requestPath = requestPath
        self.now = now
        self.options = options
        self.meshObjectPaths = meshObjectPaths
    }

    /// What `render` prints and how it exits.
    public enum Outcome: Equatable, Sendable {
        /// The YAML documents of the mesh objects (exit 0).
        case granted(yaml: String)
        /// The sentence saying why the request would be denied (exit 1).
        case denied(reason: String, sentence: String)
    }

    /// Renders; throws for input the user must fix (missing files, bad YAML, no such policy).
    public func render() throws(CLIError) -> Outcome {
        let policies = try ObjectLoader.policies(try ObjectLoader.documents(paths: policyPaths))
        var requests: [ElevationRequest] = []
        for root in try ObjectLoader.documents(paths: [requestPath]) {
            guard case .request(let request) = try ObjectLoader.object(root, kind: "ElevationRequest") else {
                throw ObjectLoader.unexpected(root, expected: "ElevationRequest")
            }
            requests.append(request)
        }
        guard requests.count == 1, var request = requests.first else {
            throw .notOneRequest(path: requestPath, count: requests.count)
        }
        request.status = nil
        let meshObjects = try meshObjectPaths.map { paths throws(CLIError) in try ObjectLoader.json(try ObjectLoader.documents(paths: paths)) }
        var policy = try ObjectLoader.policy(for: request, in: policies, searched: policyPaths.joined(separator: ", "))
        policy.spec.approval?.stages = nil
        let scenario = Scenario(policies: [policy], request: request, meshObjects: meshObjects, options: options, now: now)
        let (decision, _) = try scenario.decision(searched: policyPaths.joined(separator: ", "))
        if decision.status.phase == .active {
            do {
                return .granted(yaml: try YAMLEmitter().emitDocuments(decision.meshObjects))
            } catch {
                throw .invalidManifest(detail: "the mesh objects cannot be written as YAML: \(error)")
            }
        }
        let (reason, message) = Scenario.explanation(of: decision.status)
        return .denied(
            reason: reason,
            sentence: "ElevationRequest \(request.metadata.name) would be denied (\(reason)): \(message).")
    }
}
