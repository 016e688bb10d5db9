import Testing
import YAML

@testable import KubeSandbox

@Suite struct SchemaValidatorTests {
    static let schema = widgetCRD["spec"]?["versions"]?.arrayValue?.first?["schema"]?["openAPIV3Schema"] ?? .null

    @Test(arguments: [
        (#"{"size":"big"}"#, "spec.size", #"Invalid value: "string": spec.size in body must be of type integer: "string""#),
        (#"{}"#, "spec.size", "Required value"),
        (#"{"size":0}"#, "spec.size", "Invalid value: 0: spec.size in body should be greater than or equal to 1"),
        (#"{"size":101}"#, "spec.size", "Invalid value: 101: spec.size in body should be less than or equal to 100"),
        (#"{"size":1,"color":"blue"}"#, "spec.color", #"Unsupported value: "blue": supported values: "red", "green""#),
        (#"{"size":1,"name":"A1"}"#, "spec.name", #"Invalid value: "A1": spec.name in body should match '^[a-z]+$'"#),
        (#"{"size":1,"tags":["aa","bb","cc"]}"#, "spec.tags", "Too many: 3: must have at most 2 items"),
        (#"{"size":1,"tags":["a"]}"#, "spec.tags[0]", #"Invalid value: "a": spec.tags[0] in body should be at least 2 chars long"#),
        (#"{"size":1,"port":true}"#, "spec.port", #"Invalid value: "boolean": spec.port in body must be of type integer-or-string: "boolean""#),
    ])
    func refusesWithKubeApiserverWording(spec: String, field: String, message: String) {
        let outcome = SchemaValidator.admit(json(#"{"spec":\#(spec)}"#), schema: Self.schema)
        #expect(outcome.causes.contains(StatusCause(reason: outcome.causes.first { $0.field == field }?.reason ?? "",
                                                    message: message, field: field)), "\(outcome.causes)")
    }

    @Test func acceptsIntOrStringAndAppliesDefaults() {
        let outcome = SchemaValidator.admit(json(#"{"spec":{"size":5,"port":"http"}}"#), schema: Self.schema)
        #expect(outcome.causes.isEmpty)
        #expect(outcome.object["spec"]?["mode"] == .string("normal"))
    }

    @Test func invalidStatusNamesEveryField() {
        let error = SandboxError.invalid(kind: "Widget", group: "example.com", name: "a", causes: [
            StatusCause(reason: "FieldValueRequired", message: "Required value", field: "spec.size"),
            StatusCause(reason: "FieldValueInvalid", message: "Invalid value: 0: x", field: "spec.n"),
        ])
        #expect(error.code == 422)
        #expect(error.message == #"Widget.example.com "a" is invalid: [spec.size: Required value, spec.n: Invalid value: 0: x]"#)
        #expect(error.status["details"]?["causes"]?.arrayValue?.count == 2)
    }
}
