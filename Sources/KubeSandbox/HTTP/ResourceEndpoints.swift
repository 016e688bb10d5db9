import Foundation
import Hummingbird
import YAML

/// The object a resource request addresses.
struct ResourceTarget {
    var type: ResourceType
    var namespace: String?
    var name: String?
    var subresource: String?
}

/// The verbs on resources: get, list, watch, create, update, patch (merge, JSON, strategic,
/// apply), delete and deletecollection, with their query parameters.
struct ResourceEndpoints {
    let store: ObjectStore
    let faults: FaultSwitchboard
    let counters: RequestCounters
    let user: UserInfo

    func handle(_ target: ResourceTarget, request: Request) async throws(SandboxError) -> Response {
        let type = target.type
        let query = Query(request.uri.query)
        if type.storageKey == "selfsubjectreviews.authentication.k8s.io" {
            guard request.method == .post, target.name == nil else {
                throw .methodNotAllowed("the server does not allow this method on the requested resource")
            }
            counters.record(verb: "create", resource: type.storageKey)
            return Responses.value(selfSubjectReview(), status: .created)
        }
        if let subresource = target.subresource, !(subresource == "status" && type.hasStatus) {
            throw .unknownPath
        }
        if type.namespaced, target.namespace == nil, target.name != nil || request.method != .get {
            if request.method != .get { throw .unknownPath }
        }
        let namespace = target.namespace ?? ""
        let counted = type.storageKey + (target.subresource.map { "/\($0)" } ?? "")
        let isWrite = ![.get, .head].contains(request.method)
        if isWrite, faults.isFrozen(type.storageKey) {
            throw .serviceUnavailable("writes to \(type.storageKey) are frozen by the sandbox fault switchboard")
        }
        guard let name = target.name else {
            switch request.method {
            case .get:
                if query.flag("watch") {
                    counters.record(verb: "watch", resource: counted)
                    return try watch(type, namespace: target.namespace, query: query, name: nil)
                }
                counters.record(verb: "list", resource: counted)
                return try list(type, namespace: target.namespace, query: query)
            case .post:
                counters.record(verb: "create", resource: counted)
                try BodyDecoding.checkObjectMediaType(request.headers[.contentType])
                let body = try await decodeBody(request)
                let result = try store.create(type, namespace: namespace, body: body, options: writeOptions(query, request))
                return Responses.bytes(result.object.bytes, status: result.created ? .created : .ok, warnings: result.warnings)
            case .delete:
                counters.record(verb: "deletecollection", resource: counted)
                let options = try await deleteOptions(query, request)
                _ = try store.deleteCollection(type, namespace: target.namespace, labels: try labels(query),
                                               fields: try fields(query, type), options: options)
                return Responses.value(.object([
                    "kind": .string("Status"), "apiVersion": .string("v1"), "metadata": .object([:]),
                    "status": .string("Success"),
                ]))
            default:
                throw .methodNotAllowed("the server does not allow this method on the requested resource")
            }
        }
        switch request.method {
        case .get:
            if query.flag("watch") {
                counters.record(verb: "watch", resource: counted)
                return try watch(type, namespace: target.namespace, query: query, name: name)
            }
            counters.record(verb: "get", resource: counted)
            return Responses.bytes(try store.get(type, namespace: namespace, name: name).bytes)
        case .put:
            counters.record(verb: "update", resource: counted)
            try BodyDecoding.checkObjectMediaType(request.headers[.contentType])
            let body = try await decodeBody(request)
            let result = try store.update(type, namespace: namespace, name: name, body: body,
                                          subresource: target.subresource, options: writeOptions(query, request))
            return Responses.bytes(result.object.bytes, warnings: result.warnings)
        case .patch:
            counters.record(verb: "patch", resource: counted)
            return try await patch(type, namespace: namespace, name: name, subresource: target.subresource,
                                   query: query, request: request)
        case .delete:
            counters.record(verb: "delete", resource: counted)
            let options = try await deleteOptions(query, request)
            let (object, removed) = try store.delete(type, namespace: namespace, name: name, options: options)
            if removed, !type.isCustom, type.storageKey != "namespaces" {
                return Responses.value(Responses.deletedStatus(object.value, type: type))
            }
            return Responses.bytes(object.bytes, status: removed ? .ok : .accepted)
        default:
            throw .methodNotAllowed("the server does not allow this method on the requested resource")
        }
    }

