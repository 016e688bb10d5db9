import Foundation
import Kube

/// Every way a `kubectl elevate` command can fail, phrased for the person at the terminal: each
/// `description` is one sentence that names the thing and says what to do.
public enum PluginError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No kubeconfig could be read or the context is unknown.
    case configuration(String)
    /// The API server could not be reached.
    case unreachable(server: String, detail: String)
    /// The API server refused the credentials.
    case unauthorized(server: String)
    /// The caller may not do this; `what` names the verb and object.
    case forbidden(what: String, namespace: String)
    /// The named request does not exist.
    case noSuchRequest(name: String, namespace: String)
    /// The named policy does not exist.
    case noSuchPolicy(name: String, namespace: String)
    /// `--subject` is not `sa:NAMESPACE/NAME` or `jwt:PRINCIPAL`.
    case badSubject(String)
    /// `--for` is not a Go duration.
    case badDuration(String)
    /// `--rule` is not `port=…,method=…,path=…`.
    case badRule(String, reason: String)
    /// `-o` names an unknown format.
    case badOutput(String)
    /// The API server rejected the object; `message` is its reason.
    case rejected(what: String, message: String)
    /// A followed request reached a final phase other than Active.
    case ended(name: String, phase: String, reason: String)
    /// The Elevator CRDs are not installed on this cluster.
    case notInstalled(server: String)

    public var description: String {
        switch self {
        case .configuration(let detail):
            return "Cannot load a kubeconfig (\(detail)): pass --kubeconfig PATH, set KUBECONFIG, or pick a context with --context."
        case .unreachable(let server, let detail):
            return "Cannot reach the API server at \(server) (\(detail)): check that the cluster is running and that your kubeconfig's server address is right."
        case .unauthorized(let server):
            return "The API server at \(server) rejected your credentials: log in again or fix the user of your kubeconfig context."
        case .forbidden(let what, let namespace):
            return "You may not \(what) in namespace \(namespace): ask an admin to bind you to the ClusterRole elevator-requester or elevator-approver there."
        case .noSuchRequest(let name, let namespace):
            return "There is no ElevationRequest \(name) in namespace \(namespace): check the name with `kubectl elevate list -n \(namespace)` or pass the right -n."
        case .noSuchPolicy(let name, let namespace):
            return "There is no ElevationPolicy \(name) in namespace \(namespace): check the name with `kubectl get elevationpolicies -n \(namespace)` or pass the right -n."
        case .badSubject(let text):
            return "--subject \"\(text)\" is not understood: use sa:NAMESPACE/NAME for a service account or jwt:ISSUER/SUBJECT for a request principal."
        case .badDuration(let text):
            return "--for \"\(text)\" is not a duration: use a Go duration such as 10m, 1h or 1h30m."
        case .badRule(let text, let reason):
            return "--rule \"\(text)\" \(reason): use port=8080,method=GET,path=/admin/queue (repeat a key for several values)."
        case .badOutput(let text):
            return "-o \(text) is not a known output format: use json or yaml, or leave it out for text."
        case .rejected(let what, let message):
            return "The API server refused to \(what): \(message)."
        case .ended(let name, let phase, let reason):
            return "ElevationRequest \(name) is \(phase)\(reason.isEmpty ? "" : " (\(reason))"): fix the cause and ask again with `kubectl elevate request`."
        case .notInstalled(let server):
            return "The cluster at \(server) does not serve ElevationRequests: install the CRDs with `kubectl apply -f manifests/crds`."
        }
    }

    /// Translates a Kube client error into the sentence for the user; `what` names the attempted
    /// action (`create ElevationRequests`), `missing` the error to use for a 404.
    static func from(_ error: any Error, server: String, what: String, namespace: String, missing: PluginError? = nil) -> PluginError {
        if let plugin = error as? PluginError { return plugin }
        guard let kube = error as? KubeError else {
            return .unreachable(server: server, detail: "\(error)")
        }
        switch kube {
        case .notFound:
            // A 404 on a named object is that object missing; on a collection, the CRD is.
            return missing ?? .notInstalled(server: server)
        case .unauthorized: return .unauthorized(server: server)
        case .forbidden: return .forbidden(what: what, namespace: namespace)
        case .transport(let detail): return .unreachable(server: server, detail: detail)
        case .configuration(let detail): return .configuration(detail)
        case .invalid(let message, _), .alreadyExists(let message), .conflict(let message), .badRequest(_, let message):
            return .rejected(what: what, message: message.trimmingCharacters(in: CharacterSet(charactersIn: ".")))
        default:
            return .rejected(what: what, message: kube.description.trimmingCharacters(in: CharacterSet(charactersIn: ".")))
        }
    }
}
