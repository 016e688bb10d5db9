import Elevation
import Foundation
import Kube
import YAML

extension Reconciler {
    /// The work-queue key of a policy; request keys are `namespace/name`, so the prefix keeps
    /// the two apart in the one queue (one worker per key, shared back-off).
    static let policyKeyPrefix = "policy:"

    /// Writes the policy's `Ready` condition (and `observedGeneration`) from `readiness`: the
    /// schema cannot check everything (a `reasonPattern` that does not compile, the default-deny
    /// guard), and the condition names the field to fix.
    ///
    /// Writes only when the condition or the observed generation changed, so the informer event
    /// of its own write ends the loop instead of starting another one.
    func reconcilePolicy(_ key: String) async throws {
        guard let object = caches.policies.store.get(key) else { return }
        let policy = object.value
        let namespace = object.metadata.namespace ?? ""
        let meshObjects = caches.guardObjects(namespace: namespace, rootNamespace: options.mesh.meshRootNamespace)
        let readiness = policy.readiness(backends: servedBackends, meshObjects: meshObjects)
        var status = policy.status ?? ElevationPolicyStatus()
        var conditions = status.conditions ?? []
        let generation = object.metadata.generation
        var changed = conditions.set(
            "Ready", readiness.isReady ? .true : .false, reason: readiness.reason, message: readiness.message,
            observedGeneration: generation, now: now())
        for extra in readiness.conditions {
            changed = conditions.set(
                extra.type, extra.status, reason: extra.reason, message: extra.message, observedGeneration: generation, now: now())
                || changed
        }
        guard changed || status.observedGeneration != generation else { return }
        status.conditions = conditions
        status.observedGeneration = generation
        let body = try Self.statusPatch(status)
        _ = try await client.patchStatus(
            PolicyObject.self, PolicyObject.resourceType, name: object.metadata.name ?? "", namespace: object.metadata.namespace, body)
        if !readiness.isReady {
            logger.warning("an ElevationPolicy is not Ready", metadata: ["policy": "\(key)", "reason": "\(readiness.reason)"])
        }
    }
}
