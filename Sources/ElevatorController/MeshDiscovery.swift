import Elevation
import Foundation
import Kube
import Logging

extension ElevatorController {
    /// Asks the API server, once at start, which of the backends' resources it serves, so that a
    /// cluster with Istio but no Linkerd CRDs (or the reverse) still becomes ready: an unserved
    /// required resource disables its mesh (its policies become `Ready=False,
    /// reason=UnsupportedMesh`), an unserved optional one counts as empty. Installing a mesh's
    /// CRDs later takes a controller restart.
    ///
    /// A 404 means not served; a 403 on an optional resource too (RBAC not granted for it). Any
    /// other failure counts as served: the informer retries with back-off as usual.
    func findUnservedMeshResources() async {
        for (resource, _) in caches.meshInformers.sorted(by: { $0.key.description < $1.key.description }) {
            do {
                _ = try await client.list(
                    MeshObject.self, resource.resourceType, namespace: nil, options: ListOptions(labelSelector: resource.labelSelector, limit: 1))
            } catch KubeError.notFound(_) {
                caches.markUnserved(resource)
            } catch KubeError.forbidden(_) where resource.optional {
                caches.markUnserved(resource)
            } catch {
                continue
            }
            if !caches.servedMeshInformers.contains(where: { $0.0 == resource }) {
                let meshes = caches.backends.filter { $0.watchedResources.contains(resource) }.map(\.mesh.rawValue)
                logger.notice(
                    "the cluster does not serve \(resource); \(resource.optional ? "it counts as empty" : "mesh \(meshes.joined(separator: ", ")) is disabled")",
                    metadata: ["resource": "\(resource)"])
            }
        }
    }
}
