import Foundation
import Testing
@testable import YAML
import TestSupport

/// `JSONValueEncoder.encodeJSON` writes the text straight from the encoder's slots; it must be
/// byte for byte what `JSONWriter` writes for `encode`'s tree, and what Foundation's encoder
/// writes with sorted keys (an independent reference) where the two agree on number formatting.
@Suite struct JSONValueEncoderTests {
    struct Inner: Codable, Equatable {
        var name: String
        var count: Int?
        var flags: [Bool]
        var note: String?
    }

    struct Outer: Codable, Equatable {
        var id: String
        var inner: Inner
        var list: [Inner]
        var map: [String: Int]
        var nested: [[String]]
        var optionalInner: Inner?
        var raw: JSONValue?
        var big: Int64
    }

    /// Writes the same key twice, asks for a nested container on a key already written, and
    /// uses a super encoder: the last write to a key wins, as in the tree.
    struct Awkward: Encodable {
        enum Keys: String, CodingKey { case a, b, c, `super` }
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Keys.self)
            try container.encode("first", forKey: .a)
            try container.encode(["x": 1], forKey: .b)
            try container.encode(2, forKey: .a)
            var nested = container.nestedContainer(keyedBy: Keys.self, forKey: .c)
            try nested.encode(true, forKey: .b)
            var again = container.nestedContainer(keyedBy: Keys.self, forKey: .c)
            try again.encode("y", forKey: .a)
            try container.encode(Inner(name: "n", count: nil, flags: [], note: "é\"\n"), forKey: .b)
            try Inner(name: "s", count: 1, flags: [true], note: nil).encode(to: container.superEncoder())
            var list = container.nestedUnkeyedContainer(forKey: .super)
            try list.encode(Inner(name: "u", count: 3, flags: [], note: nil))
            try list.encodeNil()
            var inList = list.nestedContainer(keyedBy: Keys.self)
            try inList.encode(1.5, forKey: .a)
        }
    }

    /// Encodes nothing at all: an empty object, as in the tree.
    struct Silent: Encodable {
        func encode(to encoder: any Encoder) throws {}
    }

    /// A random `Outer`; with `asciiKeys`, its map's keys sort the same by UTF-8 bytes and as
    /// Strings (Foundation's order).
    static func sample(_ seed: Int, asciiKeys: Bool = false) -> Outer {
        var generator = SeededRandom(seed: UInt64(seed))
        func text(ascii: Bool = false) -> String {
            let pieces = ascii ? ["a", "Z", "/", "\"", "\\", "key", "0", "-"] : ["a", "Z", "é", "ü", "/", "\"", "\\", "\t", "\u{1}", "日本", "key", "💡", "0", "-"]
            return (0..<Int.random(in: 0...6, using: &generator)).map { _ in pieces.randomElement(using: &generator) ?? "" }.joined()
        }
        func inner() -> Inner {
            Inner(
                name: text(), count: Bool.random(using: &generator) ? Int.random(in: -1_000...1_000, using: &generator) : nil,
                flags: (0..<Int.random(in: 0...3, using: &generator)).map { _ in Bool.random(using: &generator) },
                note: Bool.random(using: &generator) ? text() : nil)
        }
        // Up to 40 keys, past the point where an object's members get an index.
        let map = Dictionary((0..<Int.random(in: 0...40, using: &generator)).map { (text(ascii: asciiKeys) + "\($0)", $0) }, uniquingKeysWith: { a, _ in a })
        return Outer(
            id: text(), inner: inner(), list: (0..<Int.random(in: 0...4, using: &generator)).map { _ in inner() }, map: map,
            nested: [[text(), text()], []], optionalInner: Bool.random(using: &generator) ? inner() : nil,
            raw: Bool.random(using: &generator) ? .object(["z": .int(1), "a": .array([.string(text()), .null, .bool(true)])]) : nil,
            big: Int64.random(in: Int64.min...Int64.max, using: &generator))
    }

    @Test func writesWhatTheWriterWritesForTheTree() throws {
        for seed in 0..<500 {
            let value = Self.sample(seed)
            let direct = try JSONValueEncoder().encodeJSON(value)
            #expect(direct == JSONWriter.encode(try JSONValueEncoder().encode(value)), "seed \(seed)")
        }
        #expect(try JSONValueEncoder().encodeJSON(Awkward()) == JSONWriter.encode(try JSONValueEncoder().encode(Awkward())))
        #expect(try JSONValueEncoder().encodeJSON(Silent()) == Array("{}".utf8))
        #expect(try JSONValueEncoder().encodeJSON(["b": Silent(), "a": Silent()]) == Array(#"{"a":{},"b":{}}"#.utf8))
    }

    @Test func writesWhatFoundationWritesWithSortedKeys() throws {
        let foundation = JSONEncoder()
        foundation.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        for seed in 0..<500 {
            var value = Self.sample(seed, asciiKeys: true)
            value.raw = nil
            let direct = try JSONValueEncoder().encodeJSON(value)
            #expect(direct == Array(try foundation.encode(value)), "seed \(seed)")
            #expect(try JSONDecoder().decode(Outer.self, from: Data(direct)) == value, "seed \(seed)")
        }
    }

    @Test func keepsTheLastWriteToAKey() throws {
        let text = String(decoding: try JSONValueEncoder().encodeJSON(Awkward()), as: UTF8.self)
        #expect(text == #"{"a":2,"b":{"flags":[],"name":"n","note":"é\"\n"},"c":{"a":"y","b":true},"super":[{"count":3,"flags":[],"name":"u"},null,{"a":1.5}]}"#)
    }

    @Test func refusesANonFiniteNumberWithItsPath() {
        struct Ratio: Encodable { var values: [Double] }
        struct Holder: Encodable { var ratio: Ratio }
        #expect(throws: YAMLError.encoding(path: "ratio.values[1]", message: "inf cannot be represented in JSON; use a finite number")) {
            try JSONValueEncoder().encodeJSON(Holder(ratio: Ratio(values: [1, .infinity])))
        }
    }
}
