import YAML

/// The minimal OpenAPI v3 that `kubectl apply` needs: a root listing every group-version, and per
/// group-version a `patch` operation per resource carrying `x-kubernetes-group-version-kind` and
/// the `fieldValidation` query parameter. With that kubectl skips client-side validation and
/// sends `fieldValidation=Strict`, so the server's schema validation speaks (see the tooling
/// spike, section 4). Schemas themselves are not served, so `kubectl explain` does not work.
enum OpenAPI {
    static func groupVersions(_ catalog: ResourceCatalog) -> [(path: String, group: String, version: String)] {
        var seen: Set<String> = []
        var result: [(path: String, group: String, version: String)] = []
        for type in catalog.types {
            let path = type.group.isEmpty ? "api/\(type.version)" : "apis/\(type.group)/\(type.version)"
            if seen.insert(path).inserted { result.append((path, type.group, type.version)) }
        }
        return result
    }

    static func root(_ catalog: ResourceCatalog) -> JSONValue {
        var paths: [String: JSONValue] = [:]
        for entry in groupVersions(catalog) {
            let hash = fingerprint(document(catalog, group: entry.group, version: entry.version))
            paths[entry.path] = .object(["serverRelativeURL": .string("/openapi/v3/\(entry.path)?hash=\(hash)")])
        }
        return .object(["paths": .object(paths)])
    }

    static func document(_ catalog: ResourceCatalog, group: String, version: String) -> JSONValue {
        var paths: [String: JSONValue] = [:]
        for type in catalog.types(group: group, version: version) where type.verbs.contains("patch") {
            let prefix = type.groupVersionPath + (type.namespaced ? "/namespaces/{namespace}" : "")
            let gvk = JSONValue.object([
                "group": .string(type.group), "version": .string(type.version), "kind": .string(type.kind),
            ])
            let parameters = JSONValue.array(["dryRun", "fieldManager", "fieldValidation", "force"].map { name in
                .object(["name": .string(name), "in": .string("query"), "schema": .object(["type": .string("string")])])
            })
            let operation = JSONValue.object([
                "x-kubernetes-group-version-kind": gvk, "x-kubernetes-action": .string("patch"),
                "parameters": parameters,
                "responses": .object(["200": .object(["description": .string("OK")])]),
            ])
            paths["\(prefix)/\(type.plural)/{name}"] = .object(["patch": operation])
        }
        return .object([
            "openapi": .string("3.0.0"),
            "info": .object(["title": .string("Kubernetes"), "version": .string("v1.32.0")]),
            "paths": .object(paths), "components": .object(["schemas": .object([:])]),
        ])
    }

    /// A stable FNV-1a hash of a document, so kubectl's cache notices changed CRDs.
    static func fingerprint(_ value: JSONValue) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in JSONWriter.encode(value) {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return String(hash, radix: 16, uppercase: true)
    }
}
