import Elevation
import Foundation
import Kube
import Logging

extension ElevatorController {
    /// Asks the API server, once at start, which of the backends' resources it serves and lets
    /// the controller list, so that a cluster with Istio but no Linkerd CRDs (or the reverse)
    /// still becomes ready: an unavailable required resource disables its mesh (its policies
    /// become `Ready=False, reason=UnsupportedMesh`), an unavailable optional one counts as empty.
    /// Installing a mesh's CRDs (or granting the RBAC) later takes a controller restart.
    ///
    /// A 404 means not served; a 403 means the controller's RBAC does not cover it (logged as an
    /// error for a required resource, since a mesh the cluster runs is then disabled). Any other
    /// failure counts as available: the informer retries with back-off as usual.
    func findUnservedMeshResources() async {
        for (resource, _) in caches.meshInformers.sorted(by: { $0.key.description < $1.key.description }) {
            let problem: String
            do {
                _ = try await client.list(
                    MeshObject.self, resource.resourceType, namespace: nil, options: ListOptions(labelSelector: resource.labelSelector, limit: 1))
                continue
            } catch KubeError.notFound(_) {
                problem = "the cluster does not serve \(resource)"
            } catch KubeError.forbidden(_) {
                problem = "the controller may not list \(resource) (grant it get, list and watch in its ClusterRole)"
            } catch {
                continue
            }
            caches.markUnserved(resource)
            let meshes = caches.backends.filter { $0.watchedResources.contains(resource) }.map(\.mesh.rawValue).joined(separator: ", ")
            if resource.optional {
                logger.notice("\(problem); it counts as having no objects", metadata: ["resource": "\(resource)"])
            } else {
                logger.log(
                    level: problem.hasPrefix("the controller") ? .error : .notice,
                    "\(problem); policies for mesh \(meshes) are not Ready (UnsupportedMesh)", metadata: ["resource": "\(resource)"])
            }
        }
    }
}
