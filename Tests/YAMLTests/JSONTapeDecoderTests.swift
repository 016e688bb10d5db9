import Testing
import YAML

/// Decoding straight from bytes (`decode(_:fromJSON:)`, over the tape) must agree with parsing to
/// a `JSONValue` and decoding that: same values, same errors with the same paths and messages.
@Suite struct JSONTapeDecoderTests {
    struct Sample: Codable, Equatable {
        var name: String
        var count: Int?
        var small: Int8?
        var unsigned: UInt32?
        var ratio: Double?
        var flag: Bool?
        var tags: [String]?
        var labels: [String: String]?
        var sizes: [String: Int]?
        var children: [Sample]?
        var raw: JSONValue?
        var optionalTags: [String?]?
        var fields: RawJSON?
    }

    enum Outcome<T: Equatable>: Equatable {
        case success(T)
        case failure(String)
    }

    /// Both ways of decoding `text`: the value, or the error's description.
    static func both<T: Decodable & Equatable>(_ type: T.Type, _ text: String) -> (Outcome<T>, Outcome<T>) {
        let bytes = Array(text.utf8)
        let viaTree: Outcome<T>
        do {
            viaTree = .success(try JSONValueDecoder().decode(type, from: try JSONParser.parse(bytes)))
        } catch {
            viaTree = .failure("\(error)")
        }
        let direct: Outcome<T>
        do {
            direct = .success(try JSONValueDecoder().decode(type, fromJSON: bytes))
        } catch {
            direct = .failure("\(error)")
        }
        return (viaTree, direct)
    }

