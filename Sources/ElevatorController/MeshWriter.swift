import Elevation
import Foundation
import Kube
import Logging
import YAML

/// Writes and deletes a request's mesh objects: server-side apply as field manager `elevator`
/// (fieldValidation=Strict), deletes with a uid precondition so a same-named replacement is never
/// removed. Which resource an object is, and whether a live one drifted, the backends say.
struct MeshWriter: Sendable {
    static let fieldManager = "elevator"
    let client: KubeClient
    let backends: [any MeshBackend]
    /// Where the versions this writer applies are noted, so their watch echoes are known as such.
    let ownWrites: OwnWrites

    /// What `ensure` did to one object.
    enum Outcome: Equatable { case unchanged, created, repaired }

    /// Applies `desired` unless the cached `current` already carries everything it sets (the
    /// judgement of `backend.matches`).
    /// With `confirmMissing`, an object the cache lacks is read from the API server first, so a
    /// cache that has not caught up yet (after a restart, a relist or a reconnect) is not taken
    /// for an object someone deleted: the reliability suite saw 9-26 such false
    /// `MeshObjectRestored` warnings per fault scenario before this check.
    func ensure(
        _ desired: JSONValue, current: JSONValue?, backend: any MeshBackend, confirmMissing: Bool = false
    ) async throws -> Outcome {
        let type = try resource(of: desired)
        var current = current
        if current == nil, confirmMissing, let name = desired["metadata"]?["name"]?.stringValue {
            do {
                current = try await client.get(
                    MeshObject.self, type, name: name, namespace: desired["metadata"]?["namespace"]?.stringValue
                ).value.json
            } catch KubeError.notFound {}
        }
        if let current, backend.matches(live: current, desired: desired) { return .unchanged }
        _ = try await ownWrites.write(Self.identity(of: desired), version: \.resourceVersion) {
            try await client.apply(desired, type, fieldManager: Self.fieldManager, returning: ObjectVersion.self)
        }
        return current == nil ? .created : .repaired
    }

    /// How `OwnWrites` names a mesh object: by the `apiVersion`, `kind` and metadata it carries.
    static func identity(of object: JSONValue) -> OwnWrites.Identity {
        OwnWrites.Identity(
            apiVersion: object["apiVersion"]?.stringValue ?? "", kind: object["kind"]?.stringValue ?? "",
            namespace: object["metadata"]?["namespace"]?.stringValue, name: object["metadata"]?["name"]?.stringValue)
    }

    /// The same of a cached mesh object, without building its JSON.
    static func identity(of object: MeshObject) -> OwnWrites.Identity {
        let identity = object.identity
        return OwnWrites.Identity(
            apiVersion: object.value.apiVersion ?? "", kind: object.value.kind ?? "", namespace: identity.namespace, name: identity.name)
    }

    /// Deletes `object` with its uid as precondition; an object already gone is fine.
    func delete(_ object: MeshObject) async throws {
        guard let name = object.metadata.name else { return }
        do {
            try await client.delete(
                try resource(apiVersion: object.value.apiVersion ?? "", kind: object.value.kind ?? ""), name: name,
                namespace: object.metadata.namespace,
                options: DeleteOptions(preconditionUID: object.metadata.uid))
        } catch KubeError.notFound {
            return
        } catch KubeError.conflict {
            return  // replaced by someone else's object of the same name: not ours to delete
        }
    }

    /// Deletes `reference` in `namespace` if the API server has it and it belongs to request `uid`;
    /// for objects the cache has not seen yet (a grant withdrawn right after it was written).
    func deleteIfOwned(_ reference: Elevation.ObjectReference, namespace: String, requestUID: String) async throws {
        let type = try resource(apiVersion: reference.apiVersion, kind: reference.kind)
        var object: MeshObject
        do {
            object = try await client.get(MeshObject.self, type, name: reference.name, namespace: namespace)
        } catch KubeError.notFound {
            return
        }
        guard object.value.managedRequestUID == requestUID else { return }
        object.value.stamp(apiVersion: reference.apiVersion, kind: reference.kind)
        try await delete(object)
    }

    /// The resource a backend writes `object` as (by its `apiVersion` and `kind`).
    func resource(of object: JSONValue) throws -> ResourceType {
        try resource(apiVersion: object["apiVersion"]?.stringValue ?? "", kind: object["kind"]?.stringValue ?? "")
    }

    /// The resource a backend writes objects of `apiVersion` and `kind` as.
    func resource(apiVersion: String, kind: String) throws -> ResourceType {
        guard let resource = backends.lazy.flatMap(\.watchedResources).first(where: { $0.apiVersion == apiVersion && $0.kind == kind })
        else { throw ControllerError.unknownMeshKind(apiVersion: apiVersion, kind: kind) }
        return resource.resourceType
    }
}
