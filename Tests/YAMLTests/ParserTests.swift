import Testing
import YAML

/// The node tree: positions, documents, anchors, aliases and merge keys.
struct ParserTests {
    @Test func everyNodeKnowsItsFileLineAndColumn() throws {
        let yaml = """
            apiVersion: v1
            spec:
              rules:
              - ports: [80, "http"]
                name: web
            """
        let root = try YAMLParser().parseDocument(yaml, file: "policy.yaml")
        let rule = try #require(root["spec"]?["rules"]?[0])
        #expect(rule.mark == YAMLMark(file: "policy.yaml", line: 4, column: 5))
        let port = try #require(rule["ports"]?[1])
        #expect(port.mark.description == "policy.yaml:4:17")
        #expect(port.scalar == "http")
        #expect(port.scalarStyle == .doubleQuoted)
        #expect(rule["ports"]?.isFlow == true)
        #expect(root["spec"]?.pairs.map { $0.key.scalar } == ["rules"])
        #expect(rule["name"]?.line == 5)
    }

    @Test func multiDocumentStreamsGiveOneRootPerDocument() throws {
        let yaml = "a: 1\n---\nb: 2\n---\n---\n- x\n...\n"
        let documents = try YAMLParser().parseDocuments(yaml, file: "f.yaml")
        #expect(documents.count == 4)
        #expect(documents.map(\.line) == [1, 3, 5, 6])
        #expect(try documents.map { try $0.toJSON() } == [.object(["a": .int(1)]), .object(["b": .int(2)]), .null, .array([.string("x")])])
        #expect(try YAMLParser().parseDocuments("").isEmpty)
        #expect(try YAMLParser().parseDocuments("# only a comment\n").isEmpty)
    }

    @Test func aliasesRepeatTheAnchoredValueAndKeepTheirOwnPosition() throws {
        let yaml = "base: &b {x: 1}\nlist: &l [a, b]\ncopy: *b\nagain: *l\n"
        let root = try YAMLParser().parseDocument(yaml)
        let copy = try #require(root["copy"])
        #expect(copy.isAlias)
        #expect(copy.kind == .mapping)
        #expect(copy.anchor == "b")
        #expect(copy.line == 3 && copy.column == 7)
        #expect(try root.toJSON() == .object([
            "base": .object(["x": .int(1)]), "copy": .object(["x": .int(1)]),
            "list": .array([.string("a"), .string("b")]), "again": .array([.string("a"), .string("b")]),
        ]))
    }

    @Test func mergeKeysLetExplicitKeysWinThenEarlierMappings() throws {
        let yaml = """
            a: &a {x: 1, q: 1}
            b: &b {q: 2, z: 2}
            one:
              <<: *a
              x: 9
            many:
              x: 9
              <<: [*a, *b]
            inline:
              <<: {w: 0}
            """
        #expect(try YAMLParser().parseJSON(yaml) == .object([
            "a": .object(["x": .int(1), "q": .int(1)]), "b": .object(["q": .int(2), "z": .int(2)]),
            "one": .object(["x": .int(9), "q": .int(1)]),
            "many": .object(["x": .int(9), "q": .int(1), "z": .int(2)]),
            "inline": .object(["w": .int(0)]),
        ]))
    }

    @Test func quotedMergeKeyIsAnOrdinaryKey() throws {
        #expect(try YAMLParser().parseJSON("\"<<\": {a: 1}") == .object(["<<": .object(["a": .int(1)])]))
    }

    @Test func mergingAScalarIsRefused() {
        #expect(throws: YAMLError.invalidValue(
            YAMLMark(file: "<input>", line: 1, column: 5), message: "the value of a merge key (<<) must be a mapping or a list of mappings")
        ) { try YAMLParser().parseJSON("<<: 1") }
    }

    @Test func anchorsDoNotCrossDocuments() {
        #expect(throws: YAMLError.undefinedAlias(YAMLMark(file: "s.yaml", line: 3, column: 4), name: "a")) {
            try YAMLParser().parseDocuments("a: &a 1\n---\nb: *a\n", file: "s.yaml")
        }
    }

    @Test func explicitTagsAreKeptOnTheNode() throws {
        let root = try YAMLParser().parseDocument("a: !!int '3'\nb: !custom {x: 1}\n")
        #expect(root["a"]?.tag == "tag:yaml.org,2002:int")
        #expect(root["b"]?.tag == "!custom")
        #expect(try root.toJSON() == .object(["a": .int(3), "b": .object(["x": .int(1)])]))
    }

    @Test func blockScalarsKeepTheirText() throws {
        let yaml = "lit: |\n  one\n  two\nfold: >\n  one\n  two\nkeep: |+\n  x\n\nstrip: |-\n  y\n"
        #expect(try YAMLParser().parseJSON(yaml) == .object([
            "lit": .string("one\ntwo\n"), "fold": .string("one two\n"), "keep": .string("x\n\n"), "strip": .string("y"),
        ]))
    }
}
