import YAML

/// `metav1.ObjectMeta`: the metadata every persisted Kubernetes object carries.
///
/// Every field is optional, as in the API, so the same type reads full objects, watch bookmarks
/// (only `resourceVersion`) and server-side apply intents (only name, namespace, labels, ...).
/// Fields the server owns (`uid`, `resourceVersion`, `generation`, timestamps) are never required.
public struct ObjectMeta: Codable, Hashable, Sendable {
    public var name: String?
    public var generateName: String?
    public var namespace: String?
    public var uid: String?
    public var resourceVersion: String?
    public var generation: Int64?
    public var creationTimestamp: Time?
    public var deletionTimestamp: Time?
    public var deletionGracePeriodSeconds: Int64?
    public var labels: [String: String]?
    public var annotations: [String: String]?
    public var ownerReferences: [OwnerReference]?
    public var finalizers: [String]?
    /// Server-side apply bookkeeping: which manager owns which fields. Typed entries whose
    /// `fieldsV1` stays JSON text (see `ManagedFieldsEntry`).
    public var managedFields: [ManagedFieldsEntry]?

    /// Metadata with the given identity and nothing else set.
    public init(
        name: String? = nil, namespace: String? = nil, labels: [String: String]? = nil,
        annotations: [String: String]? = nil
    ) {
        self.name = name
        self.namespace = namespace
        self.labels = labels
        self.annotations = annotations
    }
}

/// `metav1.ListMeta`: the metadata of a list response, which carries the resourceVersion to watch
/// from and the `continue` token of the next page.
public struct ListMeta: Codable, Hashable, Sendable {
    public var resourceVersion: String?
    /// The opaque token for the next page; nil or empty on the last page.
    public var `continue`: String?
    public var remainingItemCount: Int64?

    /// List metadata with the given fields.
    public init(resourceVersion: String? = nil, continue: String? = nil, remainingItemCount: Int64? = nil) {
        self.resourceVersion = resourceVersion
        self.continue = `continue`
        self.remainingItemCount = remainingItemCount
    }
}

/// `metav1.OwnerReference`: makes an object a dependent of another in the same namespace (or of a
/// cluster-scoped owner), for garbage collection.
///
/// Caveat: owner references cannot cross namespaces; the garbage collector ignores such a reference.
public struct OwnerReference: Codable, Hashable, Sendable {
    public var apiVersion: String
    public var kind: String
    public var name: String
    public var uid: String
    public var controller: Bool?
    public var blockOwnerDeletion: Bool?

    /// A reference to the owner with the given identity.
    public init(
        apiVersion: String, kind: String, name: String, uid: String, controller: Bool? = nil,
        blockOwnerDeletion: Bool? = nil
    ) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.name = name
        self.uid = uid
        self.controller = controller
        self.blockOwnerDeletion = blockOwnerDeletion
    }
}

/// `v1.ObjectReference`: what an Event is about (`regarding`, `related`).
public struct ObjectReference: Codable, Hashable, Sendable {
    public var apiVersion: String?
    public var kind: String?
    public var name: String?
    public var namespace: String?
    public var uid: String?
    public var resourceVersion: String?
    public var fieldPath: String?

    /// A reference with the given fields.
    public init(
        apiVersion: String? = nil, kind: String? = nil, name: String? = nil, namespace: String? = nil,
        uid: String? = nil, resourceVersion: String? = nil, fieldPath: String? = nil
    ) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.name = name
        self.namespace = namespace
        self.uid = uid
        self.resourceVersion = resourceVersion
        self.fieldPath = fieldPath
    }
}
