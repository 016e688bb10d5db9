import YAML

/// Fields a manifest sets that the kind does not have: the API server refuses them under
/// `fieldValidation=Strict` (and silently drops them otherwise), so a typo such as `maxDuraton`
/// would quietly leave the default in force. Found by comparing the document with the decoded
/// object encoded back: a key that did not survive the round trip is unknown.
enum UnknownFields {
    /// `metav1.ObjectMeta`'s fields: metadata is passed through by the API server, not by Elevator.
    static let objectMetaFields: Set<String> = [
        "name", "generateName", "namespace", "selfLink", "uid", "resourceVersion", "generation",
        "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "labels", "annotations",
        "ownerReferences", "finalizers", "managedFields",
    ]
    static let topLevelFields: Set<String> = ["apiVersion", "kind", "metadata", "spec", "status"]

    /// The paths of unknown fields of `source`, given `decoded` (the object encoded back).
    static func paths(source: JSONValue, decoded: JSONValue) -> [String] {
        guard case .object(let members) = source else { return [] }
        var found: [String] = []
        for key in members.keys.sorted() {
            if !topLevelFields.contains(key) { found.append(FieldPath.appending(key, to: "")) }
        }
        if case .object(let metadata)? = members["metadata"] {
            for key in metadata.keys.sorted() where !objectMetaFields.contains(key) {
                found.append(FieldPath.appending(key, to: "metadata"))
            }
        }
        if let spec = members["spec"] {
            walk(spec, decoded["spec"] ?? .null, path: "spec", into: &found)
        }
        return found
    }

    private static func walk(_ source: JSONValue, _ decoded: JSONValue, path: String, into found: inout [String]) {
        switch (source, decoded) {
        case (.object(let members), .object(let kept)):
            for key in members.keys.sorted() {
                let value = members[key] ?? .null
                let child = FieldPath.appending(key, to: path)
                if let keptValue = kept[key] {
                    walk(value, keptValue, path: child, into: &found)
                } else if value != .null {
                    found.append(child)
                }
            }
        case (.array(let items), .array(let keptItems)):
            for (index, item) in items.enumerated() where index < keptItems.count {
                walk(item, keptItems[index], path: "\(path)[\(index)]", into: &found)
            }
        default:
            return
        }
    }
}

/// Field paths in the notation the YAML module and the Elevation validation use.
enum FieldPath {
    /// `path.key`, or `path[key]` when the key is not a plain word.
    static func appending(_ key: String, to path: String) -> String {
        let plain = !key.isEmpty && key.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }
        if !plain { return "\(path)[\(key)]" }
        return path.isEmpty ? key : "\(path).\(key)"
    }
}
