import YAML

/// `metav1.ManagedFieldsEntry`: one field manager's claim in `metadata.managedFields` (which
/// manager, by which operation, at which API version and time, owns which fields).
///
/// `fieldsV1` (the owned fields as a `FieldsV1` trie, `{"f:spec":{"f:replicas":{}}}`) stays JSON
/// text: the client never interprets it and building a tree of it for every object of a LIST was
/// an eighth of the decoding time. `fieldsV1?.value` parses it for a caller that does look.
/// Unknown members are ignored, as for every type of this module.
public struct ManagedFieldsEntry: Codable, Hashable, Sendable {
    /// The field manager (`kubectl-client-side-apply`, a controller's name, ...).
    public var manager: String?
    /// `Apply` (server-side apply) or `Update` (every other write).
    public var operation: String?
    /// The API version the fields are expressed in (`apps/v1`).
    public var apiVersion: String?
    /// When the entry last changed.
    public var time: Time?
    /// The format of `fieldsV1`; `FieldsV1` is the only one the API server knows.
    public var fieldsType: String?
    /// The owned fields, as the server wrote them.
    public var fieldsV1: RawJSON?
    /// The subresource written (`status`), or nil for the object itself.
    public var subresource: String?

    /// An entry with the given fields.
    public init(
        manager: String? = nil, operation: String? = nil, apiVersion: String? = nil, time: Time? = nil,
        fieldsType: String? = nil, fieldsV1: RawJSON? = nil, subresource: String? = nil
    ) {
        self.manager = manager
        self.operation = operation
        self.apiVersion = apiVersion
        self.time = time
        self.fieldsType = fieldsType
        self.fieldsV1 = fieldsV1
        self.subresource = subresource
    }
}
