import Foundation
import YAML

/// Garbage collection by ownerReferences, as kube-controller-manager's garbage collector does
/// it, run synchronously under the store's lock.
///
/// A dependent goes when none of its owners exists any more (including owners that never
/// existed); dangling references to some gone owners are removed; an owner in foreground
/// deletion (finalizer `foregroundDeletion`) has its dependents deleted first and goes when the
/// last one is gone.
extension StoreState {
    func dependents(ofUID uid: String) -> [ObjectRef] {
        (dependentsByOwner[uid] ?? []).sorted { ($0.storageKey, $0.key) < ($1.storageKey, $1.key) }
    }

    func hasDependents(_ owner: JSONValue) -> Bool { !dependents(ofUID: ObjectMeta.uid(owner)).isEmpty }

    private func type(of ref: ObjectRef, _ object: JSONValue) -> ResourceType? {
        catalog.types.first { $0.storageKey == ref.storageKey }
    }

    mutating func orphanDependents(of owner: JSONValue) {
        let uid = ObjectMeta.uid(owner)
        for ref in dependents(ofUID: uid) {
            guard var child = object(ref)?.value else { continue }
            let previous = child
            let references = child["metadata"]?["ownerReferences"]?.arrayValue ?? []
            let kept = references.filter { $0["uid"]?.stringValue != uid }
            ObjectMeta.set("ownerReferences", kept.isEmpty ? nil : .array(kept), in: &child)
            commit(ref.storageKey, key: ref.key, object: child, previous: previous, eventType: "MODIFIED")
        }
    }

    /// Runs collection passes over the candidates (dependents written since the last pass or
    /// whose owner went or entered foreground deletion, owners in foreground deletion whose
    /// dependents changed) until none are left; returns how many objects were touched. A pass
    /// costs in proportion to the changes, not to the number of objects with owners.
    @discardableResult
    mutating func collectGarbage(now: Date) -> Int {
        var touched = 0
        for _ in 0..<64 where !collectCandidates.isEmpty || !foregroundCandidates.isEmpty {
            let candidates = collectCandidates.sorted { ($0.storageKey, $0.key) < ($1.storageKey, $1.key) }
            collectCandidates = []
            for ref in candidates where owned.contains(ref) {
                guard let child = object(ref)?.value, let type = type(of: ref, child) else { continue }
                let owners = ObjectMeta.ownerUIDs(child)
                let living = owners.filter { uids[$0] != nil }
                let ownerInForeground = living.contains { uid in
                    uids[uid].map { foreground.contains($0) } ?? false
                }
                if living.isEmpty || ownerInForeground {
                    if ObjectMeta.isDeleting(child) { continue }
                    let name = ObjectMeta.name(child)
                    let namespace = ObjectMeta.namespace(child)
                    let policy = ownerInForeground ? "Foreground" : "Background"
                    if (try? delete(type, namespace: namespace, name: name,
                                    options: DeleteOptions(propagationPolicy: policy), now: now)) != nil
                    {
                        touched += 1
                    }
                } else if living.count < owners.count {
                    var updated = child
                    let kept = (child["metadata"]?["ownerReferences"]?.arrayValue ?? []).filter {
                        $0["uid"]?.stringValue.map { uids[$0] != nil } ?? false
                    }
                    ObjectMeta.set("ownerReferences", .array(kept), in: &updated)
                    commit(ref.storageKey, key: ref.key, object: updated, previous: child, eventType: "MODIFIED")
                    touched += 1
                }
            }
            let owners = foregroundCandidates.sorted { ($0.storageKey, $0.key) < ($1.storageKey, $1.key) }
            foregroundCandidates = []
            for ref in owners where foreground.contains(ref) {
                guard let owner = object(ref)?.value else { continue }
                if !dependents(ofUID: ObjectMeta.uid(owner)).isEmpty { continue }
                var updated = owner
                let finalizers = ObjectMeta.finalizers(owner).filter { $0 != "foregroundDeletion" }
                ObjectMeta.set("finalizers", finalizers.isEmpty ? nil : .array(finalizers.map { .string($0) }), in: &updated)
                touched += 1
                if finalizers.isEmpty, let type = type(of: ref, owner) {
                    remove(type, key: ref.key, object: updated)
                } else {
                    commit(ref.storageKey, key: ref.key, object: updated, previous: owner, eventType: "MODIFIED")
                }
            }
        }
        garbagePending = !collectCandidates.isEmpty || !foregroundCandidates.isEmpty
        return touched
    }
}

/// What kube-apiserver checks and fills in on a CustomResourceDefinition.
enum CRDRules {
    /// Validates the CRD's name and names, and sets the `Established` status it would reach.
    static func prepare(_ crd: JSONValue) throws(SandboxError) -> JSONValue {
        let name = ObjectMeta.name(crd)
        guard let group = crd["spec"]?["group"]?.stringValue, let plural = crd["spec"]?["names"]?["plural"]?.stringValue,
            crd["spec"]?["names"]?["kind"]?.stringValue != nil, let versions = crd["spec"]?["versions"]?.arrayValue,
            !versions.isEmpty
        else {
            throw .invalid(kind: "CustomResourceDefinition", group: "apiextensions.k8s.io", name: name, causes: [
                StatusCause(reason: "FieldValueRequired", message: "Required value", field: "spec")])
        }
        if name != "\(plural).\(group)" {
            throw .invalid(kind: "CustomResourceDefinition", group: "apiextensions.k8s.io", name: name, causes: [
                StatusCause(reason: "FieldValueInvalid",
                            message: "Invalid value: \"\(name)\": must be spec.names.plural+\".\"+spec.group",
                            field: "metadata.name")])
        }
        var object = crd
        var names = crd["spec"]?["names"]?.objectValue ?? [:]
        if names["singular"] == nil, let kind = names["kind"]?.stringValue { names["singular"] = .string(kind.lowercased()) }
        if names["listKind"] == nil, let kind = names["kind"]?.stringValue { names["listKind"] = .string(kind + "List") }
        let storage = versions.first { $0["storage"]?.boolValue == true }?["name"] ?? versions[0]["name"] ?? .null
        let condition = { (type: String, reason: String, message: String) -> JSONValue in
            .object([
                "type": .string(type), "status": .string("True"), "reason": .string(reason),
                "message": .string(message), "lastTransitionTime": .string(ObjectMeta.timestamp(Date())),
            ])
        }
        object["status"] = .object([
            "acceptedNames": .object(names),
            "storedVersions": .array([storage]),
            "conditions": crd["status"]?["conditions"] ?? .array([
                condition("NamesAccepted", "NoConflicts", "no conflicts found"),
                condition("Established", "InitialNamesAccepted", "the initial names have been accepted"),
            ]),
        ])
        return object
    }
}
