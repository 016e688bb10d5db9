import Foundation
import YAML

/// The write paths, with kube-apiserver's rules for metadata, concurrency, the status
/// subresource, generation, schema validation and finalizers.
extension StoreState {
    func existing(_ type: ResourceType, namespace: String, name: String) throws(SandboxError) -> StoredObject {
        guard let object = lookup(type, namespace: namespace, name: name) else {
            throw .notFound(resource: type.plural, group: type.group, name: name)
        }
        return object
    }

    private static func normalize(_ body: JSONValue, _ type: ResourceType, namespace: String) throws(SandboxError) -> JSONValue {
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
    private static func admit(_ object: JSONValue, _ type: ResourceType, options: WriteOptions) throws(SandboxError)
        -> (JSONValue, [String])
    {
        guard let schema = type.compiledSchema else { return (object, []) }
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

    /// A create worked out without the store: what it will store, or the error it will give once
    /// the namespace and the name were checked (kube-apiserver reports those first).
    struct PreparedCreate: Sendable {
        var key: String
        var name: String
        var admitted: Result<(object: JSONValue, warnings: [String]), SandboxError>
    }

    /// Everything of a create that needs only the request: normalising, the name, schema
    /// admission, metadata and managed fields. Pure, so `ObjectStore` runs it outside its lock.
    static func prepareCreate(_ type: ResourceType, namespace: String, body: JSONValue, options: WriteOptions, now: Date,
                              managed: ManagedFields? = nil) throws(SandboxError) -> PreparedCreate {
        var object = try normalize(body, type, namespace: namespace)
        if ObjectMeta.name(object).isEmpty, let prefix = object["metadata"]?["generateName"]?.stringValue, !prefix.isEmpty {
            ObjectMeta.set("name", .string(ObjectMeta.generatedName(prefix: prefix)), in: &object)
        }
        let name = ObjectMeta.name(object)
        let nameCauses = ObjectMeta.nameCauses(name, isNamespace: type.storageKey == "namespaces")
        if !nameCauses.isEmpty {
            throw .invalid(kind: type.kind, group: type.group, name: name, causes: nameCauses)
        }
        let key = Self.key(type, namespace: namespace, name: name)
        if type.hasStatus, type.isCustom { object["status"] = nil }
        let admitted = Result { () throws(SandboxError) -> (object: JSONValue, warnings: [String]) in
            var (object, warnings) = try admit(object, type, options: options)
            if type.storageKey == Self.crdKey { object = try CRDRules.prepare(object) }
            if type.storageKey == "namespaces" {
                object["status"] = .object(["phase": .string("Active")])
                if object["spec"] == nil { object["spec"] = .object(["finalizers": .array([.string("kubernetes")])]) }
            }
            let time = ObjectMeta.timestamp(now)
            ObjectMeta.set("uid", .string(ObjectUID.random()), in: &object)
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
            return (object, warnings)
        }
        return PreparedCreate(key: key, name: name, admitted: admitted)
    }

    mutating func create(_ type: ResourceType, namespace: String, body: JSONValue, options: WriteOptions, now: Date,
                         managed: ManagedFields? = nil) throws(SandboxError) -> WriteResult {
        try insert(type, namespace: namespace,
                   Self.prepareCreate(type, namespace: namespace, body: body, options: options, now: now, managed: managed),
                   options: options)
    }

    /// Stores a prepared create: the namespace must exist and the name be free.
    mutating func insert(_ type: ResourceType, namespace: String, _ prepared: PreparedCreate, options: WriteOptions)
        throws(SandboxError) -> WriteResult
    {
        try checkNamespace(type, namespace)
        if buckets[type.storageKey]?[prepared.key] != nil {
            throw .alreadyExists(resource: type.plural, group: type.group, name: prepared.name)
        }
        let (object, warnings) = try prepared.admitted.get()
        if options.dryRun { return WriteResult(object: StoredObject(object), created: true, warnings: warnings) }
        let stored = commit(type.storageKey, key: prepared.key, object: object, previous: nil, eventType: "ADDED")
        return WriteResult(object: stored, created: true, warnings: warnings)
    }

    /// An update worked out from one version of the current object.
    struct PreparedUpdate: Sendable {
        var key: String
        var object: JSONValue
        var warnings: [String]
        /// The write changes nothing (the current object is the answer, nothing is stored).
        var unchanged: Bool
    }

    /// Everything of an update (PUT, and every patch once applied) that needs only the current
    /// object: kube-apiserver's metadata rules, the status subresource, optimistic concurrency,
    /// schema admission, generation and managed fields. Pure, so `ObjectStore` runs it outside
    /// its lock and stores the result only if the object is still the one it was worked out from.
    static func prepareUpdate(_ type: ResourceType, namespace: String, name: String, current: JSONValue, body: JSONValue,
                              subresource: String?, options: WriteOptions, now: Date, managed: ManagedFields? = nil)
        throws(SandboxError) -> PreparedUpdate
    {
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
        let key = Self.key(type, namespace: namespace, name: name)
        return PreparedUpdate(key: key, object: object, warnings: warnings, unchanged: object == current)
    }

    /// Stores a prepared update over `current`, the version it was worked out from.
    mutating func store(_ type: ResourceType, _ prepared: PreparedUpdate, over current: StoredObject,
                        options: WriteOptions) -> WriteResult {
        if prepared.unchanged {
            return WriteResult(object: current, created: false, warnings: prepared.warnings)
        }
        let object = prepared.object
        if options.dryRun { return WriteResult(object: StoredObject(object), created: false, warnings: prepared.warnings) }
        if ObjectMeta.isDeleting(object), ObjectMeta.finalizers(object).isEmpty {
            let stored = remove(type, key: prepared.key, object: object)
            return WriteResult(object: stored, created: false, warnings: prepared.warnings)
        }
        let stored = commit(type.storageKey, key: prepared.key, object: object, previous: current.value, eventType: "MODIFIED")
        return WriteResult(object: stored, created: false, warnings: prepared.warnings)
    }

    /// A server-side apply worked out from the current object (nil: there is none).
    enum PreparedApply: Sendable {
        case create(PreparedCreate)
        case update(PreparedUpdate, over: StoredObject)
    }

    /// Server-side apply of `config` onto `current` (nil: the object is created). Pure, like
    /// `prepareUpdate`.
    static func prepareApply(_ type: ResourceType, namespace: String, name: String, config: JSONValue, current stored: StoredObject?,
                             subresource: String?, options: WriteOptions, now: Date) throws(SandboxError) -> PreparedApply {
        guard case .object = config else {
            throw .badRequest("error decoding YAML: the apply configuration must be an object")
        }
        if config["apiVersion"]?.stringValue == nil || config["kind"]?.stringValue == nil {
            throw .badRequest("invalid object type: /, Kind=")
        }
        let time = ObjectMeta.timestamp(now)
        let current = stored?.value
        var managed = current.map { ManagedFields(of: $0) } ?? ManagedFields(entries: [])
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
        guard let stored, let current else {
            return .create(try prepareCreate(type, namespace: namespace, body: object, options: options, now: now, managed: managed))
        }
        ObjectMeta.set("resourceVersion", nil, in: &object)
        let prepared = try prepareUpdate(type, namespace: namespace, name: name, current: current, body: object,
                                         subresource: subresource, options: options, now: now, managed: managed)
        return .update(prepared, over: stored)
    }

    /// Stores a prepared create or update (see `ObjectStore.writeOptimistically`).
    mutating func finish(_ type: ResourceType, namespace: String, _ prepared: PreparedApply, options: WriteOptions)
        throws(SandboxError) -> WriteResult
    {
        switch prepared {
        case .create(let create): try insert(type, namespace: namespace, create, options: options)
        case .update(let update, let current): store(type, update, over: current, options: options)
        }
    }

    /// The stored object, if there is one.
    func lookup(_ type: ResourceType, namespace: String, name: String) -> StoredObject? {
        buckets[type.storageKey]?[Self.key(type, namespace: namespace, name: name)]
    }

    /// The storage key of `name` of `type` (a cluster-scoped type ignores `namespace`).
    static func key(_ type: ResourceType, namespace: String, name: String) -> String {
        key(namespace: type.namespaced ? namespace : "", name: name)
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
        let key = Self.key(type, namespace: namespace, name: name)
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
