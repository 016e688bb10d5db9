import Foundation

/// The requests for one resource type in one namespace (or cluster-wide), built as pure values.
///
/// Mirrors kube-core's `Request`: every function returns a `KubeRequest` and sends nothing.
/// For a cluster-scoped type the namespace is ignored; for a namespaced type a nil namespace means
/// "all namespaces" for list and watch, and `KubeClient` rejects it for single-object verbs.
public struct Endpoint: Hashable, Sendable {
    public var resource: ResourceType
    public var namespace: String?

    /// The endpoint of `resource` in `namespace` (nil: cluster-scoped, or all namespaces).
    public init(_ resource: ResourceType, namespace: String? = nil) {
        self.resource = resource
        self.namespace = resource.namespaced ? namespace : nil
    }

    /// `…/namespaces/<ns>/<plural>` or `…/<plural>`.
    public var collectionPath: String {
        var path = resource.groupVersionPath
        if let namespace { path += "/namespaces/" + Self.segment(namespace) }
        return path + "/" + resource.plural
    }

    /// The path of object `name`, optionally of its `subresource` (`status`, `scale`).
    public func objectPath(_ name: String, subresource: String? = nil) -> String {
        var path = collectionPath + "/" + Self.segment(name)
        if let subresource { path += "/" + subresource }
        return path
    }

    /// `GET` one object.
    public func get(_ name: String, subresource: String? = nil) -> KubeRequest {
        KubeRequest(method: .get, verb: .get, path: objectPath(name, subresource: subresource), headers: Self.acceptJSON)
    }

    /// `GET` one page of the collection.
    public func list(_ options: ListOptions = ListOptions()) -> KubeRequest {
        var query: [(name: String, value: String)] = []
        Self.append(&query, "labelSelector", options.labelSelector)
        Self.append(&query, "fieldSelector", options.fieldSelector)
        Self.append(&query, "limit", options.limit.map(String.init))
        Self.append(&query, "continue", options.continueToken.flatMap { $0.isEmpty ? nil : $0 })
        // A continue token pins the snapshot; the server rejects a resourceVersion beside it.
        if options.continueToken?.isEmpty ?? true {
            Self.append(&query, "resourceVersion", options.resourceVersion)
            Self.append(&query, "resourceVersionMatch", options.resourceVersion == nil ? nil : options.resourceVersionMatch)
        }
        return KubeRequest(method: .get, verb: .list, path: collectionPath, query: query, headers: Self.acceptJSON)
    }

    /// `GET ?watch=1`: a long-running stream of newline-delimited watch events.
    public func watch(_ options: WatchOptions = WatchOptions()) -> KubeRequest {
        var query: [(name: String, value: String)] = [("watch", "1")]
        Self.append(&query, "labelSelector", options.labelSelector)
        Self.append(&query, "fieldSelector", options.fieldSelector)
        Self.append(&query, "resourceVersion", options.resourceVersion)
        Self.append(&query, "resourceVersionMatch", options.resourceVersionMatch)
        if options.allowWatchBookmarks { query.append(("allowWatchBookmarks", "true")) }
        Self.append(&query, "timeoutSeconds", options.timeoutSeconds.map(String.init))
        if let send = options.sendInitialEvents {
            query.append(("sendInitialEvents", send ? "true" : "false"))
            // The server requires NotOlderThan beside sendInitialEvents (KEP-3157).
            if send, options.resourceVersionMatch == nil {
                if options.resourceVersion == nil { query.append(("resourceVersion", "")) }
                query.append(("resourceVersionMatch", "NotOlderThan"))
            }
        }
        return KubeRequest(method: .get, verb: .watch, path: collectionPath, query: query, headers: Self.acceptJSON)
    }

    /// `POST` a new object (`body` is its JSON). Not idempotent, so never retried.
    public func create(_ body: Data, options: WriteOptions = WriteOptions()) -> KubeRequest {
        KubeRequest(
            method: .post, verb: .create, path: collectionPath, query: Self.writeQuery(options, apply: false),
            headers: Self.sendJSON, body: body)
    }