    static let bigMap = "{" + (0..<40).map { #""k\#($0)":"v\#($0)""# }.joined(separator: ",") + "}"

    @Test(arguments: [
        #"{"name":"a"}"#,
        #"{"name":"a","count":3,"small":-128,"unsigned":4294967295,"ratio":1.5,"flag":true}"#,
        #"{"name":"a","ratio":2,"count":2.0}"#,
        #"{"name":"a","tags":["x","y\n","\u00e9\ud83d\ude00"],"labels":{"app.kubernetes.io/name":"n","":"empty"}}"#,
        #"{"name":"a","labels":"# + bigMap + "}",
        #"{"name":"a","sizes":{"a":1,"b":-2}}"#,
        #"{"name":"a","children":[{"name":"b","children":[{"name":"c","count":1}]},{"name":"d"}]}"#,
        #"{"name":"a","raw":{"x":[1,2.5,"s",null,true,{"y":{}}],"z":-0}}"#,
        #"{"name":"a","raw":null,"count":null,"tags":null}"#,
        #"{"name":"first","name":"last","count":1,"count":2}"#,
        #"{"n\u0061me":"escaped key","fl\u0061g":false}"#,
        #"{"name":"a","optionalTags":["x",null,"y"]}"#,
        #"{"name":"a","unknown":{"deep":[[[{"a":1}]]]},"more":"ignored"}"#,
        #"{"name":"a","fields":{"f:spec":{"f:x":{}},"l":[1, -20 ,2.5e1,"s\"q",true,false,null,[],{}]}}"#,
        #"{"fields": [ {"z" : null } , false ] ,"name":"a"}"#,
        #"{"name":"a","fields":-0}"#,
        #"{"name":"a","fields":"é"}"#,
        // errors: the same path and message both ways
        #"{"count":1}"#,
        #"{"name":5}"#,
        #"{"name":null}"#,
        #"{"name":"a","count":"3"}"#,
        #"{"name":"a","count":1.5}"#,
        #"{"name":"a","count":1e300}"#,
        #"{"name":"a","count":123456789012345678901234}"#,
        #"{"name":"a","small":128}"#,
        #"{"name":"a","unsigned":-1}"#,
        #"{"name":"a","flag":"true"}"#,
        #"{"name":"a","ratio":"1"}"#,
        #"{"name":"a","tags":"x"}"#,
        #"{"name":"a","tags":[1]}"#,
        #"{"name":"a","labels":{"app.kubernetes.io/name":true}}"#,
        #"{"name":"a","labels":[]}"#,
        #"{"name":"a","sizes":{"a":"1"}}"#,
        #"{"name":"a","children":[{"name":"b"},{"name":"c","children":[{"count":1}]}]}"#,
        #"{"name":"a","children":[{"name":"b"},{"name":"c","children":[{"name":"d","labels":{"x y":1}}]}]}"#,
        #"["name"]"#,
        #"null"#,
        // malformed JSON: the same offset and message
        #"{"name":"a""#,
        #"{"name" "a"}"#,
        #"{"name":"a",}"#,
        #"{"name":"\x"}"#,
        #"{"name":01}"#,
        "{\"name\":\"tab\there\"}",
    ])
    func typedDecodingAgreesWithTheTree(text: String) {
        let (viaTree, direct) = Self.both(Sample.self, text)
        #expect(viaTree == direct)
    }

    /// The existing JSON corpus (canonical writing, numbers, malformed input) decoded as
    /// `JSONValue` through the tape, nested in a typed field and at the top.
    @Test(arguments: [
        #"{"a":1,"b":1.5,"c":"x","d":[true,null],"e":{}}"#, #"  {"z":1,  "a":2}  "#,
        #""tab\tquote\"slash\/u\u00e9\ud83d\ude00""#, "-0.5e2", "12345678901234", "3", "3.0",
        "9223372036854775807", "-9223372036854775808", "9223372036854775808", "-0", "123456789012345678901234", "1e2",
        "", "{", "[1,]", "{\"a\" 1}", "tru", "\"unterminated", "01", "1 2", "{\"a\":1,}", "\u{1}",
        #""\ud800""#, #""\ud800\u0041""#, #"{"a":1,"a":{"b":2}}"#,
    ])
    func valuesAgreeWithTheParser(text: String) {
        let (viaTree, direct) = Self.both(JSONValue.self, text)
        #expect(viaTree == direct)
        struct Holder: Decodable, Equatable { var value: JSONValue }
        let (heldViaTree, heldDirect) = Self.both(Holder.self, #"{"value":"# + text + "}")
        #expect(heldViaTree == heldDirect)
    }

    @Test func invalidUTF8AndDepthAreRefusedAsByTheParser() {
        let invalid: [UInt8] = [0x7B, 0x22, 0x6E, 0x22, 0x3A, 0x22, 0xC3, 0x28, 0x22, 0x7D]
        #expect(throws: JSONParser.Failure(message: "invalid UTF-8 in string", offset: 6)) {
            try JSONValueDecoder().decode(Sample.self, fromJSON: invalid)
        }
        let deep = Array((String(repeating: "[", count: 201) + String(repeating: "]", count: 201)).utf8)
        #expect(throws: JSONParser.Failure.self) { try JSONValueDecoder().decode([JSONValue].self, fromJSON: deep) }
        let allowed = Array((String(repeating: "[", count: 200) + String(repeating: "]", count: 200)).utf8)
        #expect(throws: Never.self) { try JSONValueDecoder().decode([JSONValue].self, fromJSON: allowed) }
    }

    @Test func duplicateKeysKeepTheLastValueInSmallAndLargeObjects() throws {
        let small = try JSONValueDecoder().decode([String: Int].self, fromJSON: Array(#"{"a":1,"b":2,"a":3}"#.utf8))
        #expect(small == ["a": 3, "b": 2])
        let members = (0..<30).map { #""k\#($0)":\#($0)"# }.joined(separator: ",")
        let large = try JSONValueDecoder().decode([String: Int].self, fromJSON: Array(("{" + members + #","k3":99}"#).utf8))
        #expect(large.count == 30)
        #expect(large["k3"] == 99)
        let sample = try JSONValueDecoder().decode(Sample.self, fromJSON: Array(#"{"name":"x","name":"y"}"#.utf8))
        #expect(sample.name == "y")
    }

    @Test func errorsNameTheFieldPath() {
        let text = #"{"name":"a","children":[{"name":"b"},{"name":"c","labels":{"app.kubernetes.io/name":true}}]}"#
        #expect(throws: YAMLError.decoding(nil, path: "children[1].labels[app.kubernetes.io/name]", message: "expected a string, found a boolean")) {
            try JSONValueDecoder().decode(Sample.self, fromJSON: Array(text.utf8))
        }
    }

    /// A type that records where it was decoded from: the tape decoder derives `codingPath` from
    /// the document instead of carrying it, and must give the same path as the tree.
    struct Located: Decodable, Equatable {
        var path: String
        var keyedPath: String
        var superPath: String
        init(from decoder: any Decoder) throws {
            path = decoder.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: "/")
            let container = try decoder.container(keyedBy: MemberKey.self)
            keyedPath = container.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: "/")
            superPath = try container.superDecoder(forKey: MemberKey(stringValue: "absent"))
                .codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: "/")
        }
    }

    struct MemberKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    @Test func codingPathsReadOnTheNormalPathAgreeWithTheTree() {
        let text = #"{"a":[{"x":1},{"b":{"c":[[],[{},{"deep":true}]]}}],"b\u0020c":{"d":{}}}"#
        struct Shape: Decodable, Equatable {
            var a: [Inner]
            var spaced: [String: Located]
            enum CodingKeys: String, CodingKey { case a, spaced = "b c" }
        }
        struct Inner: Decodable, Equatable {
            var x: Located?
            var b: [String: [[Located]]]?
        }
        let (viaTree, direct) = Self.both(Shape.self, text)
        #expect(viaTree == direct)
        guard case .success(let shape) = direct else { return }
        #expect(shape.a[1].b?["c"]?[1][1].path == "a/[1]/b/c/[1]/[1]")
        #expect(shape.spaced["d"]?.keyedPath == "b c/d")
        #expect(shape.spaced["d"]?.superPath == "b c/d/absent")
    }

    /// The scanner reads strings eight bytes at a time: the byte that ends that (a quote, an
    /// escape, a control character, non-ASCII) must be found wherever it falls in a word.
    @Test(arguments: 0..<20)
    func stringsAreReadRightWhereverTheirSpecialByteFalls(position: Int) throws {
        let prefix = String(repeating: "a", count: position)
        #expect(try JSONParser.parse(Array("\"\(prefix)\"".utf8)) == .string(prefix))
        #expect(try JSONParser.parse(Array("[\"\(prefix)\\n\(prefix)\"]".utf8)) == .array([.string(prefix + "\n" + prefix)]))
        #expect(try JSONParser.parse(Array("\"\(prefix)\u{e9}\(prefix)\"".utf8)) == .string(prefix + "\u{e9}" + prefix))
        #expect(throws: JSONParser.Failure(message: "invalid character in string literal", offset: 1 + position)) {
            try JSONParser.parse(Array("\"\(prefix)\u{1}\(prefix)\"".utf8))
        }
        #expect(throws: JSONParser.Failure(message: "invalid UTF-8 in string", offset: 1)) {
            try JSONParser.parse([0x22] + Array(prefix.utf8) + [0xC3, 0x28] + Array(prefix.utf8) + [0x22])
        }
        #expect(throws: JSONParser.Failure.self) { try JSONParser.parse(Array("\"\(prefix)".utf8)) }
        #expect(throws: JSONParser.Failure(message: "invalid UTF-8 in string", offset: 1)) {
            try JSONParser.parse([0x22] + Array(prefix.utf8) + [0xC3, 0x22] + Array("         ".utf8))
        }
        // Non-ASCII just before the quote, and the bytes next to the special ones (space, `!`, `#`, `[`, `]`, DEL).
        for tail in ["\u{e9}", "\u{65e5}\u{672c}", " !#[]\u{7f}", "\u{1F600}x"] {
            #expect(try JSONParser.parse(Array("\"\(prefix)\(tail)\"".utf8)) == .string(prefix + tail))
            let tape = try JSONValueDecoder().decode([String].self, fromJSON: Array("[\"\(prefix)\(tail)\",\"\(tail)\(prefix)\"]".utf8))
            #expect(tape == [prefix + tail, tail + prefix])
        }
        let map = try JSONValueDecoder().decode([String: String].self, fromJSON: Array("{\"\(prefix)k\":\"\(prefix)v\"}".utf8))
        #expect(map == [prefix + "k": prefix + "v"])
    }
}
