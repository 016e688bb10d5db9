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
        var checked = 0
        let time = now()
        let started = ContinuousClock.now
        for (resource, informer) in caches.meshInformers {
            // Each object is stamped (a copy of its JSON) only once found orphaned, and the walk
            // is paced (see `sweepSlice`): with 10,000 grants, one unpaced walk that stamped and
            // looked up every object with its whole request took about 60 ms of a core at once
            // every `--sweep-interval`, and the grants made meanwhile took three to five times as
            // long (BENCHMARKS.md, seventh round).
            let objects = informer.store.list()
            for start in stride(from: 0, to: objects.count, by: Self.sweepSlice) {
                // A cancelled sweep (shutdown, or leadership lost) stops at the next slice: a paced
                // pass lasts long enough that a deposed leader would otherwise go on deleting.
                guard !Task.isCancelled else { break }
                let slice = objects[start..<min(start + Self.sweepSlice, objects.count)]
                let began = ContinuousClock.now
                let orphans = slice.filter { isOrphan($0, at: time) }
                checked += slice.count
                for object in orphans {
                    do {
                        try await writer.delete(Caches.stamped(object, resource))
                        deleted += 1
                        logger.info("deleted an orphaned mesh object", metadata: ["object": "\(Store<MeshObject>.key(of: object))"])
                    } catch {
                        logger.warning("an orphaned mesh object could not be deleted", metadata: ["error": "\(error)"])
                    }
                }
                if slice.endIndex < objects.count { try? await Task.sleep(for: (ContinuousClock.now - began) * Self.sweepPause) }
            }
        }
        logger.debug(
            "orphan sweep done",
            metadata: ["objects": "\(checked)", "deleted": "\(deleted)", "took": "\(ContinuousClock.now - started)"])
        return deleted
    }

    /// Objects checked between two pauses of the sweep.
    static let sweepSlice = 256
    /// Each pause lasts this many times the slice before it: the sweep takes at most about a
    /// tenth of a core, and a walk over 10,000 objects is spread over a few hundred milliseconds
    /// instead of taking a core from grants all at once. Nothing waits for a sweep: expiries are
    /// the reconciles' work, the sweep only catches what a crash or someone else left behind.
    static let sweepPause = 9

    /// Whether `object` is managed and its request is gone or finished, or Active past the
    /// object's `expires-at` (read only then).
    private func isOrphan(_ object: MeshObject, at time: Date) -> Bool {
        guard let uid = object.value.managedRequestUID else { return false }
        if let watched = options.namespace, object.metadata.namespace != watched { return false }
        guard let phase = caches.requests.store.withFirst(inIndex: Caches.byUID, uid, { $0.value.phase }) else { return true }
        if phase.isTerminal { return true }
        guard phase == .active, let expiresAt = object.value.expiresAt else { return false }
        return time >= expiresAt
    }
}
