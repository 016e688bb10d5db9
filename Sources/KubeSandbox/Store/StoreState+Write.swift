import Foundation
import YAML

/// The write paths, with kube-apiserver's rules for metadata, concurrency, the status
/// subresource, generation, schema validation and finalizers.
extension StoreState {
    func existing(_ type: ResourceType, namespace: String, name: String) throws(SandboxError) -> StoredObject {
        let key = Self.key(namespace: type.namespaced ? namespace : "", name: name)
        guard let object = buckets[type.storageKey]?[key] else {
            throw .notFound(resource: type.plural, group: type.group, name: name)
        }
        return object
    }

    private func normalize(_ body: JSONValue, _ type: ResourceType, namespace: String) throws(SandboxError) -> JSONValue {
        guard case .object = body else {
            throw .badRequest("the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf")
        }
        var object = body
        if let kind = object["kind"]?.stringValue, kind != type.kind {
            throw .badRequest("\(type.kind) in version \"\(type.version)\" cannot be handled as a \(type.kind): the kind \"\(kind)\" does not match the expected kind \"\(type.kind)\"")
        }
        object["kind"] = .string(type.kind)
        object["apiVersion"] = .string(type.apiVersion)
        if object["metadata"]?.objectValue == nil { object["metadata"] = .object([:]) }
        if type.namespaced {
            let declared = ObjectMeta.namespace(object)
            if !declared.isEmpty, declared != namespace {
                throw .badRequest("the namespace of the provided object does not match the namespace sent on the request")
            }
            ObjectMeta.set("namespace", .string(namespace), in: &object)
        } else {
            ObjectMeta.set("namespace", nil, in: &object)
        }
        return object
    }

    /// Schema admission for custom resources; returns the pruned, defaulted object and warnings.
    private func admit(_ object: JSONValue, _ type: ResourceType, options: WriteOptions) throws(SandboxError)
        -> (JSONValue, [String])
    {
        guard let schema = type.schema else { return (object, []) }
        let outcome = SchemaValidator.admit(object, schema: schema)
        var warnings: [String] = []
        if !outcome.unknownFields.isEmpty {
            switch options.fieldValidation {
            case .strict:
                let list = outcome.unknownFields.map { "unknown field \"\($0)\"" }.joined(separator: ", ")
                throw .badRequest("\(type.kind) in version \"\(type.version)\" cannot be handled as a \(type.kind): strict decoding error: \(list)")
            case .warn: warnings = outcome.unknownFields.map { "unknown field \"\($0)\"" }
            case .ignore: break
            }
        }
        if !outcome.causes.isEmpty {
            throw .invalid(kind: type.kind, group: type.group, name: ObjectMeta.name(object), causes: outcome.causes)
        }
        return (outcome.object, warnings)
    }

    private func checkNamespace(_ type: ResourceType, _ namespace: String) throws(SandboxError) {
        guard type.namespaced else { return }
        if buckets["namespaces"]?[Self.key(namespace: "", name: namespace)] == nil {
            throw .notFound(resource: "namespaces", group: "", name: namespace)
        }
    }

    mutating func create(_ type: ResourceType, namespace: String, body: JSONValue, options: WriteOptions, now: Date,
                         managed: ManagedFields? = nil) throws(SandboxError) -> WriteResult {
        var object = try normalize(body, type, namespace: namespace)
        if ObjectMeta.name(object).isEmpty, let prefix = object["metadata"]?["generateName"]?.stringValue, !prefix.isEmpty {
            ObjectMeta.set("name", .string(ObjectMeta.generatedName(prefix: prefix)), in: &object)
        }
        let name = ObjectMeta.name(object)
        let nameCauses = ObjectMeta.nameCauses(name, isNamespace: type.storageKey == "namespaces")
        if !nameCauses.isEmpty {
            throw .invalid(kind: type.kind, group: type.group, name: name, causes: nameCauses)
        }
        try checkNamespace(type, namespace)
        let key = Self.key(namespace: type.namespaced ? namespace : "", name: name)
        if buckets[type.storageKey]?[key] != nil {
            throw .alreadyExists(resource: type.plural, group: type.group, name: name)
        }
        if type.hasStatus, type.isCustom { object["status"] = nil }
        let (admitted, warnings) = try admit(object, type, options: options)
        object = admitted
        if type.storageKey == Self.crdKey { object = try CRDRules.prepare(object) }
        if type.storageKey == "namespaces" {
            object["status"] = .object(["phase": .string("Active")])
            if object["spec"] == nil { object["spec"] = .object(["finalizers": .array([.string("kubernetes")])]) }
        }
        let time = ObjectMeta.timestamp(now)
        ObjectMeta.set("uid", .string(UUID().uuidString.lowercased()), in: &object)
        ObjectMeta.set("creationTimestamp", .string(time), in: &object)
        ObjectMeta.set("deletionTimestamp", nil, in: &object)
        ObjectMeta.set("resourceVersion", nil, in: &object)
        if type.isCustom || type.storageKey == Self.crdKey { ObjectMeta.set("generation", .int(1), in: &object) }
        var fields = managed ?? ManagedFields(entries: [])
        if managed == nil {
            fields.recordUpdate(manager: options.fieldManager, from: .object([:]), to: object,
                                apiVersion: type.apiVersion, time: time)
        }
        ObjectMeta.set("managedFields", fields.entries.isEmpty ? nil : fields.json, in: &object)
        if options.dryRun { return WriteResult(object: StoredObject(object), created: true, warnings: warnings) }
        let stored = commit(type.storageKey, key: key, object: object, previous: nil, eventType: "ADDED")
        return WriteResult(object: stored, created: true, warnings: warnings)
    }

