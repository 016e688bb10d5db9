/// Options of a list request (`metav1.ListOptions` without the watch parts).
public struct ListOptions: Hashable, Sendable {
    /// Label selector, e.g. `app=elevator,tier!=db`.
    public var labelSelector: String?
    /// Field selector, e.g. `metadata.name=foo`.
    public var fieldSelector: String?
    /// Page size; nil asks for everything at once. kube-rs and client-go's pager use 500.
    public var limit: Int?
    /// The `continue` token from the previous page.
    public var continueToken: String?
    /// `""`/nil: a consistent read; `"0"`: any cached state is fine.
    public var resourceVersion: String?
    /// `NotOlderThan` or `Exact`; only meaningful with `resourceVersion`.
    public var resourceVersionMatch: String?

    /// Options with the given fields.
    public init(
        labelSelector: String? = nil, fieldSelector: String? = nil, limit: Int? = 500, continueToken: String? = nil,
        resourceVersion: String? = nil, resourceVersionMatch: String? = nil
    ) {
        self.labelSelector = labelSelector
        self.fieldSelector = fieldSelector
        self.limit = limit
        self.continueToken = continueToken
        self.resourceVersion = resourceVersion
        self.resourceVersionMatch = resourceVersionMatch
    }
}

/// Options of a watch request.
public struct WatchOptions: Hashable, Sendable {
    public var labelSelector: String?
    public var fieldSelector: String?
    /// Resume point: the resourceVersion of the last list, event or bookmark.
    public var resourceVersion: String?
    public var resourceVersionMatch: String?
    /// Ask for BOOKMARK events (the server may still send none).
    public var allowWatchBookmarks: Bool
    /// Server-side watch duration; kube-rs uses 290 s.
    public var timeoutSeconds: Int?
    /// Streaming list (KEP-3157): initial state as ADDED events, then an `initial-events-end` bookmark.
    public var sendInitialEvents: Bool?

    /// Options with kube-rs's defaults: bookmarks on, 290 s server timeout.
    public init(
        labelSelector: String? = nil, fieldSelector: String? = nil, resourceVersion: String? = nil,
        resourceVersionMatch: String? = nil, allowWatchBookmarks: Bool = true, timeoutSeconds: Int? = 290,
        sendInitialEvents: Bool? = nil
    ) {
        self.labelSelector = labelSelector
        self.fieldSelector = fieldSelector
        self.resourceVersion = resourceVersion
        self.resourceVersionMatch = resourceVersionMatch
        self.allowWatchBookmarks = allowWatchBookmarks
        self.timeoutSeconds = timeoutSeconds
        self.sendInitialEvents = sendInitialEvents
    }
}

/// The kinds of PATCH the API server accepts, with their content types.
public enum PatchType: String, Hashable, Sendable {
    /// RFC 7386 JSON merge patch.
    case merge = "application/merge-patch+json"
    /// RFC 6902 JSON patch (a list of operations, `test` included).
    case json = "application/json-patch+json"
    /// Server-side apply: the body is the full intent of the fields this manager owns.
    case apply = "application/apply-patch+yaml"
}

/// Options of a write (create, replace, patch, apply).
public struct WriteOptions: Hashable, Sendable {
    /// Who owns the written fields; required for apply, at most 128 printable characters.
    public var fieldManager: String?
    /// Apply only: take over fields owned by other managers (drift repair). Never sent otherwise.
    public var force: Bool
    /// `Strict` rejects unknown or duplicate fields instead of dropping them silently.
    public var fieldValidation: String?
    /// `All` makes the server validate without persisting.
    public var dryRun: Bool

    /// Options with `fieldValidation=Strict` by default.
    public init(fieldManager: String? = nil, force: Bool = false, fieldValidation: String? = "Strict", dryRun: Bool = false) {
        self.fieldManager = fieldManager
        self.force = force
        self.fieldValidation = fieldValidation
        self.dryRun = dryRun
    }
}

/// Options of a delete (`metav1.DeleteOptions`).
public struct DeleteOptions: Hashable, Sendable {
    /// How dependents are deleted.
    public enum PropagationPolicy: String, Hashable, Sendable {
        case orphan = "Orphan"
        case background = "Background"
        case foreground = "Foreground"
    }

    /// Delete only if the object still has this uid (not a same-named replacement).
    public var preconditionUID: String?
    /// Delete only if the object still has this resourceVersion.
    public var preconditionResourceVersion: String?
    public var propagationPolicy: PropagationPolicy?
    public var gracePeriodSeconds: Int?

    /// Options with the given fields.
    public init(
        preconditionUID: String? = nil, preconditionResourceVersion: String? = nil,
        propagationPolicy: PropagationPolicy? = nil, gracePeriodSeconds: Int? = nil
    ) {
        self.preconditionUID = preconditionUID
        self.preconditionResourceVersion = preconditionResourceVersion
        self.propagationPolicy = propagationPolicy
        self.gracePeriodSeconds = gracePeriodSeconds
    }
}