    private func decodeBody(_ request: Request) async throws(SandboxError) -> JSONValue {
        let bytes = try await BodyDecoding.collect(request)
        let yaml = BodyDecoding.mediaType(request.headers[.contentType]).contains("yaml")
        return try BodyDecoding.decode(bytes, yaml: yaml)
    }

    private func writeOptions(_ query: Query, _ request: Request) throws(SandboxError) -> WriteOptions {
        var options = WriteOptions()
        options.dryRun = query["dryRun"] == "All"
        if let manager = query["fieldManager"], !manager.isEmpty {
            options.fieldManager = manager
        } else if let agent = request.headers[.userAgent], let program = agent.split(ascii: "/").first {
            options.fieldManager = String(program)
        }
        if let validation = query["fieldValidation"] {
            guard let parsed = FieldValidation(rawValue: validation) else {
                throw .badRequest("fieldValidation must be one of Ignore, Warn or Strict, not \"\(validation)\"")
            }
            options.fieldValidation = parsed
        }
        options.force = query.flag("force")
        return options
    }

    private func deleteOptions(_ query: Query, _ request: Request) async throws(SandboxError) -> DeleteOptions {
        var options = DeleteOptions()
        let bytes = try await BodyDecoding.collect(request)
        if !bytes.isEmpty {
            let body = try BodyDecoding.decode(bytes, yaml: false)
            options.propagationPolicy = body["propagationPolicy"]?.stringValue
            options.preconditionUID = body["preconditions"]?["uid"]?.stringValue
            options.preconditionResourceVersion = body["preconditions"]?["resourceVersion"]?.stringValue
            if body["orphanDependents"]?.boolValue == true { options.propagationPolicy = "Orphan" }
            if let dryRun = body["dryRun"]?.arrayValue, dryRun.contains(.string("All")) { options.dryRun = true }
        }
        if let policy = query["propagationPolicy"] { options.propagationPolicy = policy }
        if query["dryRun"] == "All" { options.dryRun = true }
        if let policy = options.propagationPolicy, !["Background", "Foreground", "Orphan"].contains(policy) {
            throw .badRequest("propagationPolicy must be one of Background, Foreground or Orphan, not \"\(policy)\"")
        }
        return options
    }

    private func labels(_ query: Query) throws(SandboxError) -> LabelSelector {
        guard let text = query["labelSelector"], !text.isEmpty else { return .everything }
        return try LabelSelector(parsing: text)
    }

    private func fields(_ query: Query, _ type: ResourceType) throws(SandboxError) -> FieldSelector {
        guard let text = query["fieldSelector"], !text.isEmpty else { return .everything }
        return try FieldSelector(parsing: text, for: type)
    }

    private func list(_ type: ResourceType, namespace: String?, query: Query) throws(SandboxError) -> Response {
        var limit: Int?
        if let text = query["limit"], !text.isEmpty {
            guard let value = Int(text), value >= 0 else { throw .badRequest("limit must be a non-negative integer") }
            limit = value
        }
        try checkListVersion(query)
        let result = try store.list(type, namespace: namespace, labels: try labels(query), fields: try fields(query, type),
                                    limit: limit, continueToken: query["continue"])
        return Responses.list(result, type: type)
    }

    /// The `resourceVersion`/`resourceVersionMatch` rules of a list. The store serves only its
    /// current state, so `NotOlderThan` (and a bare resourceVersion) is always met unless the
    /// version is in the future, and `Exact` is met only for the current version; an older exact
    /// version is answered 410 (clients then list again without one).
    private func checkListVersion(_ query: Query) throws(SandboxError) {
        let version = query["resourceVersion"] ?? ""
        let match = query["resourceVersionMatch"] ?? ""
        if !match.isEmpty {
            guard ["NotOlderThan", "Exact"].contains(match) else {
                throw .badRequest("resourceVersionMatch: Unsupported value: \"\(match)\": supported values: \"Exact\", \"NotOlderThan\"")
            }
            if version.isEmpty {
                throw .badRequest("resourceVersionMatch is forbidden unless resourceVersion is provided")
            }
            if !(query["continue"] ?? "").isEmpty {
                throw .badRequest("resourceVersionMatch is forbidden for continue")
            }
        }
        guard !version.isEmpty, version != "0" else { return }
        guard let requested = Int64(version) else { throw .badRequest("invalid resource version \"\(version)\"") }
        let current = store.resourceVersion
        if requested > current { throw .resourceVersionTooLarge(requested: requested, current: current) }
        if match == "Exact", requested != current {
            throw .expired("too old resource version: \(requested) (\(current))")
        }
    }