    mutating func update(_ type: ResourceType, namespace: String, name: String, body: JSONValue, subresource: String?,
                         options: WriteOptions, now: Date, managed: ManagedFields? = nil) throws(SandboxError)
        -> WriteResult
    {
        let current = try existing(type, namespace: namespace, name: name).value
        var object = try normalize(body, type, namespace: namespace)
        let bodyName = ObjectMeta.name(object)
        if !bodyName.isEmpty, bodyName != name {
            throw .badRequest("the name of the object (\(bodyName)) does not match the name on the URL (\(name))")
        }
        ObjectMeta.set("name", .string(name), in: &object)
        if let wanted = object["metadata"]?["resourceVersion"]?.stringValue, !wanted.isEmpty,
            wanted != current["metadata"]?["resourceVersion"]?.stringValue
        {
            throw .conflict(resource: type.plural, group: type.group, name: name,
                            message: "Operation cannot be fulfilled on \(type.group.isEmpty ? type.plural : "\(type.plural).\(type.group)") \"\(name)\": the object has been modified; please apply your changes to the latest version and try again",
                            causes: [])
        }
        if subresource == "status" {
            var merged = current
            merged["status"] = object["status"]
            object = merged
        } else if type.hasStatus {
            object["status"] = current["status"]
        }
        for key in ["uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "generation"] {
            ObjectMeta.set(key, current["metadata"]?[key], in: &object)
        }
        if ObjectMeta.isDeleting(current) {
            let added = Set(ObjectMeta.finalizers(object)).subtracting(ObjectMeta.finalizers(current))
            if !added.isEmpty {
                throw .forbidden("\(type.plural) \"\(name)\" is forbidden: no new finalizers can be added if the object is being deleted, found new finalizers \(added.sorted())")
            }
        }
        let (admitted, warnings) = try admit(object, type, options: options)
        object = admitted
        if type.storageKey == Self.crdKey { object = try CRDRules.prepare(object) }
        if let generation = current["metadata"]?["generation"]?.intValue,
            ObjectMeta.generationRelevant(object, hasStatus: type.hasStatus)
                != ObjectMeta.generationRelevant(current, hasStatus: type.hasStatus)
        {
            ObjectMeta.set("generation", .int(generation + 1), in: &object)
        }
        let time = ObjectMeta.timestamp(now)
        var fields = managed ?? ManagedFields(of: current)
        if managed == nil {
            fields.recordUpdate(manager: options.fieldManager, from: current, to: object, apiVersion: type.apiVersion,
                                time: time)
        }
        ObjectMeta.set("managedFields", fields.entries.isEmpty ? nil : fields.json, in: &object)
        ObjectMeta.set("resourceVersion", current["metadata"]?["resourceVersion"], in: &object)
        if object == current {
            return WriteResult(object: StoredObject(current), created: false, warnings: warnings)
        }
        if options.dryRun { return WriteResult(object: StoredObject(object), created: false, warnings: warnings) }
        let key = Self.key(namespace: type.namespaced ? namespace : "", name: name)
        if ObjectMeta.isDeleting(object), ObjectMeta.finalizers(object).isEmpty {
            let stored = remove(type, key: key, object: object)
            return WriteResult(object: stored, created: false, warnings: warnings)
        }
        let stored = commit(type.storageKey, key: key, object: object, previous: current, eventType: "MODIFIED")
        return WriteResult(object: stored, created: false, warnings: warnings)
    }

