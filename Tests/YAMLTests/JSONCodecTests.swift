import Foundation
import TestSupport
import Testing
import YAML

@Suite struct JSONCodecTests {
    @Test(arguments: [
        (#"{"a":1,"b":1.5,"c":"x","d":[true,null],"e":{}}"#, #"{"a":1,"b":1.5,"c":"x","d":[true,null],"e":{}}"#),
        (#"  {"z":1,  "a":2}  "#, #"{"a":2,"z":1}"#),
        (#""tab\tquote\"slash\/u\u00e9\ud83d\ude00""#, "\"tab\\tquote\\\"slash/u\u{e9}\u{1F600}\""),
        ("-0.5e2", "-50"),
        ("12345678901234", "12345678901234"),
        // Escapes first, last, back to back and alone; control characters as \u00XX.
        (#""\"\\x\u0001\n""#, #""\"\\x\u0001\n""#),
        (#""\t""#, #""\t""#),
        (#""""#, #""""#),
        // Keys in UTF-8 byte order, escaped like values.
        (#"{"é":1,"z":2,"a\n":3,"":4}"#, #"{"":4,"a\n":3,"z":2,"é":1}"#),
    ])
    func parsesAndWritesCanonicalJSON(input: String, expected: String) throws {
        let value = try JSONParser.parse(Array(input.utf8))
        #expect(String(decoding: JSONWriter.encode(value), as: UTF8.self) == expected)
    }

    @Test func keysSortByTheirUTF8BytesWhateverTheirScript() {
        // The order Go's encoding/json gives (and spec hashes depend on): byte order, prefixes first.
        let keys = ["", "a", "ab", "aB", "Z", "é", "e", "😀", "\u{7f}", "a\u{0}", "zzzzzzzzzzzzzzzzzzzzzz", "zzzzzzzzzzzzzzzzzzzzzy"]
        let object = JSONValue.object(Dictionary(uniqueKeysWithValues: keys.map { ($0, JSONValue.int(1)) }))
        let written = String(decoding: JSONWriter.encode(object), as: UTF8.self)
        let sorted = keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        let members = sorted.map { String(decoding: JSONWriter.encode(.string($0)), as: UTF8.self) + ":1" }
        #expect(written == "{" + members.joined(separator: ",") + "}")
    }

    /// Keys that share their first eight bytes, or differ only past them, or by a zero byte or a
    /// byte above 0x7F there, still sort by their bytes.
    @Test func keysSharingTheirFirstEightBytesSortByTheRest() {
        var random = SeededRandom(seed: 17)
        let alphabet: [String] = ["a", "b", "\u{0}", "\u{7f}", "é", "z"]
        for _ in 0..<200 {
            var keys: Set<String> = []
            for _ in 0..<Int.random(in: 1...30, using: &random) {
                let length = Int.random(in: 0...12, using: &random)
                keys.insert(String((0..<length).map { _ in alphabet.randomElement(using: &random) ?? "a" }.joined()))
            }
            let object = JSONValue.object(Dictionary(uniqueKeysWithValues: keys.map { ($0, JSONValue.int(1)) }))
            let sorted = keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            let members = sorted.map { String(decoding: JSONWriter.encode(.string($0)), as: UTF8.self) + ":1" }
            #expect(String(decoding: JSONWriter.encode(object), as: UTF8.self) == "{" + members.joined(separator: ",") + "}")
        }
    }

    /// A string is written with exactly the escapes a byte-by-byte writer makes, wherever they
    /// fall in the eight-byte words the writer scans.
    @Test func stringsAreEscapedWhereverTheSpecialBytesFall() throws {
        func reference(_ text: String) -> String {
            var out = "\""
            for scalar in text.unicodeScalars {
                switch scalar {
                case "\"": out += "\\\""
                case "\\": out += "\\\\"
                case "\n": out += "\\n"
                case "\r": out += "\\r"
                case "\t": out += "\\t"
                case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
                default: out.unicodeScalars.append(scalar)
                }
            }
            return out + "\""
        }
        for length in 0..<20 {
            for special in ["\"", "\\", "\n", "\u{1}", "\u{1f}", " ", "é", "\u{7f}"] {
                for position in 0...length {
                    let plain = String(repeating: "x", count: length)
                    let text = String(plain.prefix(position)) + special + String(plain.dropFirst(position)) + special
                    let written = String(decoding: JSONWriter.encode(.string(text)), as: UTF8.self)
                    #expect(written == reference(text))
                    #expect(try JSONParser.parse(Array(written.utf8)) == .string(text))
                }
            }
        }
    }

    @Test func integersAndFloatsStayApart() throws {
        #expect(try JSONParser.parse(Array("3".utf8)) == .int(3))
        #expect(try JSONParser.parse(Array("3.0".utf8)) == .double(3))
    }

    @Test(arguments: ["", "{", "[1,]", "{\"a\" 1}", "tru", "\"unterminated", "01", "1 2", "{\"a\":1,}", "\u{1}"])
    func rejectsMalformedJSON(input: String) {
        #expect(throws: JSONParser.Failure.self) { try JSONParser.parse(Array(input.utf8)) }
    }

    @Test func boundsNestingSoHostileBodiesCannotExhaustTheStack() {
        let deep = String(repeating: "[", count: 100_000)
        #expect(throws: JSONParser.Failure.self) { try JSONParser.parse(Array(deep.utf8)) }
    }
}

@Suite struct JSONParserNumberTests {
    @Test(arguments: [
        ("9223372036854775807", JSONValue.int(.max)),
        ("-9223372036854775808", JSONValue.int(.min)),
        ("9223372036854775808", JSONValue.double(9223372036854775808)),
        ("-0", JSONValue.int(0)),
        ("123456789012345678901234", JSONValue.double(123456789012345678901234)),
        ("1e2", JSONValue.double(100)),
    ])
    func integersThatFitInt64StayIntegers(text: String, expected: JSONValue) throws {
        #expect(try JSONParser.parse(Array(text.utf8)) == expected)
    }

    @Test func invalidUTF8InAStringIsRejected() {
        #expect(throws: JSONParser.Failure.self) { try JSONParser.parse([0x22, 0xC3, 0x28, 0x22]) }
    }
}
