import Testing
import YAML

/// The emitter writes block YAML with sorted keys and quotes strings whose plain form would read
/// back as something else.
struct EmitterTests {
    static let quoting: [(string: String, emitted: String)] = [
        ("yes", "\"yes\""), ("No", "\"No\""), ("on", "\"on\""), ("y", "\"y\""), ("true", "\"true\""),
        ("1.0", "\"1.0\""), ("12", "\"12\""), ("0o12", "\"0o12\""), ("0x1F", "\"0x1F\""), ("1_000", "\"1_000\""),
        ("1e3", "\"1e3\""), (".inf", "\".inf\""), ("null", "\"null\""), ("~", "\"~\""), ("", "\"\""),
        ("2024-01-01", "\"2024-01-01\""), ("1:20", "\"1:20\""), ("=", "\"=\""), ("<<", "\"<<\""),
        (" leading", "' leading'"), ("trailing ", "'trailing '"), ("a: b", "'a: b'"), ("a #b", "'a #b'"),
        ("- item", "'- item'"), ("*alias", "'*alias'"), ("&anchor", "'&anchor'"), ("!tag", "'!tag'"),
        ("{x}", "'{x}'"), ("[x]", "'[x]'"), ("@at", "'@at'"), ("'", "''''"), ("\"", "'\"'"), ("%x", "'%x'"),
        ("plain words", "plain words"), ("yesterday", "yesterday"), ("v1.2.3", "v1.2.3"), ("a:b", "a:b"),
        ("http://x/y", "http://x/y"), ("ünïcödé", "ünïcödé"), ("tab\there", "\"tab\\there\""),
    ]

    @Test(arguments: quoting)
    func stringIsQuotedOnlyWhenItsPlainFormMeansSomethingElse(string: String, emitted: String) throws {
        let yaml = try YAMLEmitter().emit(.object(["k": .string(string)]))
        #expect(yaml == "k: \(emitted)\n")
        #expect(try YAMLParser().parseJSON(yaml) == .object(["k": .string(string)]))
    }

    @Test func keysAreSortedAndNestedCollectionsAreBlockStyle() throws {
        let value: JSONValue = .object([
            "spec": .object(["b": .int(2), "a": .array([.string("x"), .object(["z": .null, "y": .bool(true)])])]),
            "apiVersion": .string("v1"), "empty": .object([:]), "none": .array([]), "ratio": .double(0.5),
        ])
        let yaml = try YAMLEmitter().emit(value)
        #expect(yaml == """
            apiVersion: v1
            empty: {}
            none: []
            ratio: 0.5
            spec:
              a:
              - x
              - "y": true
                z: null
              b: 2

            """)
        #expect(try YAMLParser().parseJSON(yaml) == value)
    }

    @Test func multiLineStringsUseLiteralBlocks() throws {
        let yaml = try YAMLEmitter().emit(.object(["script": .string("echo one\necho two\n")]))
        #expect(yaml == "script: |\n  echo one\n  echo two\n")
    }

    @Test func severalDocumentsAreSeparatedByDashes() throws {
        let yaml = try YAMLEmitter().emitDocuments([.object(["a": .int(1)]), .object(["b": .string("yes")])])
        #expect(yaml == "---\na: 1\n---\nb: \"yes\"\n")
        #expect(try YAMLParser().parseJSONDocuments(yaml) == [.object(["a": .int(1)]), .object(["b": .string("yes")])])
    }

    struct Port: Codable, Equatable {
        var name: String
        var port: Int
        var appProtocol: String?
    }

    @Test func encodableValuesAreEmittedWithoutAbsentOptionals() throws {
        let yaml = try YAMLEmitter().emit(encoding: [Port(name: "http", port: 80, appProtocol: nil)])
        #expect(yaml == "- name: http\n  port: 80\n")
        #expect(try YAMLDecoder().decode([Port].self, from: yaml) == [Port(name: "http", port: 80, appProtocol: nil)])
    }
}
