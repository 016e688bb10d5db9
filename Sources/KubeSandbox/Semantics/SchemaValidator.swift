import Foundation
import YAML

/// What kube-apiserver does to a custom resource against its CRD's structural `openAPIV3Schema`:
/// prune unknown fields (reporting them, for `fieldValidation=Strict|Warn`), apply defaults, then
/// validate types, required, enum, pattern, bounds, lengths and item counts. Messages follow
/// kube-openapi's wording (`spec.n in body must be of type integer: "string"`), so a user sees
/// what a real cluster would say. `x-kubernetes-validations` (CEL) is not evaluated.
enum SchemaValidator {
    /// The schemas' `pattern`s, each compiled once: compiling one (ICU) for every string field
    /// of every write was 13% of the sandbox's CPU at 500 grants/s, all of it under the store's
    /// lock (BENCHMARKS.md, "Controller", fifth round).
    static let compiledPatterns = PatternCache()

    /// The admitted object plus what was found on the way.
    struct Outcome: Sendable {
        var object: JSONValue
        /// Dotted paths of fields the schema does not declare (pruned from `object`).
        var unknownFields: [String]
        /// Field errors; non-empty means the write is refused with 422.
        var causes: [StatusCause]
    }

    /// Prunes, defaults and validates `object` (a whole custom resource) against `schema`.
    static func admit(_ object: JSONValue, schema: JSONValue) -> Outcome {
        guard case .object(var members) = object else {
            return Outcome(object: object, unknownFields: [], causes: [])
        }
        var unknown: [String] = []
        var causes: [StatusCause] = []
        let properties = schema["properties"]?.objectValue ?? [:]
        for (key, value) in members where !["apiVersion", "kind", "metadata"].contains(key) {
            if let child = properties[key] {
                members[key] = prune(value, schema: child, path: key, unknown: &unknown)
            } else if !preservesUnknown(schema) {
                unknown.append(key)
                members[key] = nil
            }
        }
        var admitted = JSONValue.object(members)
        admitted = applyDefaults(admitted, schema: schema, isRoot: true)
        validate(admitted, schema: schema, path: "", causes: &causes, isRoot: true)
        return Outcome(object: admitted, unknownFields: unknown.sorted(), causes: causes)
    }

    private static func preservesUnknown(_ schema: JSONValue) -> Bool {
        schema["x-kubernetes-preserve-unknown-fields"]?.boolValue == true
    }

