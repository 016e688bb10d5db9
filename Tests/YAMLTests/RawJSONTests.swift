import Foundation
import Testing
import YAML

/// `RawJSON` keeps a value as its text: cut from the document by the tape decoder, canonical
/// from every other decoder, compared and hashed as the value it spells.
@Suite struct RawJSONTests {
    struct Holder: Codable, Equatable {
        var name: String?
        var raw: RawJSON
    }

    /// Every kind of value, with whitespace inside and before the closing brackets, at the end of
    /// an object (where the tape has to find the closing bracket after the last member).
    @Test(arguments: [
        #"{"f:metadata":{"f:labels":{".":{},"f:app":{}}},"f:spec":{"f:size":{}}}"#,
        #"[1, 2 , -30 ,"x\"y", true,false ,null, {"a" : [ ] } ,{}, 2.5e-3 ]"#,
        #"{"deep":{"deeper":{"deepest":[[true]]}}  }"#,
        "true", "false", "null", "-12", "0", "1.5", #""\u00e9 caf\u00e9""#, "{}", "[]", "{ }",
    ])
    func theTapeDecoderKeepsTheTextAsSpelled(text: String) throws {
        for document in [#"{"raw":"# + text + "}", #"{"raw":"# + text + #" ,"name":"n"}"#, #"{"name":"n","raw":"# + text + "  }"] {
            let holder = try JSONValueDecoder().decode(Holder.self, fromJSON: Array(document.utf8))
            #expect(holder.raw.text == text)
            #expect(holder.raw.value == (try JSONParser.parse(Array(text.utf8))))
        }
    }

    @Test func otherDecodersKeepTheCanonicalTextAndEqualityIsOfTheValue() throws {
        let spaced = #"{"b": [1, 2], "a": {"x": true}}"#
        let document = #"{"raw":"# + spaced + "}"
        let viaTape = try JSONValueDecoder().decode(Holder.self, fromJSON: Array(document.utf8))
        let viaTree = try JSONValueDecoder().decode(Holder.self, from: try JSONParser.parse(Array(document.utf8)))
        let viaFoundation = try JSONDecoder().decode(Holder.self, from: Data(document.utf8))
        #expect(viaTape.raw.text == spaced)
        #expect(viaTree.raw.text == #"{"a":{"x":true},"b":[1,2]}"#)
        #expect(viaFoundation.raw.text == viaTree.raw.text)
        #expect(viaTape == viaTree)
        #expect(Set([viaTape.raw, viaTree.raw, viaFoundation.raw]).count == 1)
        #expect(viaTape.raw != RawJSON(.object(["a": .object(["x": .bool(false)]), "b": .array([.int(1), .int(2)])])))
        // The same number spelled two ways is one value (its canonical text is the same).
        #expect(try RawJSON(text: "[2.5e1]") == RawJSON(text: "[25]"))
        #expect(try RawJSON(text: "[2.5e1]").hashValue == RawJSON(text: "[25]").hashValue)
    }

    @Test func encodingWritesTheValueNotAString() throws {
        let holder = Holder(name: nil, raw: try RawJSON(text: #"{ "k" : [1] }"#))
        let encoded = try JSONValueEncoder().encode(holder)
        #expect(encoded == .object(["raw": .object(["k": .array([.int(1)])])]))
        let text = String(decoding: try JSONEncoder().encode(holder), as: UTF8.self)
        #expect(text == #"{"raw":{"k":[1]}}"#)
    }

    @Test func textThatIsNotJSONIsRefusedWithItsOffset() {
        #expect(throws: JSONParser.Failure(message: "after object key", offset: 5)) { try RawJSON(text: #"{"a" 1}"#) }
        #expect(throws: JSONParser.Failure.self) { try RawJSON(text: "") }
    }

    /// A document of more entries than the tape reserves up front (one per 8 bytes) grows it.
    @Test func aDocumentDenserThanTheReserveStillParses() throws {
        let text = "[" + Array(repeating: "0", count: 5_000).joined(separator: ",") + "]"
        let values = try JSONValueDecoder().decode([Int].self, fromJSON: Array(text.utf8))
        #expect(values.count == 5_000)
        let raw = try JSONValueDecoder().decode(RawJSON.self, fromJSON: Array(text.utf8))
        #expect(raw.text == text)
    }
}

/// The tape reads a body in place (no copy of a 9 MB LIST); a decoder that a type keeps past the
/// decode must still read the document as it was, whatever the caller does with its buffer.
@Suite struct BorrowedDocumentTests {
    final class Kept: Decodable {
        let decoder: any Decoder
        init(from decoder: any Decoder) throws { self.decoder = decoder }
    }

    struct Holder: Decodable {
        var kept: Kept
    }

    @Test func aDecoderKeptPastTheDecodeReadsItsOwnCopy() throws {
        var bytes = Array(#"{"kept":{"name":"before"}}"#.utf8)
        let holder = try JSONValueDecoder().decode(Holder.self, fromJSON: bytes)
        // Overwrite the caller's buffer in place: a tape still reading it would see "xxxxxx".
        for index in bytes.indices where bytes[index] == UInt8(ascii: "b") || bytes[index] == UInt8(ascii: "e") {
            bytes[index] = UInt8(ascii: "x")
        }
        struct Name: Decodable { var name: String }
        #expect(try Name(from: holder.kept.decoder).name == "before")
        #expect(bytes.contains(UInt8(ascii: "x")))
    }
}
