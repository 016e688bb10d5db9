import YAML

/// One field-level reason inside an `Invalid` or `Conflict` Status (`details.causes[]`).
public struct StatusCause: Sendable, Equatable {
    /// kube-apiserver's machine-readable reason, e.g. `FieldValueInvalid`, `FieldValueRequired`.
    public var reason: String
    /// The human sentence, e.g. `Invalid value: "x": spec.n in body must be of type integer: "string"`.
    public var message: String
    /// The field path, e.g. `spec.n`.
    public var field: String

    /// Creates a cause.
    public init(reason: String, message: String, field: String) {
        self.reason = reason
        self.message = message
        self.field = field
    }
}

/// Every way a request to the sandbox fails, phrased as kube-apiserver phrases it.
///
/// Each case maps to one `Status` object with the HTTP code and `reason` that kube-apiserver
/// uses, so clients (kubectl, client-go, the Python client, our own) react to it as they would
/// to a real cluster.
public enum SandboxError: Error, Sendable, Equatable {
    /// 404 NotFound for an object: `name` of `resource` (`configmaps`, `widgets.example.com`).
    case notFound(resource: String, group: String, name: String)
    /// 404 for a path that names no resource.
    case unknownPath
    /// 409 AlreadyExists on create of an existing name.
    case alreadyExists(resource: String, group: String, name: String)
    /// 409 Conflict for a stale resourceVersion or a server-side apply conflict.
    case conflict(resource: String, group: String, name: String, message: String, causes: [StatusCause])
    /// 422 Invalid with per-field causes.
    case invalid(kind: String, group: String, name: String, causes: [StatusCause])
    /// 400 BadRequest with the message as kube-apiserver words it.
    case badRequest(String)
    /// 410 Gone/Expired for a resourceVersion or continue token older than the kept history.
    case expired(String)
    /// 405 MethodNotAllowed.
    case methodNotAllowed(String)
    /// 415 UnsupportedMediaType.
    case unsupportedMediaType(String)
    /// 406 NotAcceptable.
    case notAcceptable(String)
    /// 413 RequestEntityTooLarge.
    case tooLarge(limit: Int)
    /// 401 Unauthorized.
    case unauthorized
    /// 429 TooManyRequests, injected by the fault switchboard.
    case tooManyRequests(retryAfterSeconds: Int)
    /// 500 InternalError, injected by the fault switchboard.
    case internalError(String)
    /// 403 Forbidden, e.g. writes to a frozen resource.
    case forbidden(String)
    /// 503 ServiceUnavailable, e.g. while the switchboard refuses service.
    case serviceUnavailable(String)
    /// 504 Timeout for a resourceVersion newer than the store's.
    case resourceVersionTooLarge(requested: Int64, current: Int64)

    /// The HTTP status code.
    public var code: Int {
        switch self {
        case .notFound, .unknownPath: 404
        case .alreadyExists, .conflict: 409
        case .invalid: 422
        case .badRequest: 400
        case .expired: 410
        case .methodNotAllowed: 405
        case .unsupportedMediaType: 415
        case .notAcceptable: 406
        case .tooLarge: 413
        case .unauthorized: 401
        case .tooManyRequests: 429
        case .internalError: 500
        case .forbidden: 403
        case .serviceUnavailable: 503
        case .resourceVersionTooLarge: 504
        }
    }

    /// The `reason` field of the Status.
    public var reason: String {
        switch self {
        case .notFound, .unknownPath: "NotFound"
        case .alreadyExists: "AlreadyExists"
        case .conflict: "Conflict"
        case .invalid: "Invalid"
        case .badRequest: "BadRequest"
        case .expired: "Expired"
        case .methodNotAllowed: "MethodNotAllowed"
        case .unsupportedMediaType: "UnsupportedMediaType"
        case .notAcceptable: "NotAcceptable"
        case .tooLarge: "RequestEntityTooLarge"
        case .unauthorized: "Unauthorized"
        case .tooManyRequests: "TooManyRequests"
        case .internalError: "InternalError"
        case .forbidden: "Forbidden"
        case .serviceUnavailable: "ServiceUnavailable"
        case .resourceVersionTooLarge: "Timeout"
        }
    }

    /// The human message of the Status, worded like kube-apiserver's.
    public var message: String {
        switch self {
        case .notFound(let resource, let group, let name):
            "\(qualified(resource, group)) \"\(name)\" not found"
        case .unknownPath: "the server could not find the requested resource"
        case .alreadyExists(let resource, let group, let name):
            "\(qualified(resource, group)) \"\(name)\" already exists"
        case .conflict(_, _, _, let message, _): message
        case .invalid(let kind, let group, let name, let causes):
            "\(qualified(kind, group)) \"\(name)\" is invalid: "
                + (causes.count == 1
                    ? "\(causes[0].field): \(causes[0].message)"
                    : "[" + causes.map { "\($0.field): \($0.message)" }.joined(separator: ", ") + "]")
        case .badRequest(let message), .expired(let message), .methodNotAllowed(let message),
            .unsupportedMediaType(let message), .notAcceptable(let message), .internalError(let message),
            .forbidden(let message), .serviceUnavailable(let message):
            message
        case .tooLarge(let limit): "Request entity too large: limit is \(limit)"
        case .unauthorized: "Unauthorized"
        case .tooManyRequests: "Too many requests, please try again later."
        case .resourceVersionTooLarge(let requested, let current):
            "Too large resource version: \(requested), current: \(current)"
        }
    }

    /// The `Status` object kube-apiserver would send.
    public var status: JSONValue {
        var details: [String: JSONValue] = [:]
        switch self {
        case .notFound(let resource, let group, let name), .alreadyExists(let resource, let group, let name):
            details = ["name": .string(name), "group": .string(group), "kind": .string(resource)]
        case .conflict(let resource, let group, let name, _, let causes):
            details = ["name": .string(name), "group": .string(group), "kind": .string(resource)]
            if !causes.isEmpty { details["causes"] = .array(causes.map(Self.encode)) }
        case .invalid(let kind, let group, let name, let causes):
            details = [
                "name": .string(name), "group": .string(group), "kind": .string(kind),
                "causes": .array(causes.map(Self.encode)),
            ]
        case .tooManyRequests(let seconds):
            details = ["retryAfterSeconds": .int(Int64(seconds))]
        case .resourceVersionTooLarge:
            details = [
                "retryAfterSeconds": .int(1),
                "causes": .array([.object([
                    "reason": .string("ResourceVersionTooLarge"), "message": .string("Too large resource version"),
                ])]),
            ]
        default:
            break
        }
        var status: [String: JSONValue] = [
            "kind": .string("Status"), "apiVersion": .string("v1"), "metadata": .object([:]),
            "status": .string("Failure"), "message": .string(message), "reason": .string(reason),
            "code": .int(Int64(code)),
        ]
        if !details.isEmpty { status["details"] = .object(details) }
        return .object(status)
    }

    private static func encode(_ cause: StatusCause) -> JSONValue {
        .object(["reason": .string(cause.reason), "message": .string(cause.message), "field": .string(cause.field)])
    }

    private func qualified(_ resource: String, _ group: String) -> String {
        group.isEmpty ? resource : "\(resource).\(group)"
    }
}
