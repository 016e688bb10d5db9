import Testing
import YAML
import TestSupport

/// Malformed or hostile input gives one clear error with a position, never a crash.
struct MalformedInputTests {
    static func error(_ yaml: String, file: String = "bad.yaml") -> String? {
        do {
            _ = try YAMLParser().parseJSONDocuments(yaml, file: file)
            return nil
        } catch {
            return "\(error)"
        }
    }

    static let cases: [(yaml: String, error: String)] = [
        ("a: \"abc\nb: c\n",
         "bad.yaml:3:1: found unexpected end of stream (while scanning a quoted scalar that started at line 1, column 4)"),
        ("a: 'abc\n", "bad.yaml:2:1: found unexpected end of stream (while scanning a quoted scalar that started at line 1, column 4)"),
        ("a:\n  b: 1\n c: 2\n", "bad.yaml:3:2: did not find expected key (while parsing a block mapping that started at line 1, column 1)"),
        ("a:\n\tb: 1\n", "bad.yaml:2:1: found character that cannot start any token (while scanning for the next token that started at line 2, column 1)"),
        ("a: b: c\n", "bad.yaml:1:5: mapping values are not allowed in this context"),
        ("b: [1, 2\n", "bad.yaml:2:1: did not find expected ',' or ']' (while parsing a flow sequence that started at line 1, column 4)"),
        ("a: *nope\n", "bad.yaml:1:4: alias *nope refers to an anchor &nope that is not defined earlier in this document"),
        ("ok: 1\n---\nx: [\n", "bad.yaml:4:1: did not find expected node content (while parsing a flow node that started at line 4, column 1)"),
        ("a: \u{7}\n", "bad.yaml:1:4: control characters are not allowed"),
    ]

    @Test(arguments: cases)
    func malformedYAMLIsReportedAtItsPosition(yaml: String, error: String) {
        #expect(Self.error(yaml) == error)
    }

    @Test func invalidUTF8IsReportedAtItsByte() {
        let bytes: [UInt8] = Array("a: 1\nb: ".utf8) + [0xC3, 0x28] + Array("\n".utf8)
        #expect(throws: YAMLError.syntax(YAMLMark(file: "bad.yaml", line: 2, column: 5), message: "invalid trailing UTF-8 octet")) {
            try YAMLParser().parseDocuments(bytes, file: "bad.yaml")
        }
    }

    @Test func tenThousandLevelsOfNestingAreRefused() {
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        #expect(Self.error(deep) == "bad.yaml:1:1001: nesting is deeper than 1000 levels; flatten the document or raise YAMLOptions.maxDepth")
        let blocks = (0..<10_000).map { String(repeating: " ", count: $0) + "k:" }.joined(separator: "\n")
        #expect(Self.error(blocks) == "bad.yaml:1001:1001: nesting is deeper than 1000 levels; flatten the document or raise YAMLOptions.maxDepth")
    }

    @Test func nestingUpToTheLimitIsAccepted() throws {
        let deep = String(repeating: "[", count: 1_000) + String(repeating: "]", count: 1_000)
        var value = try YAMLParser().parseJSON(deep)
        var depth = 0
        while case .array(let elements) = value, let first = elements.first {
            value = first
            depth += 1
        }
        #expect(depth == 999)
    }

    @Test func billionLaughsIsRefusedBeforeExpanding() {
        var yaml = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
        for (previous, name) in zip("abcdefgh", "bcdefghi") {
            yaml += "\(name): &\(name) [" + Array(repeating: "*\(previous)", count: 10).joined(separator: ", ") + "]\n"
        }
        let message = Self.error(yaml) ?? ""
        #expect(message.hasPrefix("bad.yaml:"))
        #expect(message.hasSuffix("the document looks like an alias bomb"))
        // The tree itself is built without expanding anything.
        #expect(throws: Never.self) { try YAMLParser().parseDocuments(yaml) }
        struct Anything: Decodable {}
        #expect(throws: YAMLError.self) { try YAMLDecoder().decode(Anything.self, from: yaml) }
    }

    @Test func moderateAliasUseIsAccepted() throws {
        let yaml = "base: &b {cpu: 1, memory: 2}\n" + (0..<500).map { "c\($0): *b" }.joined(separator: "\n")
        let value = try YAMLParser().parseJSON(yaml)
        #expect(value.objectValue?.count == 501)
    }

    @Test func hundredMegabyteLineIsRefusedQuickly() {
        var yaml = "data: "
        yaml.reserveCapacity(100_000_100)
        yaml += String(repeating: "x", count: 100_000_000)
        yaml += "\n"
        let clock = ContinuousClock()
        let start = clock.now
        #expect(Self.error(yaml) == "bad.yaml:1:1: line is 100000006 bytes long, more than the limit of 16777216 bytes; break the value over several lines (a block scalar) or raise YAMLOptions.maxLineBytes")
        #expect(clock.now - start < .seconds(5))
    }

    @Test func longLinesUnderTheLimitAreRead() throws {
        let value = String(repeating: "ab", count: 1_000_000)
        #expect(try YAMLParser().parseJSON("data: \(value)\n") == .object(["data": .string(value)]))
    }

    /// Random byte edits of a realistic document: each result parses or gives a `YAMLError`, and
    /// whatever parses converts, decodes and emits without crashing.
    @Test func mutatedDocumentsNeverCrash() throws {
        let original = Array("""
            apiVersion: v1
            kind: ConfigMap
            metadata: &m {name: "web", labels: {app: web, tier: 'front'}}
            data:
              <<: *m
              script: |
                echo "hi"
              list: [1, 2.5, yes, ~, !!str 3, *m]
            ---
            - {a: [b, {c: d}]}
            - >-
              folded text
            """.utf8)
        let alphabet = Array("{}[]:,-?&*!|>'\"%@` #\n\t\\~.0yY<".utf8)
        var rng = SeededRandom(seed: 7)
        var outcomes = (parsed: 0, refused: 0)
        for _ in 0..<2_000 {
            var bytes = original
            for _ in 0..<Int.random(in: 1...4, using: &rng) {
                let position = Int.random(in: 0..<bytes.count, using: &rng)
                switch Int.random(in: 0..<3, using: &rng) {
                case 0: bytes[position] = alphabet[Int.random(in: 0..<alphabet.count, using: &rng)]
                case 1: bytes.insert(alphabet[Int.random(in: 0..<alphabet.count, using: &rng)], at: position)
                default: bytes.remove(at: position)
                }
            }
            do {
                for document in try YAMLParser().parseDocuments(bytes, file: "m.yaml") {
                    let json = try document.toJSON()
                    // Once a value exists, writing and reading it back must work.
                    do {
                        let again = try YAMLParser().parseJSON(try YAMLEmitter().emit(json))
                        #expect(PyYAMLComparisonTests.same(again, json))
                    } catch {
                        Issue.record("emitted YAML did not read back: \(error)")
                    }
                    _ = try? YAMLDecoder().decode([String: JSONValue].self, from: document)
                }
                outcomes.parsed += 1
            } catch is YAMLError {
                outcomes.refused += 1
            }
        }
        #expect(outcomes.parsed > 100 && outcomes.refused > 100)
    }
}
