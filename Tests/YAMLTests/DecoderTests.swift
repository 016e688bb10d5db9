import Testing
import YAML

/// Decoding into Swift types, with errors that name the file position and the field path.
struct DecoderTests {
    struct Policy: Codable, Equatable {
        struct Rule: Codable, Equatable {
            var name: String
            var ports: [String]
            var weight: Double?
        }
        struct Spec: Codable, Equatable {
            var rules: [Rule]
            var labels: [String: String]?
        }
        var spec: Spec
    }

    static func decodingError(_ yaml: String) -> String? {
        do {
            _ = try YAMLDecoder().decode(Policy.self, from: yaml, file: "policy.yaml")
            return nil
        } catch {
            return "\(error)"
        }
    }

    @Test func wellFormedDocumentDecodes() throws {
        let yaml = """
            spec:
              labels: {app.kubernetes.io/name: web}
              rules:
              - name: a
                ports: ["80", http]
                weight: 1
            """
        let policy = try YAMLDecoder().decode(Policy.self, from: yaml)
        #expect(policy == Policy(spec: .init(
            rules: [.init(name: "a", ports: ["80", "http"], weight: 1)], labels: ["app.kubernetes.io/name": "web"])))
    }

    static let errors: [(yaml: String, error: String)] = [
        ("spec:\n  rules:\n  - name: a\n    ports: [\"80\", 443]\n",
         "policy.yaml:4:19: spec.rules[0].ports[1]: expected a string, found an integer"),
        ("spec:\n  rules:\n  - name: a\n    ports: []\n  - ports: [x]\n",
         "policy.yaml:5:5: spec.rules[1].name: required key is missing"),
        ("spec:\n  rules:\n  - name: yes\n    ports: []\n",
         "policy.yaml:3:11: spec.rules[0].name: expected a string, found a boolean"),
        ("spec:\n  rules:\n  - name: a\n    ports: x\n",
         "policy.yaml:4:12: spec.rules[0].ports: expected a list, found a string"),
        ("spec:\n  rules:\n  - name: ~\n    ports: []\n",
         "policy.yaml:3:11: spec.rules[0].name: expected a string, found null"),
        ("spec:\n  rules: []\n  labels:\n    app.kubernetes.io/name: 1\n",
         "policy.yaml:4:29: spec.labels[app.kubernetes.io/name]: expected a string, found an integer"),
        ("spec:\n  rules:\n  - name: a\n    ports: []\n    weight: \"1\"\n",
         "policy.yaml:5:13: spec.rules[0].weight: expected a number, found a string"),
        ("- 1\n", "policy.yaml:1:1: expected a mapping, found a list"),
        ("", "policy.yaml:1:1: expected a mapping, found null"),
    ]

    @Test(arguments: errors)
    func decodingErrorNamesPositionPathAndExpectation(yaml: String, error: String) {
        #expect(Self.decodingError(yaml) == error)
    }

    @Test func positionsFollowMergeKeys() {
        let yaml = "base: &b {name: a, ports: [1]}\nspec:\n  rules:\n  - <<: *b\n"
        struct Doc: Decodable { var spec: Policy.Spec }
        #expect(throws: YAMLError.decoding(YAMLMark(file: "<input>", line: 1, column: 28), path: "spec.rules[0].ports[0]", message: "expected a string, found an integer")) {
            try YAMLDecoder().decode(Doc.self, from: yaml)
        }
    }

    @Test func integersMustFitTheirType() {
        struct Small: Decodable { var port: UInt16 }
        #expect(throws: YAMLError.decoding(YAMLMark(file: "<input>", line: 1, column: 7), path: "port", message: "the integer 70000 is outside the range 0...65535 of UInt16")) {
            try YAMLDecoder().decode(Small.self, from: "port: 70000")
        }
        #expect(throws: YAMLError.decoding(YAMLMark(file: "<input>", line: 1, column: 7), path: "port", message: "expected an integer, found a number with a fraction or beyond 64 bits")) {
            try YAMLDecoder().decode(Small.self, from: "port: 80.5")
        }
    }

    @Test func enumsWithUnknownRawValuesNameThePath() {
        enum Method: String, Decodable { case get = "GET", post = "POST" }
        struct Rule: Decodable { var methods: [Method] }
        do {
            _ = try YAMLDecoder().decode(Rule.self, from: "methods: [GET, PUT]", file: "r.yaml")
            Issue.record("PUT decoded")
        } catch {
            #expect("\(error)".hasPrefix("r.yaml:1:16: methods[1]: "))
        }
    }

    @Test func everyDocumentOfAStreamDecodes() throws {
        struct Named: Decodable, Equatable { var name: String }
        #expect(try YAMLDecoder().decodeDocuments(Named.self, from: "name: a\n---\nname: b\n") == [Named(name: "a"), Named(name: "b")])
    }

    @Test func jsonValuesRoundTripThroughTheEncoderAndDecoder() throws {
        let policy = Policy(spec: .init(rules: [.init(name: "r", ports: ["1"], weight: 0.5)], labels: nil))
        let json = try JSONValueEncoder().encode(policy)
        #expect(json == .object(["spec": .object(["rules": .array([.object([
            "name": .string("r"), "ports": .array([.string("1")]), "weight": .double(0.5)])])])]))
        #expect(try JSONValueDecoder().decode(Policy.self, from: json) == policy)
        #expect(throws: YAMLError.decoding(nil, path: "spec.rules", message: "expected a list, found a string")) {
            try JSONValueDecoder().decode(Policy.self, from: .object(["spec": .object(["rules": .string("x")])]))
        }
    }

    @Test func jsonValueFieldsReceiveTheValueUnchanged() throws {
        struct Wrapper: Codable, Equatable { var raw: JSONValue }
        let wrapper = try YAMLDecoder().decode(Wrapper.self, from: "raw: {a: [1, 2.5, x, null]}")
        #expect(wrapper.raw == .object(["a": .array([.int(1), .double(2.5), .string("x"), .null])]))
    }

    @Test func nonFiniteNumbersAreRefusedWhenEncoding() {
        struct Ratio: Encodable { var value: Double }
        #expect(throws: YAMLError.encoding(path: "value", message: "nan cannot be represented in JSON; use a finite number")) {
            try JSONValueEncoder().encode(Ratio(value: .nan))
        }
    }
}
