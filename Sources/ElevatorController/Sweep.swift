import Elevation
import Foundation
import Kube
import Logging

extension ElevatorController {
    /// Sweeps at start and every `--sweep-interval` until cancelled.
    func sweepLoop() async {
        while !Task.isCancelled {
            _ = await reconciler.sweep()
            try? await Task.sleep(for: options.sweepInterval)
        }
    }
}

extension Reconciler {
    /// Deletes managed mesh objects (label and request-uid annotation both present) whose request
    /// is gone or finished, or is Active and whose `expires-at` has passed. A Pending request's
    /// object is left alone, even past its `expires-at`: it is a grant whose status is on its
    /// way, or was lost to a crash, and the request's reconcile (which runs for every request at
    /// start) needs it to keep that grant's window instead of starting a new one, and deletes it.
    func sweep() async -> Int {
        var deleted = 0
        let time = now()
        for object in caches.allMeshObjects {
            guard let uid = object.value.managedRequestUID else { continue }
            if let watched = options.namespace, object.metadata.namespace != watched { continue }
            let request = caches.requests.store.byIndex(Caches.byUID, uid).first?.value
            let expiresAt = object.value.json["metadata"]?["annotations"]?["elevator.dev/expires-at"]?.stringValue
                .flatMap(RFC3339.parse)
            let orphan: Bool
            if let request {
                orphan = request.phase.isTerminal || (request.phase == .active && (expiresAt.map { time >= $0 } ?? false))
            } else {
                orphan = true
            }
            guard orphan else { continue }
            do {
                try await writer.delete(object)
                deleted += 1
                logger.info("deleted an orphaned mesh object", metadata: ["object": "\(Store<MeshObject>.key(of: object))"])
            } catch {
                logger.warning("an orphaned mesh object could not be deleted", metadata: ["error": "\(error)"])
            }
        }
        return deleted
    }
}
