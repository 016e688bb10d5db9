import Foundation
import YAML

/// What kube-apiserver does to a custom resource against its CRD's structural `openAPIV3Schema`:
/// prune unknown fields (reporting them, for `fieldValidation=Strict|Warn`), apply defaults, then
/// validate types, required, enum, pattern, bounds, lengths and item counts. Messages follow
/// kube-openapi's wording (`spec.n in body must be of type integer: "string"`), so a user sees
/// what a real cluster would say. `x-kubernetes-validations` (CEL) is not evaluated.
///
/// Runs on every write of a custom resource, under the store's lock, so the clean path is kept
/// cheap: the schema comes compiled (`CompiledSchema`), a field path is spelled out only for a
/// report, and an object nothing was pruned from or defaulted into is not copied.
enum SchemaValidator {
    /// The admitted object plus what was found on the way.
    struct Outcome: Sendable {
        var object: JSONValue
        /// Dotted paths of fields the schema does not declare (pruned from `object`).
        var unknownFields: [String]
        /// Field errors; non-empty means the write is refused with 422.
        var causes: [StatusCause]
    }

    /// Prunes, defaults and validates `object` (a whole custom resource) against `schema`.
    static func admit(_ object: JSONValue, schema: CompiledSchema) -> Outcome {
        guard case .object(let original) = object else {
            return Outcome(object: object, unknownFields: [], causes: [])
        }
        var members = original
        var unknown: [String] = []
        var path = FieldPath()
        for (key, value) in original where !isEnvelope(key) {
            if let child = schema.properties?[key] {
                path.enter(key)
                if let pruned = prune(value, schema: child, path: &path, unknown: &unknown) { members[key] = pruned }
                path.leave()
            } else if !schema.preservesUnknownFields {
                unknown.append(key)
                members[key] = nil
            }
        }
        var admitted = JSONValue.object(members)
        if let defaulted = applyDefaults(admitted, schema: schema, isRoot: true) { admitted = defaulted }
        var causes: [StatusCause] = []
        validate(admitted, schema: schema, path: &path, causes: &causes, isRoot: true)
        return Outcome(object: admitted, unknownFields: unknown.sorted(), causes: causes)
    }

    /// `admit` against a schema compiled for this one call; writes use their type's compiled schema.
    static func admit(_ object: JSONValue, schema: JSONValue) -> Outcome {
        admit(object, schema: CompiledSchema(schema))
    }

    /// The members of the root that belong to the API machinery, not to the schema.
    private static func isEnvelope(_ key: String) -> Bool {
        key == "apiVersion" || key == "kind" || key == "metadata"
    }

    /// `value` without the fields `schema` does not declare, or nil if nothing was pruned below it.
    private static func prune(_ value: JSONValue, schema: CompiledSchema, path: inout FieldPath,
                              unknown: inout [String]) -> JSONValue? {
        switch value {
        case .object(let original):
            if schema.embeddedResource { return nil }
            var members = original
            var changed = false
            for (key, child) in original {
                if let childSchema = schema.properties?[key] {
                    path.enter(key)
                    if let pruned = prune(child, schema: childSchema, path: &path, unknown: &unknown) {
                        members[key] = pruned
                        changed = true
                    }
                    path.leave()
                    continue
                }
                switch schema.additionalProperties {
                case .schema(let additional):
                    path.enter(key)
                    if let pruned = prune(child, schema: additional, path: &path, unknown: &unknown) {
                        members[key] = pruned
                        changed = true
                    }
                    path.leave()
                case .any:
                    continue
                case .none:
                    if schema.preservesUnknownFields { continue }
                    if schema.properties != nil || schema.valueType == .object {
                        unknown.append(path.rendered(appending: key))
                        members[key] = nil
                        changed = true
                    }
                }
            }
            return changed ? .object(members) : nil
        case .array(let original):
            guard let items = schema.items else { return nil }
            return replacingChanged(original) { index, element in
                path.enter(index: index)
                defer { path.leave() }
                return prune(element, schema: items, path: &path, unknown: &unknown)
            }
        default:
            return nil
        }
    }

