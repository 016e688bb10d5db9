import Foundation
import YAML

extension KubeClient {
    /// The endpoint of `resource` in `namespace`, defaulting to the configured namespace.
    func endpoint(_ resource: ResourceType, _ namespace: String?) -> Endpoint {
        Endpoint(resource, namespace: namespace ?? configuration.namespace)
    }

    /// Decodes a response as `T`; with `known`, an object it already holds at the response's
    /// version (the watch event of the same write was there first) is taken instead.
    func decode<T: Decodable>(_ type: T.Type, _ response: HTTPResponse, known: KnownObject<T>? = nil) throws -> T {
        do {
            guard let known else { return try JSONBody.decode(T.self, from: response.body) }
            return try JSONValueDecoder().withDocument(fromJSON: response.body) { document in
                if let object = (try? document.decode(ObjectVersion.self))?.known(in: known) { return object }
                return try document.decode(T.self)
            }
        } catch {
            throw KubeError.decoding("the response is not a \(T.self): \(error)")
        }
    }

    func encode(_ value: some Encodable) throws -> Data {
        // An unstructured object (what the controller applies) is JSON already: writing it
        // directly costs a fraction of going through Codable's containers.
        if let json = value as? JSONValue { return Data(JSONWriter.encode(json)) }
        do {
            if value is any PlainJSONEncodable { return Data(try JSONValueEncoder().encodeJSON(value)) }
            return try JSONEncoder().encode(value)
        } catch {
            throw KubeError.decoding("the object could not be encoded: \(error)")
        }
    }

    /// Reads object `name` as `T` (a `KubeResource`, or `JSONValue` for unstructured access).
    public func get<T: Decodable>(_ type: T.Type, _ resource: ResourceType, name: String, namespace: String? = nil) async throws -> T {
        try decode(T.self, try await send(endpoint(resource, namespace).get(name)))
    }

    /// Reads object `name` of a typed kind.
    public func get<T: KubeResource>(_ type: T.Type, name: String, namespace: String? = nil) async throws -> T {
        try await get(T.self, T.resourceType, name: name, namespace: namespace)
    }

    /// Reads one page of a list. A nil `namespace` lists across all namespaces.
    public func list<T: Decodable & Sendable>(
        _ type: T.Type, _ resource: ResourceType, namespace: String? = nil, options: ListOptions = ListOptions()
    ) async throws -> ObjectList<T> {
        try decode(ObjectList<T>.self, try await send(Endpoint(resource, namespace: namespace).list(options)))
    }

    /// Reads every page of a list (following `continue`), returning the items and the list's
    /// resourceVersion to watch from. An expired continue token (410) restarts the list once.
    public func listAll<T: Decodable & Sendable>(
        _ type: T.Type, _ resource: ResourceType, namespace: String? = nil, options: ListOptions = ListOptions()
    ) async throws -> (items: [T], resourceVersion: String) {
        var restarted = false
        while true {
            var items: [T] = []
            var page = options
            do {
                while true {
                    let list = try await self.list(T.self, resource, namespace: namespace, options: page)
                    items += list.items
                    guard let token = list.metadata.continue, !token.isEmpty else {
                        return (items, list.metadata.resourceVersion ?? "")
                    }
                    page.continueToken = token
                }
            } catch KubeError.gone(let message) where !restarted && page.continueToken != nil {
                restarted = true
                logger.debug("continue token expired; restarting the list", metadata: ["reason": "\(message)"])
            }
        }
    }

    /// Creates `object` and returns it as stored. Never retried (not idempotent).
    public func create<T: KubeResource>(_ object: T, namespace: String? = nil, options: WriteOptions = WriteOptions()) async throws -> T {
        try await create(object, namespace: namespace, options: options, returning: T.self)
    }

    /// Creates `object` and returns what was stored as `Response` (say `ObjectVersion`, when
    /// nothing else of it is read).
    public func create<T: KubeResource, Response: Decodable>(
        _ object: T, namespace: String? = nil, options: WriteOptions = WriteOptions(), returning: Response.Type
    ) async throws -> Response {
        let target = endpoint(T.resourceType, namespace ?? object.metadata.namespace)
        return try decode(Response.self, try await send(target.create(try encode(object), options: options)))
    }

    /// Replaces `object` (PUT); with `metadata.resourceVersion` set, a concurrent change gives `.conflict`.
    public func replace<T: KubeResource>(_ object: T, subresource: String? = nil, options: WriteOptions = WriteOptions()) async throws -> T {
        let name = try Self.name(of: object)
        let target = endpoint(T.resourceType, object.metadata.namespace)
        return try decode(T.self, try await send(target.replace(name, try encode(object), subresource: subresource, options: options)))
    }

    /// Patches object `name` with a merge or JSON patch and returns the result as `T`.
    /// `known` may hold the patched object already (see `KnownObject`).
    public func patch<T: Decodable>(
        _ type: T.Type, _ resource: ResourceType, name: String, namespace: String? = nil, _ patchType: PatchType,
        _ body: Data, subresource: String? = nil, options: WriteOptions = WriteOptions(), known: KnownObject<T>? = nil
    ) async throws -> T {
        let request = endpoint(resource, namespace).patch(name, patchType, body, subresource: subresource, options: options)
        return try decode(T.self, try await send(request), known: known)
    }

    /// Server-side applies `object` as `fieldManager` (force by default: the controller owns its
    /// objects); `subresource: "status"` applies the status. Creates the object if missing.
    public func apply<T: KubeResource>(_ object: T, fieldManager: String, force: Bool = true, subresource: String? = nil) async throws -> T {
        let name = try Self.name(of: object)
        let request = endpoint(T.resourceType, object.metadata.namespace)
            .apply(name, try encode(object), fieldManager: fieldManager, force: force, subresource: subresource)
        return try decode(T.self, try await send(request))
    }

    /// Server-side applies an unstructured object (it must carry apiVersion, kind and metadata.name);
    /// returns the stored object as `Response` (say `ObjectVersion`, when only its version is read).
    public func apply<Response: Decodable>(
        _ object: JSONValue, _ resource: ResourceType, fieldManager: String, force: Bool = true, subresource: String? = nil,
        returning: Response.Type = JSONValue.self
    ) async throws -> Response {
        guard let name = object["metadata"]?["name"]?.stringValue else {
            throw KubeError.configuration("the object to apply has no metadata.name")
        }
        let request = endpoint(resource, object["metadata"]?["namespace"]?.stringValue)
            .apply(name, try encode(object), fieldManager: fieldManager, force: force, subresource: subresource)
        return try decode(Response.self, try await send(request))
    }

    /// Merge-patches the status of object `name` (`PATCH …/status`).
    /// `known` may hold the patched object already (see `KnownObject`).
    public func patchStatus<T: Decodable>(
        _ type: T.Type, _ resource: ResourceType, name: String, namespace: String? = nil, _ body: Data,
        known: KnownObject<T>? = nil
    ) async throws -> T {
        try decode(T.self, try await send(endpoint(resource, namespace).patchStatus(name, body)), known: known)
    }

    /// Deletes object `name`; with a uid precondition a same-named replacement is left alone
    /// (`.conflict`). Deleting an object that is already gone throws `.notFound`.
    public func delete(_ resource: ResourceType, name: String, namespace: String? = nil, options: DeleteOptions = DeleteOptions()) async throws {
        _ = try await send(endpoint(resource, namespace).delete(name, options: options))
    }

    static func name(of object: some KubeResource) throws -> String {
        guard let name = object.metadata.name, !name.isEmpty else {
            throw KubeError.configuration("the \(type(of: object)) has no metadata.name")
        }
        return name
    }
}