    /// Server-side apply: creates or merges `config` owned by `options.fieldManager`.
    mutating func apply(_ type: ResourceType, namespace: String, name: String, config: JSONValue, subresource: String?,
                        options: WriteOptions, now: Date) throws(SandboxError) -> WriteResult {
        guard case .object = config else {
            throw .badRequest("error decoding YAML: the apply configuration must be an object")
        }
        if config["apiVersion"]?.stringValue == nil || config["kind"]?.stringValue == nil {
            throw .badRequest("invalid object type: /, Kind=")
        }
        let time = ObjectMeta.timestamp(now)
        let key = Self.key(namespace: type.namespaced ? namespace : "", name: name)
        var managed: ManagedFields
        let current = buckets[type.storageKey]?[key]?.value
        managed = current.map { ManagedFields(of: $0) } ?? ManagedFields(entries: [])
        var base = current ?? .object(["metadata": .object(["name": .string(name)])])
        ObjectMeta.set("managedFields", nil, in: &base)
        let merged: JSONValue
        do {
            merged = try managed.apply(config, onto: base, manager: options.fieldManager, force: options.force,
                                       apiVersion: type.apiVersion, time: time)
        } catch {
            throw .conflict(resource: type.plural, group: type.group, name: name, message: error.message,
                            causes: error.causes)
        }
        var object = merged
        ObjectMeta.set("name", .string(name), in: &object)
        if current == nil {
            return try create(type, namespace: namespace, body: object, options: options, now: now, managed: managed)
        }
        ObjectMeta.set("resourceVersion", nil, in: &object)
        return try update(type, namespace: namespace, name: name, body: object, subresource: subresource,
                          options: options, now: now, managed: managed)
    }

    /// Deletes now, or marks for deletion while finalizers remain.
    mutating func delete(_ type: ResourceType, namespace: String, name: String, options: DeleteOptions, now: Date)
        throws(SandboxError) -> (object: StoredObject, removed: Bool)
    {
        let current = try existing(type, namespace: namespace, name: name).value
        let plural = type.group.isEmpty ? type.plural : "\(type.plural).\(type.group)"
        if let uid = options.preconditionUID, uid != ObjectMeta.uid(current) {
            throw .conflict(resource: type.plural, group: type.group, name: name,
                            message: "Operation cannot be fulfilled on \(plural) \"\(name)\": Precondition failed: UID in precondition: \(uid), UID in object meta: \(ObjectMeta.uid(current))",
                            causes: [])
        }
        if let version = options.preconditionResourceVersion,
            version != current["metadata"]?["resourceVersion"]?.stringValue
        {
            throw .conflict(resource: type.plural, group: type.group, name: name,
                            message: "Operation cannot be fulfilled on \(plural) \"\(name)\": Precondition failed: ResourceVersion in precondition: \(version), ResourceVersion in meta: \(current["metadata"]?["resourceVersion"]?.stringValue ?? "")",
                            causes: [])
        }
        let key = Self.key(namespace: type.namespaced ? namespace : "", name: name)
        var finalizers = ObjectMeta.finalizers(current)
        if type.storageKey == "namespaces" { finalizers = [] }
        if options.propagationPolicy == "Foreground", !ObjectMeta.isDeleting(current), hasDependents(current) {
            finalizers.append("foregroundDeletion")
        }
        if options.dryRun { return (StoredObject(current), finalizers.isEmpty) }
        if options.propagationPolicy == "Orphan" { orphanDependents(of: current) }
        if finalizers.isEmpty {
            return (remove(type, key: key, object: current), true)
        }
        if ObjectMeta.isDeleting(current) { return (StoredObject(current), false) }
        var marked = current
        ObjectMeta.set("finalizers", .array(finalizers.map { .string($0) }), in: &marked)
        ObjectMeta.set("deletionTimestamp", .string(ObjectMeta.timestamp(now)), in: &marked)
        ObjectMeta.set("deletionGracePeriodSeconds", .int(0), in: &marked)
        let stored = commit(type.storageKey, key: key, object: marked, previous: current, eventType: "MODIFIED")
        return (stored, false)
    }

    /// Removes an object for good, with what kube-apiserver does around it: a namespace takes its
    /// objects along, a CRD takes its custom resources along.
    @discardableResult
    mutating func remove(_ type: ResourceType, key: String, object: JSONValue) -> StoredObject {
        let stored = commit(type.storageKey, key: key, object: nil, previous: object, eventType: "DELETED")
        if type.storageKey == "namespaces" {
            let namespace = ObjectMeta.name(object)
            for storageKey in Array(buckets.keys) where storageKey != "namespaces" {
                for (childKey, child) in objects(storageKey, namespace: namespace) {
                    commit(storageKey, key: childKey, object: nil, previous: child.value, eventType: "DELETED")
                }
            }
        }
        if type.storageKey == Self.crdKey {
            for crdType in ResourceType.fromCRD(object).prefix(1) {
                for (childKey, child) in objects(crdType.storageKey, namespace: nil) {
                    commit(crdType.storageKey, key: childKey, object: nil, previous: child.value, eventType: "DELETED")
                }
            }
        }
        return stored
    }
}
