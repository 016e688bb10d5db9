import YAML

/// The patch formats of the PATCH verb, applied to plain `JSONValue`s.
///
/// Strategic merge patch is treated as a JSON merge patch, which is what kube-apiserver does for
/// custom resources (they have no patch strategies); for built-ins it differs only on lists with
/// merge keys, which Elevator does not patch.
enum Patch {
    /// RFC 7386 JSON merge patch: objects merge recursively, `null` deletes, everything else replaces.
    static func merge(_ target: JSONValue, with patch: JSONValue) -> JSONValue {
        guard case .object(let patchMembers) = patch else { return patch }
        var result = target.objectValue ?? [:]
        for (key, value) in patchMembers {
            if value == .null {
                result[key] = nil
            } else {
                result[key] = merge(result[key] ?? .null, with: value)
            }
        }
        return .object(result)
    }

    /// RFC 6902 JSON patch. Errors are worded like kube-apiserver's (422 for a failed `test`,
    /// 422 for a path that does not exist).
    static func json(_ target: JSONValue, operations: JSONValue) throws(SandboxError) -> JSONValue {
        guard case .array(let list) = operations else {
            throw .badRequest("json: cannot unmarshal object into Go value of type jsonpatch.Patch")
        }
        var document = target
        for operation in list {
            guard let op = operation["op"]?.stringValue, let path = operation["path"]?.stringValue else {
                throw .badRequest("the server rejected our request due to an error in our request")
            }
            let pointer = try pointerTokens(path)
            switch op {
            case "add":
                document = try apply(document, pointer[...], op: .add(try value(of: operation, op)))
            case "replace":
                _ = try read(document, pointer[...], path: path)
                document = try apply(document, pointer[...], op: .replace(try value(of: operation, op)))
            case "remove":
                document = try apply(document, pointer[...], op: .remove)
            case "test":
                let actual = try read(document, pointer[...], path: path)
                if actual != (try value(of: operation, op)) {
                    throw .invalid(kind: "", group: "", name: "", causes: [
                        StatusCause(reason: "FieldValueInvalid", message: "testing value \(path) failed: test failed",
                                    field: path)])
                }
            case "move", "copy":
                guard let from = operation["from"]?.stringValue else {
                    throw .badRequest("the server rejected our request due to an error in our request")
                }
                let fromTokens = try pointerTokens(from)
                let moved = try read(document, fromTokens[...], path: from)
                if op == "move" { document = try apply(document, fromTokens[...], op: .remove) }
                document = try apply(document, pointer[...], op: .add(moved))
            default:
                throw .badRequest("Unexpected kind: \(op)")
            }
        }
        return document
    }

    /// Deep merge used by server-side apply: objects merge recursively, lists and scalars replace.
    static func deepMerge(_ base: JSONValue, _ overlay: JSONValue) -> JSONValue {
        guard case .object(let overlayMembers) = overlay, case .object(var baseMembers) = base else { return overlay }
        for (key, value) in overlayMembers {
            baseMembers[key] = baseMembers[key].map { deepMerge($0, value) } ?? value
        }
        return .object(baseMembers)
    }

    private enum Edit { case add(JSONValue), replace(JSONValue), remove }

    private static func value(of operation: JSONValue, _ op: String) throws(SandboxError) -> JSONValue {
        guard let value = operation["value"] else { throw .badRequest("missing value for \(op) operation") }
        return value
    }

    private static func pointerTokens(_ path: String) throws(SandboxError) -> [String] {
        if path.isEmpty { return [] }
        guard path.hasPrefix("/") else { throw .badRequest("JSON pointer must start with '/': \(path)") }
        return path.dropFirst().split(separator: "/", omittingEmptySubsequences: false).map {
            $0.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
        }
    }

    private static func missing(_ path: String) -> SandboxError {
        .invalid(kind: "", group: "", name: "", causes: [
            StatusCause(reason: "FieldValueInvalid", message: "doc is missing path: \"\(path)\": missing value",
                        field: path)])
    }

    private static func read(_ node: JSONValue, _ tokens: ArraySlice<String>, path: String) throws(SandboxError) -> JSONValue {
        guard let token = tokens.first else { return node }
        switch node {
        case .object(let members):
            guard let child = members[token] else { throw missing(path) }
            return try read(child, tokens.dropFirst(), path: path)
        case .array(let elements):
            guard let position = Int(token), elements.indices.contains(position) else { throw missing(path) }
            return try read(elements[position], tokens.dropFirst(), path: path)
        default:
            throw missing(path)
        }
    }

    private static func apply(_ node: JSONValue, _ tokens: ArraySlice<String>, op: Edit) throws(SandboxError) -> JSONValue {
        let path = "/" + tokens.joined(separator: "/")
        guard let token = tokens.first else {
            switch op {
            case .add(let value), .replace(let value): return value
            case .remove: throw missing(path)
            }
        }
        let last = tokens.count == 1
        switch node {
        case .object(var members):
            if last {
                switch op {
                case .add(let value), .replace(let value): members[token] = value
                case .remove:
                    guard members.removeValue(forKey: token) != nil else { throw missing(path) }
                }
            } else {
                guard let child = members[token] else { throw missing(path) }
                members[token] = try apply(child, tokens.dropFirst(), op: op)
            }
            return .object(members)
        case .array(var elements):
            if last {
                switch op {
                case .add(let value):
                    if token == "-" {
                        elements.append(value)
                    } else {
                        guard let position = Int(token), position >= 0, position <= elements.count else { throw missing(path) }
                        elements.insert(value, at: position)
                    }
                case .replace(let value):
                    guard let position = Int(token), elements.indices.contains(position) else { throw missing(path) }
                    elements[position] = value
                case .remove:
                    guard let position = Int(token), elements.indices.contains(position) else { throw missing(path) }
                    elements.remove(at: position)
                }
            } else {
                guard let position = Int(token), elements.indices.contains(position) else { throw missing(path) }
                elements[position] = try apply(elements[position], tokens.dropFirst(), op: op)
            }
            return .array(elements)
        default:
            throw missing(path)
        }
    }
}
