import Foundation
import YAML

/// A CRD's structural `openAPIV3Schema`, read once into typed fields for `SchemaValidator`.
///
/// Reading the keywords out of the `JSONValue` at every node of every write (a string hash per
/// keyword) was most of admission's cost. This tree holds exactly the keywords admission acts on,
/// with their JSON meaning kept: a keyword of the wrong JSON type counts as absent (a string
/// `nullable` is not `true`, a `"5"` `maxLength` is no bound), and a subschema that is not an
/// object (`items: true`) is a node without keywords. Immutable, so every write of the type shares
/// one tree. Equal (and hashed) by the JSON it was read from, which determines everything else.
final class CompiledSchema: Sendable, Hashable {
    /// The JSON types a `type` keyword names, or `other` for one that names none (nothing matches).
    enum ValueType: Sendable {
        case object, array, string, boolean, integer, number, other
    }

    /// `additionalProperties`, told apart as admission tells it apart.
    enum AdditionalProperties: Sendable {
        /// Absent, `false`, or neither a schema nor `true`: an undeclared field of an object-typed
        /// node (or one with `properties`) is unknown.
        case none
        /// `true`: undeclared fields are kept, unchecked.
        case any
        /// Undeclared fields are pruned, defaulted and validated against this schema.
        case schema(CompiledSchema)
    }

    /// A `minimum` or `maximum` that is a number.
    struct Bound: Sendable {
        /// The bound, compared as a `Double` as before.
        let value: Double
        /// The bound as written, so messages render `1` and `1.5` as the CRD says them.
        let written: JSONValue
        /// `exclusiveMinimum` / `exclusiveMaximum` is `true`.
        let exclusive: Bool
    }

    /// A `pattern` with its compiled expression.
    struct Pattern: Sendable {
        /// The pattern as written, for the message.
        let source: String
        /// The compiled expression, or nil if the pattern is not a valid regular expression.
        let expression: CachedPattern?

        /// Whether `text` contains a match. A pattern ICU cannot compile matches everything: an
        /// object is not refused for a fault of its CRD.
        func matches(_ text: String) -> Bool {
            expression?.matches(text) ?? true
        }
    }

    /// Compiled `pattern`s by source, shared by every compile: a catalog rebuild (any CRD change)
    /// compiles every CRD again, and an ICU compile costs more than the rest of a node. (Compiling
    /// patterns per write was 13% of the sandbox's CPU at 500 grants/s: BENCHMARKS.md, "Controller",
    /// fifth round.)
    static let patterns = PatternCache()

    /// The JSON this node was read from.
    let source: JSONValue
    /// `type` as written (for messages), nil when absent or not a string.
    let type: String?
    /// `type`, resolved once for matching.
    let valueType: ValueType?
    /// `nullable: true`.
    let nullable: Bool
    /// `x-kubernetes-int-or-string: true`.
    let intOrString: Bool
    /// `x-kubernetes-preserve-unknown-fields: true`.
    let preservesUnknownFields: Bool
    /// `x-kubernetes-embedded-resource: true`: the object is not pruned.
    let embeddedResource: Bool
    /// `enum`, in declared order (the message lists them so).
    let enumValues: [JSONValue]?
    /// `minLength`, in characters.
    let minLength: Int64?
    /// `maxLength`, in characters.
    let maxLength: Int64?
    /// `pattern`.
    let pattern: Pattern?
    /// `minimum` with `exclusiveMinimum`.
    let minimum: Bound?
    /// `maximum` with `exclusiveMaximum`.
    let maximum: Bound?
    /// `minItems`.
    let minItems: Int64?
    /// `maxItems`.
    let maxItems: Int64?
    /// `required`'s string entries, in declared order (duplicates kept: each is reported).
    let required: [String]
    /// `minProperties`.
    let minProperties: Int64?
    /// `maxProperties`.
    let maxProperties: Int64?
    /// `properties`, nil when absent or not an object (an empty object is not nil: it still
    /// makes undeclared fields unknown).
    let properties: [String: CompiledSchema]?
    /// `additionalProperties`.
    let additionalProperties: AdditionalProperties
    /// `items`, whatever JSON it is.
    let items: CompiledSchema?
    /// `default`, applied by the parent when the field is missing (`null` included).
    let defaultValue: JSONValue?
    /// The properties whose subtree can add a default (their own `default` or one below), so
    /// defaulting skips the rest of the tree, which it would leave unchanged.
    let defaultingProperties: [(key: String, schema: CompiledSchema)]
    /// Whether defaulting a value against this node can change it.
    let appliesDefaults: Bool