    /// `PUT` the whole object; optimistic when the body carries `metadata.resourceVersion`.
    public func replace(_ name: String, _ body: Data, subresource: String? = nil, options: WriteOptions = WriteOptions())
        -> KubeRequest
    {
        KubeRequest(
            method: .put, verb: .replace, path: objectPath(name, subresource: subresource),
            query: Self.writeQuery(options, apply: false), headers: Self.sendJSON, body: body)
    }

    /// `PATCH` with a merge or JSON patch (use `apply` for server-side apply).
    public func patch(
        _ name: String, _ type: PatchType, _ body: Data, subresource: String? = nil,
        options: WriteOptions = WriteOptions()
    ) -> KubeRequest {
        let isApply = type == .apply
        return KubeRequest(
            method: .patch, verb: isApply ? .apply : .patch, path: objectPath(name, subresource: subresource),
            query: Self.writeQuery(options, apply: isApply),
            headers: ["Content-Type": type.rawValue, "Accept": "application/json"], body: body)
    }

    /// Server-side apply: `PATCH` with `application/apply-patch+yaml`, `fieldManager` and (when
    /// asked) `force=true`. Creates the object if it is missing. `subresource: "status"` applies status.
    public func apply(_ name: String, _ body: Data, fieldManager: String, force: Bool = true, subresource: String? = nil)
        -> KubeRequest
    {
        patch(name, .apply, body, subresource: subresource, options: WriteOptions(fieldManager: fieldManager, force: force))
    }

    /// `PATCH …/status` with a merge patch: changes only `.status`.
    public func patchStatus(_ name: String, _ body: Data, options: WriteOptions = WriteOptions()) -> KubeRequest {
        patch(name, .merge, body, subresource: "status", options: options)
    }

    /// `DELETE` with a `DeleteOptions` body carrying the preconditions and propagation policy.
    public func delete(_ name: String, options: DeleteOptions = DeleteOptions()) -> KubeRequest {
        var body = #"{"apiVersion":"v1","kind":"DeleteOptions""#
        if let grace = options.gracePeriodSeconds { body += #","gracePeriodSeconds":\#(grace)"# }
        var preconditions: [String] = []
        if let uid = options.preconditionUID { preconditions.append(#""uid":\#(Self.jsonString(uid))"#) }
        if let version = options.preconditionResourceVersion {
            preconditions.append(#""resourceVersion":\#(Self.jsonString(version))"#)
        }
        if !preconditions.isEmpty { body += #","preconditions":{"# + preconditions.joined(separator: ",") + "}" }
        if let policy = options.propagationPolicy { body += #","propagationPolicy":"\#(policy.rawValue)""# }
        body += "}"
        return KubeRequest(
            method: .delete, verb: .delete, path: objectPath(name), headers: Self.sendJSON, body: Data(body.utf8))
    }

    static let acceptJSON = ["Accept": "application/json"]
    static let sendJSON = ["Accept": "application/json", "Content-Type": "application/json"]

    static func writeQuery(_ options: WriteOptions, apply: Bool) -> [(name: String, value: String)] {
        var query: [(name: String, value: String)] = []
        if options.dryRun { query.append(("dryRun", "All")) }
        append(&query, "fieldManager", options.fieldManager)
        if apply, options.force { query.append(("force", "true")) }
        append(&query, "fieldValidation", options.fieldValidation)
        return query
    }

    static func append(_ query: inout [(name: String, value: String)], _ name: String, _ value: String?) {
        if let value { query.append((name, value)) }
    }

    static func segment(_ text: String) -> String { KubeRequest.percentEncode(text) }

    static func jsonString(_ text: String) -> String {
        let data = (try? JSONEncoder().encode(text)) ?? Data("\"\"".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}