    /// `elements` with each one `transform` changed (non-nil) replaced, or nil if it changed none,
    /// so an untouched array is not copied.
    private static func replacingChanged(_ elements: [JSONValue], _ transform: (Int, JSONValue) -> JSONValue?) -> JSONValue? {
        var result = elements
        var changed = false
        for (index, element) in elements.enumerated() {
            if let replaced = transform(index, element) {
                result[index] = replaced
                changed = true
            }
        }
        return changed ? .array(result) : nil
    }

    /// `value` with the defaults of `schema` filled in, or nil if none was missing below it.
    private static func applyDefaults(_ value: JSONValue, schema: CompiledSchema, isRoot: Bool = false) -> JSONValue? {
        guard schema.appliesDefaults else { return nil }
        switch value {
        case .object(let original):
            var members = original
            var changed = false
            for (key, childSchema) in schema.defaultingProperties {
                if isRoot, key == "metadata" { continue }
                if members[key] == nil, let fallback = childSchema.defaultValue {
                    members[key] = fallback
                    changed = true
                }
                if let child = members[key], let defaulted = applyDefaults(child, schema: childSchema) {
                    members[key] = defaulted
                    changed = true
                }
            }
            if case .schema(let additional) = schema.additionalProperties, additional.appliesDefaults {
                for (key, child) in members where schema.properties?[key] == nil {
                    if let defaulted = applyDefaults(child, schema: additional) {
                        members[key] = defaulted
                        changed = true
                    }
                }
            }
            return changed ? .object(members) : nil
        case .array(let original):
            guard let items = schema.items else { return nil }
            return replacingChanged(original) { _, element in applyDefaults(element, schema: items) }
        default:
            return nil
        }
    }

    /// The OpenAPI name of `value`'s JSON type, as messages print it.
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

    /// A `FieldValueInvalid` cause at `path`: `Invalid value: <value>: <path> in body <detail>`.
    private static func invalid(_ path: FieldPath, _ value: JSONValue, _ detail: String) -> StatusCause {
        let field = path.rendered
        return StatusCause(reason: "FieldValueInvalid", message: "Invalid value: \(render(value)): \(field) in body \(detail)",
                           field: field)
    }

