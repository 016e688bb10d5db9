import Elevation
import Foundation
import Kube
import Logging
import YAML

/// Writes and deletes a request's mesh objects: server-side apply as field manager `elevator`
/// (fieldValidation=Strict), deletes with a uid precondition so a same-named replacement is never
/// removed.
struct MeshWriter: Sendable {
    static let fieldManager = "elevator"
    let client: KubeClient

    /// What `ensure` did to one object.
    enum Outcome: Equatable { case unchanged, created, repaired }

    /// Applies `desired` unless the cached `current` already carries everything it sets.
    /// With `confirmMissing`, an object the cache lacks is read from the API server first, so a
    /// cache that has not caught up yet (after a restart, a relist or a reconnect) is not taken
    /// for an object someone deleted: the reliability suite saw 9-26 such false
    /// `MeshObjectRestored` warnings per fault scenario before this check.
    func ensure(_ desired: JSONValue, current: JSONValue?, confirmMissing: Bool = false) async throws -> Outcome {
        var current = current
        if current == nil, confirmMissing, let name = desired["metadata"]?["name"]?.stringValue {
            do {
                current = try await client.get(
                    MeshObject.self, name: name, namespace: desired["metadata"]?["namespace"]?.stringValue
                ).value.json
            } catch KubeError.notFound {}
        }
        if let current, Self.covers(current, desired) { return .unchanged }
        _ = try await client.apply(desired, AuthorizationPolicyObject.resourceType, fieldManager: Self.fieldManager)
        return current == nil ? .created : .repaired
    }

    /// Deletes `object` with its uid as precondition; an object already gone is fine.
    func delete(_ object: MeshObject) async throws {
        guard let name = object.metadata.name else { return }
        do {
            try await client.delete(
                AuthorizationPolicyObject.resourceType, name: name, namespace: object.metadata.namespace,
                options: DeleteOptions(preconditionUID: object.metadata.uid))
        } catch KubeError.notFound {
            return
        } catch KubeError.conflict {
            return  // replaced by someone else's object of the same name: not ours to delete
        }
    }

    /// Deletes `name` in `namespace` if the API server has it and it belongs to request `uid`; for
    /// objects the cache has not seen yet (a grant withdrawn right after it was written).
    func deleteIfOwned(name: String, namespace: String, requestUID: String) async throws {
        let object: MeshObject
        do {
            object = try await client.get(MeshObject.self, name: name, namespace: namespace)
        } catch KubeError.notFound {
            return
        }
        guard object.value.managedRequestUID == requestUID else { return }
        try await delete(object)
    }

    /// Whether `current` already has the spec, labels and annotations `desired` sets.
    static func covers(_ current: JSONValue, _ desired: JSONValue) -> Bool {
        guard current["spec"] == desired["spec"] else { return false }
        for field in ["labels", "annotations"] {
            for (key, value) in desired["metadata"]?[field]?.objectValue ?? [:]
            where current["metadata"]?[field]?[key] != value {
                return false
            }
        }
        return true
    }
}
