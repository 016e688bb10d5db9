import YAML

/// How the server treats fields a custom resource's schema does not declare
/// (`?fieldValidation=`): drop them silently, drop them with a warning, or refuse the write.
public enum FieldValidation: String, Sendable {
    case ignore = "Ignore"
    case warn = "Warn"
    case strict = "Strict"
}

/// Options of a create, update, patch or apply (the query parameters of the write).
public struct WriteOptions: Sendable {
    /// `dryRun=All`: validate and answer, but store nothing and notify no watcher.
    public var dryRun: Bool
    /// `fieldManager`; defaults to the client's user agent name as kube-apiserver does.
    public var fieldManager: String
    /// `fieldValidation`; kube-apiserver's default is `Warn`.
    public var fieldValidation: FieldValidation
    /// `force` for server-side apply: take conflicting fields over.
    public var force: Bool

    /// Creates options; the defaults are kube-apiserver's.
    public init(dryRun: Bool = false, fieldManager: String = "unknown", fieldValidation: FieldValidation = .warn,
                force: Bool = false) {
        self.dryRun = dryRun
        self.fieldManager = fieldManager
        self.fieldValidation = fieldValidation
        self.force = force
    }
}

/// Options of a delete (`DeleteOptions` body and query parameters).
public struct DeleteOptions: Sendable {
    /// `Background` (default), `Foreground` or `Orphan`.
    public var propagationPolicy: String?
    /// `preconditions.uid`.
    public var preconditionUID: String?
    /// `preconditions.resourceVersion`.
    public var preconditionResourceVersion: String?
    /// `dryRun=All`.
    public var dryRun: Bool

    /// Creates options; the default is a background deletion.
    public init(propagationPolicy: String? = nil, preconditionUID: String? = nil,
                preconditionResourceVersion: String? = nil, dryRun: Bool = false) {
        self.propagationPolicy = propagationPolicy
        self.preconditionUID = preconditionUID
        self.preconditionResourceVersion = preconditionResourceVersion
        self.dryRun = dryRun
    }
}

/// The result of a write: the object as stored (or as it would be, for a dry run) and the
/// warnings for the `Warning` response header.
public struct WriteResult: Sendable {
    /// The object after the write.
    public var object: StoredObject
    /// Whether the write created the object (201 rather than 200).
    public var created: Bool
    /// Warnings such as `unknown field "spec.foo"`.
    public var warnings: [String]
}

/// One page of a list.
public struct ListResult: Sendable {
    /// The items, sorted by namespace and name.
    public var items: [StoredObject]
    /// The resourceVersion of the list.
    public var resourceVersion: Int64
    /// The token for the next page, if there is one.
    public var continueToken: String?
    /// How many items follow this page.
    public var remainingItemCount: Int?
}