    /// Appends the causes of `value` against `schema`, a node's own before its children's, and an
    /// object's children in key order (kube-openapi's order).
    private static func validate(_ value: JSONValue, schema: CompiledSchema, path: inout FieldPath,
                                 causes: inout [StatusCause], isRoot: Bool = false) {
        if case .null = value, schema.nullable { return }
        if schema.intOrString {
            switch value {
            case .int, .string: break
            default:
                causes.append(invalid(path, .string(typeName(value)),
                                      "must be of type integer-or-string: \(render(.string(typeName(value))))"))
                return
            }
        } else if !schema.matchesType(value), let type = schema.type {
            let actual = typeName(value)
            let field = path.rendered
            causes.append(StatusCause(
                reason: "FieldValueTypeInvalid",
                message: "Invalid value: \"\(actual)\": \(field) in body must be of type \(type): \"\(actual)\"",
                field: field))
            return
        }
        if let options = schema.enumValues, !options.contains(value) {
            causes.append(StatusCause(
                reason: "FieldValueNotSupported",
                message: "Unsupported value: \(render(value)): supported values: "
                    + options.map(render).joined(separator: ", "),
                field: path.rendered))
        }
        switch value {
        case .string(let text):
            if let minimum = schema.minLength, isShorter(text, than: minimum) {
                causes.append(invalid(path, value, "should be at least \(minimum) chars long"))
            }
            if let maximum = schema.maxLength, isLonger(text, than: maximum) {
                causes.append(StatusCause(reason: "FieldValueTooLong",
                                          message: "Too long: may not be more than \(maximum) bytes", field: path.rendered))
            }
            if let pattern = schema.pattern, !pattern.matches(text) {
                causes.append(invalid(path, value, "should match '\(pattern.source)'"))
            }
        case .int, .double:
            let number = value.doubleValue ?? 0
            if let minimum = schema.minimum, minimum.exclusive ? number <= minimum.value : number < minimum.value {
                causes.append(invalid(path, value, "should be greater than \(minimum.exclusive ? "" : "or equal to ")\(render(minimum.written))"))
            }
            if let maximum = schema.maximum, maximum.exclusive ? number >= maximum.value : number > maximum.value {
                causes.append(invalid(path, value, "should be less than \(maximum.exclusive ? "" : "or equal to ")\(render(maximum.written))"))
            }
        case .array(let elements):
            if let minimum = schema.minItems, elements.count < minimum {
                causes.append(invalid(path, .int(Int64(elements.count)), "should have at least \(minimum) items"))
            }
            if let maximum = schema.maxItems, elements.count > maximum {
                causes.append(StatusCause(reason: "FieldValueTooMany",
                                          message: "Too many: \(elements.count): must have at most \(maximum) items",
                                          field: path.rendered))
            }
            if let items = schema.items {
                for (index, element) in elements.enumerated() {
                    path.enter(index: index)
                    validate(element, schema: items, path: &path, causes: &causes)
                    path.leave()
                }
            }
        case .object(let members):
            for required in schema.required where members[required] == nil {
                causes.append(StatusCause(reason: "FieldValueRequired", message: "Required value",
                                          field: path.rendered(appending: required)))
            }
            if let minimum = schema.minProperties, members.count < minimum {
                causes.append(invalid(path, .int(Int64(members.count)), "should have at least \(minimum) properties"))
            }
            if let maximum = schema.maxProperties, members.count > maximum {
                causes.append(invalid(path, .int(Int64(members.count)), "should have at most \(maximum) properties"))
            }
            validateMembers(members, schema: schema, path: &path, causes: &causes, isRoot: isRoot)
        default:
            break
        }
    }

    /// Validates an object's members in the dictionary's own order, then puts the causes they
    /// gave into key order: sorting the keys of every object up front would cost each clean write
    /// a sort per object for an order only a failing one shows.
    private static func validateMembers(_ members: [String: JSONValue], schema: CompiledSchema, path: inout FieldPath,
                                        causes: inout [StatusCause], isRoot: Bool) {
        let start = causes.count
        var reported: [(key: String, causes: Range<Int>)] = []
        for (key, child) in members {
            if isRoot, isEnvelope(key) { continue }
            let childSchema: CompiledSchema
            if let declared = schema.properties?[key] {
                childSchema = declared
            } else if case .schema(let additional) = schema.additionalProperties {
                childSchema = additional
            } else {
                continue
            }
            let before = causes.count
            path.enter(key)
            validate(child, schema: childSchema, path: &path, causes: &causes)
            path.leave()
            if causes.count > before { reported.append((key, before..<causes.count)) }
        }
        guard reported.count > 1 else { return }
        var ordered: [StatusCause] = []
        ordered.reserveCapacity(causes.count - start)
        for member in reported.sorted(by: { $0.key < $1.key }) { ordered.append(contentsOf: causes[member.causes]) }
        causes.replaceSubrange(start..., with: ordered)
    }

    /// `text.count < minimum`, without counting characters where the answer is plain.
    private static func isShorter(_ text: String, than minimum: Int64) -> Bool {
        if minimum <= 0 { return false }
        if minimum == 1 { return text.isEmpty }
        return text.count < minimum
    }

    /// `text.count > maximum`, without counting characters when the UTF-8 length (never fewer
    /// than the characters) is within the bound.
    private static func isLonger(_ text: String, than maximum: Int64) -> Bool {
        text.utf8.count > maximum && text.count > maximum
    }
}
