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

    /// What `ensure` did to one object.
    enum Outcome: Equatable { case unchanged, created, repaired }

    /// Applies `desired` unless the cached `current` already carries everything it sets (the
    /// judgement of `backend.matches`).
    func ensure(_ desired: JSONValue, current: JSONValue?, backend: any MeshBackend) async throws -> Outcome {
        if let current, backend.matches(live: current, desired: desired) { return .unchanged }
        _ = try await client.apply(desired, try resource(of: desired), fieldManager: Self.fieldManager)
        return current == nil ? .created : .repaired
    }

    /// Deletes `object` with its uid as precondition; an object already gone is fine.
    func delete(_ object: MeshObject) async throws {
        guard let name = object.metadata.name else { return }
        do {
            try await client.delete(
                try resource(of: object.value.json), name: name, namespace: object.metadata.namespace,
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
        let probe: JSONValue = .object(["apiVersion": .string(reference.apiVersion), "kind": .string(reference.kind)])
        let type = try resource(of: probe)
        var object: MeshObject
        do {
            object = try await client.get(MeshObject.self, type, name: reference.name, namespace: namespace)
        } catch KubeError.notFound {
            return
        }
        guard object.value.managedRequestUID == requestUID else { return }
        object.value.json["apiVersion"] = probe["apiVersion"]
        object.value.json["kind"] = probe["kind"]
        try await delete(object)
    }

    /// The resource a backend writes `object` as (by its `apiVersion` and `kind`).
    func resource(of object: JSONValue) throws -> ResourceType {
        let apiVersion = object["apiVersion"]?.stringValue ?? ""
        let kind = object["kind"]?.stringValue ?? ""
        guard let resource = backends.lazy.flatMap(\.watchedResources).first(where: { $0.apiVersion == apiVersion && $0.kind == kind })
        else { throw ControllerError.unknownMeshKind(apiVersion: apiVersion, kind: kind) }
        return resource.resourceType
    }
}
