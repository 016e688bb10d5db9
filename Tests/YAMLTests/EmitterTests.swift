import Testing
import YAML
import TestSupport

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

/// Emit-then-parse gives back the same value for random values built from awkward strings.
struct EmitterRoundTripTests {
    static let awkward: [String] = [
        "", " ", "yes", "No", "y", "~", "null", "1", "-1", "0x1F", "0o17", "017", "1_000", "1.5", ".5", "1e3", ".inf", "-.Inf",
        ".NaN", "2024-01-01", "2024-01-01T10:00:00Z", "1:20:30", "=", "<<", "- x", "? x", ": x", "a: b", "a #b", "#c", "'q'",
        "\"d\"", "[x]", "{x}", "&a", "*a", "!t", "|", ">", "%", "@", "`", ",", "x,", "line\nbreak", "trailing\n", "\n",
        "  indented\nlines  ", "tab\tin", "nul\u{0}byte", "bell\u{7}", "ünïcödé", "emoji 🚀", "\u{FEFF}bom", "back\\slash",
        "a: b\nc: d", "---", "...", "--- x", "- - x", "True", "FALSE", "On", "off", "+", "-", ".", "0b101", "+.5", "08",
    ]

    static func value(_ rng: inout SeededRandom, depth: Int) -> JSONValue {
        let choice = depth > 3 ? Int.random(in: 0..<5, using: &rng) : Int.random(in: 0..<7, using: &rng)
        switch choice {
        case 0: return .string(awkward[Int.random(in: 0..<awkward.count, using: &rng)])
        case 1:
            let scalars = (0..<Int.random(in: 0..<12, using: &rng)).map { _ in
                Character(Unicode.Scalar(UInt8.random(in: 0x20...0x7E, using: &rng)))
            }
            return .string(String(scalars))
        case 2: return .int(Int64.random(in: .min ... .max, using: &rng))
        case 3: return [.null, .bool(true), .bool(false), .double(0.1), .double(-2.5e-8), .double(1e300)][Int.random(in: 0..<6, using: &rng)]
        case 4: return .string(String(Int.random(in: -99...99, using: &rng)))
        case 5: return .array((0..<Int.random(in: 0..<4, using: &rng)).map { _ in value(&rng, depth: depth + 1) })
        default:
            var members: [String: JSONValue] = [:]
            for _ in 0..<Int.random(in: 0..<4, using: &rng) {
                members[awkward[Int.random(in: 0..<awkward.count, using: &rng)]] = value(&rng, depth: depth + 1)
            }
            return .object(members)
        }
    }

    @Test func randomValuesRoundTrip() throws {
        var rng = SeededRandom(seed: 42)
        for _ in 0..<500 {
            let original = Self.value(&rng, depth: 0)
            let yaml = try YAMLEmitter().emit(original)
            let parsed = try YAMLParser().parseJSON(yaml)
            #expect(PyYAMLComparisonTests.same(parsed, original), "\(yaml)")
        }
    }
}