    private static func join(_ path: String, _ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    private static func prune(_ value: JSONValue, schema: JSONValue, path: String, unknown: inout [String]) -> JSONValue {
        switch value {
        case .object(var members):
            if schema["x-kubernetes-embedded-resource"]?.boolValue == true { return value }
            let properties = schema["properties"]?.objectValue
            let additional = schema["additionalProperties"]
            for (key, child) in members {
                if let childSchema = properties?[key] {
                    members[key] = prune(child, schema: childSchema, path: join(path, key), unknown: &unknown)
                } else if let additional, case .object = additional {
                    members[key] = prune(child, schema: additional, path: join(path, key), unknown: &unknown)
                } else if additional?.boolValue == true || preservesUnknown(schema) {
                    continue
                } else if properties != nil || schema["type"]?.stringValue == "object" {
                    unknown.append(join(path, key))
                    members[key] = nil
                }
            }
            return .object(members)
        case .array(let elements):
            guard let items = schema["items"] else { return value }
            return .array(elements.enumerated().map { index, element in
                prune(element, schema: items, path: "\(path)[\(index)]", unknown: &unknown)
            })
        default:
            return value
        }
    }

    private static func applyDefaults(_ value: JSONValue, schema: JSONValue, isRoot: Bool = false) -> JSONValue {
        switch value {
        case .object(var members):
            for (key, childSchema) in schema["properties"]?.objectValue ?? [:] {
                if isRoot, key == "metadata" { continue }
                if members[key] == nil, let fallback = childSchema["default"] { members[key] = fallback }
                if let child = members[key] { members[key] = applyDefaults(child, schema: childSchema) }
            }
            if let additional = schema["additionalProperties"], case .object = additional {
                for (key, child) in members where schema["properties"]?[key] == nil {
                    members[key] = applyDefaults(child, schema: additional)
                }
            }
            return .object(members)
        case .array(let elements):
            guard let items = schema["items"] else { return value }
            return .array(elements.map { applyDefaults($0, schema: items) })
        default:
            return value
        }
    }

    private static func typeName(_ value: JSONValue) -> String {
        switch value {
        case .null: "null"
        case .bool: "boolean"
        case .int: "integer"
        case .double: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }

    /// How kube-apiserver prints a value after `Invalid value:`.
    static func render(_ value: JSONValue) -> String {
        switch value {
        case .string(let text): "\"\(text)\""
        case .int(let number): String(number)
        case .double(let number): number == number.rounded() && abs(number) < 1e15 ? String(Int64(number)) : "\(number)"
        case .bool(let flag): String(flag)
        case .null: "null"
        case .array: "\"array\""
        case .object: "\"object\""
        }
    }

    private static func matchesType(_ value: JSONValue, _ type: String) -> Bool {
        switch (type, value) {
        case ("object", .object), ("array", .array), ("string", .string), ("boolean", .bool), ("integer", .int),
            ("number", .int), ("number", .double):
            true
        case ("integer", .double(let number)): number == number.rounded()
        default: false
        }
    }

    private static func invalid(_ path: String, _ value: JSONValue, _ detail: String) -> StatusCause {
        StatusCause(reason: "FieldValueInvalid", message: "Invalid value: \(render(value)): \(path) in body \(detail)",
                    field: path)
    }

    private static func validate(_ value: JSONValue, schema: JSONValue, path: String, causes: inout [StatusCause],
                                 isRoot: Bool = false) {
        if value == .null {
            if schema["nullable"]?.boolValue == true { return }
        }
        if schema["x-kubernetes-int-or-string"]?.boolValue == true {
            switch value {
            case .int, .string: break
            default:
                causes.append(invalid(path, .string(typeName(value)),
                                      "must be of type integer-or-string: \(render(.string(typeName(value))))"))
                return
            }
        } else if let type = schema["type"]?.stringValue, !matchesType(value, type) {
            let actual = typeName(value)
            causes.append(StatusCause(
                reason: "FieldValueTypeInvalid",
                message: "Invalid value: \"\(actual)\": \(path) in body must be of type \(type): \"\(actual)\"",
                field: path))
            return
        }
        if let options = schema["enum"]?.arrayValue, !options.contains(value) {
            causes.append(StatusCause(
                reason: "FieldValueNotSupported",
                message: "Unsupported value: \(render(value)): supported values: "
                    + options.map(render).joined(separator: ", "),
                field: path))
        }
        switch value {
        case .string(let text):
            let length = text.count
            if let minimum = schema["minLength"]?.intValue, length < minimum {
                causes.append(invalid(path, value, "should be at least \(minimum) chars long"))
            }
            if let maximum = schema["maxLength"]?.intValue, length > maximum {
                causes.append(StatusCause(reason: "FieldValueTooLong",
                                          message: "Too long: may not be more than \(maximum) bytes", field: path))
            }
            if let pattern = schema["pattern"]?.stringValue, !matches(text, pattern) {
                causes.append(invalid(path, value, "should match '\(pattern)'"))
            }
        case .int, .double:
            let number: Double = if case .int(let whole) = value { Double(whole) } else if case .double(let real) = value { real } else { 0 }
            if let minimum = numeric(schema["minimum"]) {
                let exclusive = schema["exclusiveMinimum"]?.boolValue == true
                if exclusive ? number <= minimum : number < minimum {
                    causes.append(invalid(path, value, "should be greater than \(exclusive ? "" : "or equal to ")\(render(schema["minimum"] ?? .null))"))
                }
            }
            if let maximum = numeric(schema["maximum"]) {
                let exclusive = schema["exclusiveMaximum"]?.boolValue == true
                if exclusive ? number >= maximum : number > maximum {
                    causes.append(invalid(path, value, "should be less than \(exclusive ? "" : "or equal to ")\(render(schema["maximum"] ?? .null))"))
                }
            }
        case .array(let elements):
            if let minimum = schema["minItems"]?.intValue, elements.count < minimum {
                causes.append(invalid(path, .int(Int64(elements.count)), "should have at least \(minimum) items"))
            }
            if let maximum = schema["maxItems"]?.intValue, elements.count > maximum {
                causes.append(StatusCause(reason: "FieldValueTooMany",
                                          message: "Too many: \(elements.count): must have at most \(maximum) items",
                                          field: path))
            }
            if let items = schema["items"] {
                for (index, element) in elements.enumerated() {
                    validate(element, schema: items, path: "\(path)[\(index)]", causes: &causes)
                }
            }
        case .object(let members):
            for required in schema["required"]?.arrayValue?.compactMap(\.stringValue) ?? [] where members[required] == nil {
                causes.append(StatusCause(reason: "FieldValueRequired", message: "Required value", field: join(path, required)))
            }
            if let minimum = schema["minProperties"]?.intValue, members.count < minimum {
                causes.append(invalid(path, .int(Int64(members.count)), "should have at least \(minimum) properties"))
            }
            if let maximum = schema["maxProperties"]?.intValue, members.count > maximum {
                causes.append(invalid(path, .int(Int64(members.count)), "should have at most \(maximum) properties"))
            }
            let properties = schema["properties"]?.objectValue ?? [:]
            for key in members.keys.sorted() {
                guard let child = members[key] else { continue }
                if isRoot, ["apiVersion", "kind", "metadata"].contains(key) { continue }
                if let childSchema = properties[key] {
                    validate(child, schema: childSchema, path: join(path, key), causes: &causes)
                } else if let additional = schema["additionalProperties"], case .object = additional {
                    validate(child, schema: additional, path: join(path, key), causes: &causes)
                }
            }
        default:
            break
        }
    }

    private static func numeric(_ value: JSONValue?) -> Double? {
        switch value {
        case .int(let whole): Double(whole)
        case .double(let real): real
        default: nil
        }
    }

    private static func matches(_ text: String, _ pattern: String) -> Bool {
        guard let expression = compiledPatterns.expression(pattern) else { return true }
        let range = NSRange(text.startIndex..., in: text)
        return expression.firstMatch(in: text, range: range) != nil
    }
}
