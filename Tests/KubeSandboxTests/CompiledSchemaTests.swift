import Testing
import YAML

@testable import KubeSandbox

/// Admission against the compiled schema must say exactly what the JSON schema said: the same
/// causes in the same order, the same unknown fields, the same pruned and defaulted object.
@Suite struct CompiledSchemaTests {
    /// A root schema with `spec` as given.
    private static func schema(spec: String) -> JSONValue {
        json(#"{"type":"object","properties":{"spec":\#(spec)}}"#)
    }

    /// Admits a Widget with `spec` against a root schema whose `spec` is `schema`.
    private static func admit(spec: String, schema: String) -> SchemaValidator.Outcome {
        SchemaValidator.admit(json(#"{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"a"},"spec":\#(spec)}"#),
                              schema: Self.schema(spec: schema))
    }

    @Test func causesFromNestedObjectsAndArraysComeNodeFirstThenInKeyOrder() {
        let schema = json(#"""
        {"type":"object","required":["spec"],"properties":{
          "spec":{"type":"object","required":["name","size"],"properties":{
            "zeta":{"type":"object","properties":{"n":{"type":"integer","maximum":3,"exclusiveMaximum":true}}},
            "alpha":{"type":"array","minItems":3,"items":{"type":"object","required":["id"],"properties":{
              "id":{"type":"string","maxLength":3},"weight":{"type":"number","minimum":1.5}}}},
            "mode":{"type":"string","enum":["a","b"]},
            "name":{"type":"string"},"size":{"type":"integer"}}},
          "status":{"type":"object","properties":{"phase":{"type":"string","pattern":"^[A-Z]"}}}}}
        """#)
        let object = json(#"""
        {"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"a"},
         "status":{"phase":"lower"},
         "spec":{"zeta":{"n":3},"mode":"c","alpha":[{"weight":1,"id":"abcd"},{"weight":"heavy"}]}}
        """#)
        let causes = SchemaValidator.admit(object, schema: schema).causes
        #expect(causes == [
            StatusCause(reason: "FieldValueRequired", message: "Required value", field: "spec.name"),
            StatusCause(reason: "FieldValueRequired", message: "Required value", field: "spec.size"),
            StatusCause(reason: "FieldValueInvalid", message: "Invalid value: 2: spec.alpha in body should have at least 3 items",
                        field: "spec.alpha"),
            StatusCause(reason: "FieldValueTooLong", message: "Too long: may not be more than 3 bytes", field: "spec.alpha[0].id"),
            StatusCause(reason: "FieldValueInvalid",
                        message: "Invalid value: 1: spec.alpha[0].weight in body should be greater than or equal to 1.5",
                        field: "spec.alpha[0].weight"),
            StatusCause(reason: "FieldValueRequired", message: "Required value", field: "spec.alpha[1].id"),
            StatusCause(reason: "FieldValueTypeInvalid",
                        message: #"Invalid value: "string": spec.alpha[1].weight in body must be of type number: "string""#,
                        field: "spec.alpha[1].weight"),
            StatusCause(reason: "FieldValueNotSupported", message: #"Unsupported value: "c": supported values: "a", "b""#,
                        field: "spec.mode"),
            StatusCause(reason: "FieldValueInvalid", message: "Invalid value: 3: spec.zeta.n in body should be less than 3",
                        field: "spec.zeta.n"),
            StatusCause(reason: "FieldValueInvalid", message: #"Invalid value: "lower": status.phase in body should match '^[A-Z]'"#,
                        field: "status.phase"),
        ])
    }

    @Test func exclusiveBoundsAndPropertyCountsUseKubeOpenAPIWording() {
        let outcome = Self.admit(spec: #"{"low":2,"high":2.5,"count":{"a":1,"b":2}}"#, schema: #"""
            {"type":"object","properties":{"low":{"type":"number","minimum":2.0,"exclusiveMinimum":true},
             "high":{"type":"number","maximum":2},"count":{"type":"object","maxProperties":1,"additionalProperties":{"type":"integer"}}}}
            """#)
        #expect(outcome.causes.map(\.message) == [
            "Invalid value: 2: spec.count in body should have at most 1 properties",
            "Invalid value: 2.5: spec.high in body should be less than or equal to 2",
            "Invalid value: 2: spec.low in body should be greater than 2",
        ])
    }

    @Test(arguments: [
        // A schema: undeclared members are pruned, defaulted and validated against it.
        (#"{"type":"integer","default":1}"#, [String](), #"{"known":"k","extra":"x"}"#,
         [#"Invalid value: "string": spec.map.extra in body must be of type integer: "string""#]),
        // true: undeclared members stay, unchecked.
        ("true", [], #"{"known":"k","extra":"x"}"#, []),
        // false is no schema: with properties, undeclared members are unknown.
        ("false", ["spec.map.extra"], #"{"known":"k"}"#, []),
        // Neither a schema nor true counts as absent.
        (#""yes""#, ["spec.map.extra"], #"{"known":"k"}"#, []),
    ])
    func additionalPropertiesIsASchemaTrueOrNothing(additional: String, unknown: [String], kept: String, messages: [String]) {
        let outcome = Self.admit(
            spec: #"{"map":{"known":"k","extra":"x"}}"#,
            schema: #"{"type":"object","properties":{"map":{"type":"object","properties":{"known":{"type":"string"}},"additionalProperties":\#(additional)}}}"#)
        #expect(outcome.unknownFields == unknown)
        #expect(outcome.object["spec"]?["map"] == json(kept))
        #expect(outcome.causes.map(\.message) == messages)
    }

    @Test func additionalPropertiesFalseWithoutPropertiesOrTypeKeepsEverything() {
        let outcome = Self.admit(spec: #"{"free":{"any":1}}"#,
                                 schema: #"{"type":"object","properties":{"free":{"additionalProperties":false}}}"#)
        #expect(outcome.unknownFields.isEmpty && outcome.causes.isEmpty)
        #expect(outcome.object["spec"] == json(#"{"free":{"any":1}}"#))
    }

    @Test(arguments: [
        ("8080", nil),
        (#""http""#, nil),
        ("1.5", #"Invalid value: "number": spec.port in body must be of type integer-or-string: "number""#),
        ("null", #"Invalid value: "null": spec.port in body must be of type integer-or-string: "null""#),
        ("[1]", #"Invalid value: "array": spec.port in body must be of type integer-or-string: "array""#),
    ])
    func intOrStringTakesIntegersAndStringsOverItsType(port: String, message: String?) {
        let outcome = Self.admit(spec: #"{"port":\#(port)}"#,
                                 schema: #"{"type":"object","properties":{"port":{"type":"string","x-kubernetes-int-or-string":true}}}"#)
        #expect(outcome.causes.map(\.message) == (message.map { [$0] } ?? []))
    }

    @Test func nullableAcceptsNullBeforeTypeAndEnum() {
        let nullable = Self.admit(spec: #"{"x":null}"#,
                                  schema: #"{"type":"object","properties":{"x":{"type":"string","enum":["a"],"nullable":true}}}"#)
        #expect(nullable.causes.isEmpty)
        let strict = Self.admit(spec: #"{"x":null}"#,
                                schema: #"{"type":"object","properties":{"x":{"type":"string","enum":["a"],"nullable":"true"}}}"#)
        #expect(strict.causes.map(\.message) == [#"Invalid value: "null": spec.x in body must be of type string: "null""#])
    }

    @Test func defaultsAreAppliedInsideArrayElementsMapValuesAndDefaults() {
        let outcome = Self.admit(spec: #"{"rules":[{"port":80},{"port":81,"protocol":"UDP"}],"pools":{"a":{},"b":{"size":3}}}"#, schema: #"""
            {"type":"object","properties":{
              "rules":{"type":"array","items":{"type":"object","properties":{
                "port":{"type":"integer"},"protocol":{"type":"string","default":"TCP"}}}},
              "limits":{"type":"object","default":{},"properties":{"cpu":{"type":"string","default":"1"}}},
              "explicit":{"type":"string","default":null,"nullable":true},
              "pools":{"type":"object","additionalProperties":{"type":"object","properties":{"size":{"type":"integer","default":1}}}}}}
            """#)
        #expect(outcome.causes.isEmpty)
        #expect(outcome.object["spec"] == json(#"""
            {"rules":[{"port":80,"protocol":"TCP"},{"port":81,"protocol":"UDP"}],"limits":{"cpu":"1"},"explicit":null,
             "pools":{"a":{"size":1},"b":{"size":3}}}
            """#))
    }

    @Test func unknownFieldsAreNamedWithArrayIndicesAndSorted() {
        let outcome = SchemaValidator.admit(json(#"""
            {"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"a"},"extra":1,
             "spec":{"rules":[{"port":1,"x":2},{"port":2},{"bogus":true,"port":3}],"more":{}}}
            """#), schema: Self.schema(spec: #"""
            {"type":"object","properties":{"rules":{"type":"array","items":{"type":"object","properties":{"port":{"type":"integer"}}}}}}
            """#))
        #expect(outcome.unknownFields == ["extra", "spec.more", "spec.rules[0].x", "spec.rules[2].bogus"])
        #expect(outcome.object == json(#"""
            {"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"a"},
             "spec":{"rules":[{"port":1},{"port":2},{"port":3}]}}
            """#))
        #expect(outcome.causes.isEmpty)
    }

    @Test func aPatternICUCannotCompileMatchesEveryString() {
        let outcome = Self.admit(spec: #"{"name":"anything at all"}"#,
                                 schema: #"{"type":"object","properties":{"name":{"type":"string","pattern":"(["}}}"#)
        #expect(outcome.causes.isEmpty)
    }

    @Test func aTypeWhoseSchemaIsReplacedValidatesAgainstTheNewOne() throws {
        let integer = Self.schema(spec: #"{"type":"object","properties":{"size":{"type":"integer"}}}"#)
        let string = Self.schema(spec: #"{"type":"object","properties":{"size":{"type":"string"}}}"#)
        var type = ResourceType(group: "example.com", version: "v1", plural: "widgets", singular: "widget", kind: "Widget",
                                namespaced: true, schema: integer, isCustom: true)
        let original = type
        type.schema = string
        #expect(type.schema == string && type != original)
        let compiled = try #require(type.compiledSchema)
        #expect(SchemaValidator.admit(json(#"{"spec":{"size":"big"}}"#), schema: compiled).causes.isEmpty)
        #expect(SchemaValidator.admit(json(#"{"spec":{"size":1}}"#), schema: compiled).causes.map(\.field) == ["spec.size"])
        type.schema = nil
        #expect(type.compiledSchema == nil)
    }

    @Test func typesAreEqualAndHashedByTheirSchemaJSON() {
        /// The same type but for its schema.
        func widgets(_ schema: JSONValue?) -> ResourceType {
            ResourceType(group: "example.com", version: "v1", plural: "widgets", singular: "widget", kind: "Widget",
                         namespaced: true, schema: schema, isCustom: true)
        }
        let schema = Self.schema(spec: #"{"type":"object"}"#)
        #expect(widgets(schema) == widgets(json(#"{"properties":{"spec":{"type":"object"}},"type":"object"}"#)))
        #expect(Set([widgets(schema), widgets(schema)]).count == 1)
        #expect(widgets(schema) != widgets(Self.schema(spec: #"{"type":"string"}"#)))
        #expect(widgets(schema) != widgets(nil))
    }

    @Test func aCRDUpdateChangesHowItsObjectsAreAdmitted() throws {
        let store = makeStore()
        let widgets = try installWidgets(store)
        #expect(throws: SandboxError.self) {
            try store.create(widgets, namespace: "default", body: widget("a", spec: #"{"size":1,"color":"blue"}"#))
        }
        let crds = try #require(store.type(group: "apiextensions.k8s.io", version: "v1", plural: "customresourcedefinitions"))
        _ = try store.patch(crds, namespace: "", name: "widgets.example.com") { current in
            var crd = current
            crd["spec"]?["versions"] = json(#"""
                [{"name":"v1","served":true,"storage":true,"schema":{"openAPIV3Schema":{"type":"object","properties":{
                  "spec":{"type":"object","properties":{"size":{"type":"integer"},"color":{"type":"string","enum":["blue"]}}}}}}}]
                """#)
            return crd
        }
        let updated = try #require(store.type(group: "example.com", version: "v1", plural: "widgets"))
        let created = try store.create(updated, namespace: "default", body: widget("a", spec: #"{"size":1,"color":"blue"}"#))
        #expect(created.object.value["spec"] == json(#"{"size":1,"color":"blue"}"#))
    }
}
