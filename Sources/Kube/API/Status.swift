/// `metav1.Status`: what the API server returns instead of an object when a call fails, and what
/// a watch ERROR event carries.
public struct Status: Codable, Hashable, Sendable {
    /// `Success` or `Failure`.
    public var status: String?
    public var message: String?
    /// The machine-readable reason: `NotFound`, `AlreadyExists`, `Conflict`, `Invalid`, `Expired`, ...
    public var reason: String?
    public var details: StatusDetails?
    /// The HTTP status code this Status stands for.
    public var code: Int?

    /// A Status with the given fields.
    public init(
        status: String? = "Failure", message: String? = nil, reason: String? = nil,
        details: StatusDetails? = nil, code: Int? = nil
    ) {
        self.status = status
        self.message = message
        self.reason = reason
        self.details = details
        self.code = code
    }
}

/// `metav1.StatusDetails`: which object a failure is about, and for `Invalid` the field causes.
public struct StatusDetails: Codable, Hashable, Sendable {
    public var name: String?
    public var group: String?
    public var kind: String?
    public var uid: String?
    public var causes: [StatusCause]?
    public var retryAfterSeconds: Int?

    /// Details with the given fields.
    public init(
        name: String? = nil, group: String? = nil, kind: String? = nil, uid: String? = nil,
        causes: [StatusCause]? = nil, retryAfterSeconds: Int? = nil
    ) {
        self.name = name
        self.group = group
        self.kind = kind
        self.uid = uid
        self.causes = causes
        self.retryAfterSeconds = retryAfterSeconds
    }
}

/// `metav1.StatusCause`: one reason a request was invalid, e.g. a field that failed validation.
public struct StatusCause: Codable, Hashable, Sendable {
    /// `FieldValueInvalid`, `FieldValueRequired`, `FieldValueDuplicate`, ...
    public var reason: String?
    public var message: String?
    /// The JSON path of the offending field, e.g. `spec.duration`.
    public var field: String?

    /// A cause with the given fields.
    public init(reason: String? = nil, message: String? = nil, field: String? = nil) {
        self.reason = reason
        self.message = message
        self.field = field
    }
}