    private func watch(_ type: ResourceType, namespace: String?, query: Query, name: String?) throws(SandboxError)
        -> Response
    {
        var fieldSelector = try fields(query, type)
        if let name { fieldSelector.requirements.append(("metadata.name", name, false)) }
        let start: WatchStart
        let version = query["resourceVersion"] ?? ""
        if query["sendInitialEvents"] == "true" {
            start = .initialEventsWithBookmark
        } else if version.isEmpty {
            start = query["sendInitialEvents"] == "false" ? .now : .currentState
        } else if version == "0" {
            start = .currentState
        } else if let revision = Int64(version) {
            start = .after(revision)
        } else {
            throw .badRequest("invalid resource version \"\(version)\"")
        }
        var timeout = Duration.seconds(1800)
        if let text = query["timeoutSeconds"], let seconds = Int64(text), seconds > 0 { timeout = .seconds(seconds) }
        let bookmarks = query.flag("allowWatchBookmarks")
        let stream = store.watch(type, namespace: namespace, labels: try labels(query), fields: fieldSelector,
                                 from: start, timeout: timeout, bookmarkAtTimeout: bookmarks)
        let body = ResponseBody { writer in
            for await event in stream {
                try await writer.write(ByteBuffer(bytes: event.line))
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: [.contentType: Responses.json], body: body)
    }

    private func patch(_ type: ResourceType, namespace: String, name: String, subresource: String?, query: Query,
                       request: Request) async throws(SandboxError) -> Response {
        let kind = try BodyDecoding.patchKind(request.headers[.contentType])
        let bytes = try await BodyDecoding.collect(request)
        let body = try BodyDecoding.decode(bytes, yaml: kind == .apply)
        var options = try writeOptions(query, request)
        let result: WriteResult
        switch kind {
        case .apply:
            guard let manager = query["fieldManager"], !manager.isEmpty else {
                throw .badRequest("PATCH, application/apply-patch+yaml requires fieldManager to be set")
            }
            options.fieldManager = manager
            result = try store.apply(type, namespace: namespace, name: name, config: body, subresource: subresource,
                                     options: options)
        case .merge, .strategic:
            guard case .object = body else { throw .badRequest("json: cannot unmarshal into Go value of type map[string]interface {}") }
            result = try store.patch(type, namespace: namespace, name: name, subresource: subresource, options: options) {
                Patch.merge($0, with: body)
            }
        case .json:
            result = try store.patch(type, namespace: namespace, name: name, subresource: subresource, options: options) {
                (current) throws(SandboxError) -> JSONValue in
                do throws(SandboxError) {
                    return try Patch.json(current, operations: body)
                } catch {
                    if case .invalid(_, _, _, let causes) = error {
                        throw .invalid(kind: type.kind, group: type.group, name: name, causes: causes)
                    }
                    throw error
                }
            }
        }
        return Responses.bytes(result.object.bytes, status: result.created ? .created : .ok, warnings: result.warnings)
    }

    private func selfSubjectReview() -> JSONValue {
        var info: [String: JSONValue] = [
            "username": .string(user.username),
            "groups": .array((user.groups + ["system:authenticated"]).map { .string($0) }),
        ]
        if !user.uid.isEmpty { info["uid"] = .string(user.uid) }
        return .object([
            "kind": .string("SelfSubjectReview"), "apiVersion": .string("authentication.k8s.io/v1"),
            "metadata": .object(["creationTimestamp": .null]), "status": .object(["userInfo": .object(info)]),
        ])
    }
}