    /// Reads `schema` (any JSON; a non-object reads as a node without keywords).
    init(_ schema: JSONValue) {
        source = schema
        let members = schema.objectValue ?? [:]
        type = members["type"]?.stringValue
        valueType = type.map(Self.valueType(named:))
        nullable = members["nullable"]?.boolValue == true
        intOrString = members["x-kubernetes-int-or-string"]?.boolValue == true
        preservesUnknownFields = members["x-kubernetes-preserve-unknown-fields"]?.boolValue == true
        embeddedResource = members["x-kubernetes-embedded-resource"]?.boolValue == true
        enumValues = members["enum"]?.arrayValue
        minLength = members["minLength"]?.intValue
        maxLength = members["maxLength"]?.intValue
        pattern = members["pattern"]?.stringValue.map { Pattern(source: $0, expression: Self.patterns.expression($0)) }
        minimum = Self.bound(members["minimum"], exclusive: members["exclusiveMinimum"])
        maximum = Self.bound(members["maximum"], exclusive: members["exclusiveMaximum"])
        minItems = members["minItems"]?.intValue
        maxItems = members["maxItems"]?.intValue
        required = members["required"]?.arrayValue?.compactMap(\.stringValue) ?? []
        minProperties = members["minProperties"]?.intValue
        maxProperties = members["maxProperties"]?.intValue
        let properties = members["properties"]?.objectValue?.mapValues(CompiledSchema.init)
        self.properties = properties
        let additional: AdditionalProperties =
            switch members["additionalProperties"] {
            case let schema? where schema.objectValue != nil: .schema(CompiledSchema(schema))
            case .bool(true)?: .any
            default: .none
            }
        additionalProperties = additional
        let items = members["items"].map(CompiledSchema.init)
        self.items = items
        defaultValue = members["default"]
        let defaulting = (properties ?? [:])
            .filter { $0.value.defaultValue != nil || $0.value.appliesDefaults }
            .map { (key: $0.key, schema: $0.value) }
        defaultingProperties = defaulting
        let additionalDefaults = if case .schema(let schema) = additional { schema.appliesDefaults } else { false }
        appliesDefaults = !defaulting.isEmpty || additionalDefaults || items?.appliesDefaults == true
    }

    /// The `ValueType` a `type` string names.
    private static func valueType(named name: String) -> ValueType {
        switch name {
        case "object": .object
        case "array": .array
        case "string": .string
        case "boolean": .boolean
        case "integer": .integer
        case "number": .number
        default: .other
        }
    }

    /// A bound from `minimum`/`maximum` and its exclusive flag; nil unless the bound is a number.
    private static func bound(_ written: JSONValue?, exclusive: JSONValue?) -> Bound? {
        guard let written, let value = written.doubleValue else { return nil }
        return Bound(value: value, written: written, exclusive: exclusive?.boolValue == true)
    }

    /// Whether `value` is of this node's `type` (an integral float counts as an integer, as in
    /// kube-openapi); true when `type` is absent.
    func matchesType(_ value: JSONValue) -> Bool {
        switch (valueType, value) {
        case (nil, _), (.object, .object), (.array, .array), (.string, .string), (.boolean, .bool), (.integer, .int),
            (.number, .int), (.number, .double):
            true
        case (.integer, .double(let number)): number == number.rounded()
        default: false
        }
    }

    /// Equal when read from equal JSON.
    static func == (lhs: CompiledSchema, rhs: CompiledSchema) -> Bool { lhs === rhs || lhs.source == rhs.source }

    /// Hashes the JSON the node was read from.
    func hash(into hasher: inout Hasher) { hasher.combine(source) }
}
