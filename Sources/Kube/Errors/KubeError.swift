import Foundation

/// Everything that can go wrong talking to the Kubernetes API, in the user's terms.
///
/// Server failures are decoded from the `Status` body and HTTP code (as client-go's
/// `apierrors` does). Messages never contain credentials: tokens, keys and certificate data are
/// not part of any case, and foreign (non-Status) bodies are cut to a short excerpt.
public enum KubeError: Error, Hashable, Sendable, CustomStringConvertible {
    /// 404: the object (or the resource type) does not exist.
    case notFound(String)
    /// 409 `AlreadyExists`: a create named an object that exists.
    case alreadyExists(String)
    /// 409 `Conflict`: the object changed since it was read (stale resourceVersion, or a
    /// precondition such as the uid failed). Re-read and recompute; do not retry blindly.
    case conflict(String)
    /// 422 `Invalid` (or 400 `BadRequest` with causes): the request body failed validation.
    case invalid(String, causes: [StatusCause])
    /// 410 `Gone`/`Expired`: the resourceVersion or continue token is too old; re-list.
    case gone(String)
    /// 429: the server is shedding load; wait `retryAfter` (from `Retry-After`) before trying again.
    case tooManyRequests(retryAfter: Duration?, String)
    /// 401: the credentials were missing, wrong or expired.
    case unauthorized(String)
    /// 403: the credentials are valid but RBAC does not allow this request.
    case forbidden(String)
    /// 400 and other 4xx that have no case of their own.
    case badRequest(code: Int, String)
    /// 5xx: the server failed; `retryAfter` is set when it said when to come back.
    case server(code: Int, retryAfter: Duration?, String)
    /// The request never got an HTTP answer (connection refused, TLS failure, reset, timeout).
    case transport(String)
    /// A response arrived but was not the JSON expected.
    case decoding(String)
    /// The client configuration (kubeconfig, service account, exec plugin) is unusable.
    case configuration(String)

    /// Decodes the error for a non-2xx response from its HTTP code, body and `Retry-After` header.
    public init(code: Int, body: Data, retryAfterHeader: String? = nil) {
        let status = try? JSONBody.decode(Status.self, from: body)
        let isStatus = status?.reason != nil || status?.message != nil
        let message = isStatus ? (status?.message ?? "") : Self.excerpt(body)
        let retryAfter = Self.retryAfter(header: retryAfterHeader, status: status)
        let reason = status?.reason ?? ""
        switch code {
        case 404: self = .notFound(message)
        case 409 where reason == "AlreadyExists": self = .alreadyExists(message)
        case 409: self = .conflict(message)
        case 410: self = .gone(message)
        case 422: self = .invalid(message, causes: status?.details?.causes ?? [])
        case 400 where reason == "Invalid": self = .invalid(message, causes: status?.details?.causes ?? [])
        case 401: self = .unauthorized(message)
        case 403: self = .forbidden(message)
        case 429: self = .tooManyRequests(retryAfter: retryAfter, message)
        case 500...599: self = .server(code: code, retryAfter: retryAfter, message)
        default:
            // A 200 Status with reason Expired arrives inside watch ERROR events.
            if reason == "Expired" || reason == "Gone" { self = .gone(message) } else { self = .badRequest(code: code, message) }
        }
    }

    /// The error a watch ERROR event's `Status` stands for.
    public init(status: Status) {
        let body = (try? JSONEncoder().encode(status)) ?? Data()
        let code = status.code ?? 500
        self.init(code: code == 200 ? 500 : code, body: body)
        if status.reason == "Expired" || status.reason == "Gone" { self = .gone(status.message ?? "") }
    }

    /// The HTTP code of a server answer; nil for transport, decoding and configuration errors.
    public var code: Int? {
        switch self {
        case .notFound: 404
        case .alreadyExists, .conflict: 409
        case .gone: 410
        case .invalid: 422
        case .tooManyRequests: 429
        case .unauthorized: 401
        case .forbidden: 403
        case .badRequest(let code, _), .server(let code, _, _): code
        case .transport, .decoding, .configuration: nil
        }
    }

    /// How long the server asked the client to wait, if it did.
    public var retryAfter: Duration? {
        switch self {
        case .tooManyRequests(let delay, _), .server(_, let delay, _): delay
        default: nil
        }
    }

    public var description: String {
        switch self {
        case .notFound(let message): "not found: \(message)"
        case .alreadyExists(let message): "already exists: \(message)"
        case .conflict(let message): "conflict (the object changed since it was read; re-read it and retry): \(message)"
        case .invalid(let message, let causes):
            causes.isEmpty
                ? "invalid: \(message)"
                : "invalid: \(message) [" + causes.map { "\($0.field ?? "?"): \($0.message ?? $0.reason ?? "")" }.joined(separator: "; ") + "]"
        case .gone(let message): "gone (resourceVersion too old; re-list): \(message)"
        case .tooManyRequests(let delay, let message):
            "too many requests" + (delay.map { " (retry after \($0))" } ?? "") + ": \(message)"
        case .unauthorized(let message):
            "unauthorized (the credentials are missing, wrong or expired; check the kubeconfig user or token): \(message)"
        case .forbidden(let message): "forbidden (grant the permission through RBAC): \(message)"
        case .badRequest(let code, let message): "bad request (HTTP \(code)): \(message)"
        case .server(let code, _, let message): "server error (HTTP \(code)): \(message)"
        case .transport(let message): "cannot reach the API server: \(message)"
        case .decoding(let message): "unexpected response from the API server: \(message)"
        case .configuration(let message): "client configuration: \(message)"
        }
    }

    /// `Retry-After` in seconds (the only form the API server sends), else `details.retryAfterSeconds`.
    static func retryAfter(header: String?, status: Status?) -> Duration? {
        if let header, let seconds = Int(header.trimmingCharacters(in: .whitespaces)), seconds >= 0 {
            return .seconds(seconds)
        }
        if let seconds = status?.details?.retryAfterSeconds, seconds >= 0 { return .seconds(seconds) }
        return nil
    }

    static func excerpt(_ body: Data) -> String {
        let text = String(decoding: body.prefix(200), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return body.count > 200 ? text + "…" : text
    }
}
