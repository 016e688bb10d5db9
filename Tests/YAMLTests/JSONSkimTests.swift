import Foundation
import Testing
import YAML

/// `JSONSkim` reads a few string members by path without parsing the rest of the text.
@Suite struct JSONSkimTests {
    static let names = JSONSkim(paths: [["type"], ["object", "metadata", "namespace"], ["object", "metadata", "name"],
                                        ["object", "metadata", "resourceVersion"]])

    @Test func readsTheStringsOfItsPathsInAnyOrderOfMembers() {
        let lines = [
            #"{"type":"MODIFIED","object":{"metadata":{"name":"a","namespace":"ns","resourceVersion":"12"}}}"#,
            #"{"object":{"spec":{"x":[1,{"name":"not this"}]},"metadata":{"resourceVersion":"12","namespace":"ns","name":"a"}},"type":"MODIFIED"}"#,
            " {\n \"type\" : \"MODIFIED\" ,\t\"object\" : { \"metadata\" : { \"namespace\" : \"ns\" , \"name\" : \"a\" , \"resourceVersion\" : \"12\" } } } ",
        ]
        for line in lines {
            #expect(Self.names.strings(in: Array(line.utf8)) == ["MODIFIED", "ns", "a", "12"], "\(line)")
        }
    }

    @Test func aPathAbsentOrNotAStringIsNil() {
        let line = #"{"type":"ADDED","object":{"metadata":{"name":7,"namespace":null,"labels":{"resourceVersion":"9"}},"x":{}}}"#
        #expect(Self.names.strings(in: Array(line.utf8)) == ["ADDED", nil, nil, nil])
        #expect(Self.names.strings(in: Array(#"{}"#.utf8)) == [nil, nil, nil, nil])
        #expect(Self.names.strings(in: Array(#"{"object":"text","type":["MODIFIED"]}"#.utf8)) == [nil, nil, nil, nil])
        #expect(JSONSkim(paths: [[], ["a"], []]).strings(in: Array(#"{"a":"x","":"y"}"#.utf8)) == [nil, "x", nil])
    }

    @Test func valuesWithEscapesAreDecodedAndSkippedValuesMayHoldAnyBytes() {
        let line = #"{"object":{"spec":{"a":"}]\"{[\\","b":"caf\u00e9 ✓","c":[true,false,null,-1.5e3,"\""]},"metadata":{"name":"caf\u00e9 \"q\"\n","namespace":"ünï","resourceVersion":"1"}},"type":"MOD\u0049FIED"}"#
        #expect(Self.names.strings(in: Array(line.utf8)) == ["MODIFIED", "ünï", "café \"q\"\n", "1"])
    }

    /// The skim stops once every path is read: what follows is never looked at.
    @Test func whatFollowsTheLastPathReadIsNotRead() {
        let line = #"{"type":"MODIFIED","object":{"metadata":{"namespace":"ns","name":"a","resourceVersion":"12"},"spec":{ not json"#
        #expect(Self.names.strings(in: Array(line.utf8)) == ["MODIFIED", "ns", "a", "12"])
    }

    @Test func whatItCannotReadIsNil() {
        let unreadable = [
            "", "[]", "\"text\"", "not json", #"{"type":"MODIFIED""#, #"{"type" "MODIFIED"}"#, #"{"type":"MODIFIED" "object":{}}"#,
            #"{"ty\u0070e":"MODIFIED"}"#, #"{"type":"unterminated}"#, #"{"object":{"spec":{"a":[1,2}"#,
            "{\"type\":\"raw\ncontrol\"}", #"{"type":"\uZZZZ"}"#, #"{"type":}"#,
        ]
        for text in unreadable {
            #expect(Self.names.strings(in: Array(text.utf8)) == nil, "\(text)")
        }
    }

    /// Random objects, compact and pretty-printed, against the full parser's tree.
    @Test func agreesWithTheParserOnRandomObjects() throws {
        var random = SeededRandom(seed: 19)
        let keys = ["a", "b", "name", "metadata", "status", "phase", "x y", "ü", "f:spec"]
        func value(_ depth: Int) -> JSONValue {
            switch Int.random(in: 0..<(depth > 3 ? 5 : 7), using: &random) {
            case 0: return .null
            case 1: return .bool(Bool.random(using: &random))
            case 2: return .int(Int64.random(in: -1_000...1_000, using: &random))
            case 3, 4:
                let pieces = ["v", "}", "]", "{", "\\", "\"", "\n", "é", "✓", " ", ":", ","]
                return .string((0..<Int.random(in: 0...6, using: &random)).map { _ in pieces.randomElement(using: &random) ?? "" }.joined())
            case 5: return .array((0..<Int.random(in: 0...3, using: &random)).map { _ in value(depth + 1) })
            default:
                var members: [String: JSONValue] = [:]
                for _ in 0..<Int.random(in: 0...5, using: &random) {
                    members[keys.randomElement(using: &random) ?? "a"] = value(depth + 1)
                }
                return .object(members)
            }
        }
        for _ in 0..<150 {
            let object = JSONValue.object(["metadata": value(1), "status": value(1), "a": value(2)])
            let paths = (0..<Int.random(in: 1...4, using: &random)).map { _ in
                (0..<Int.random(in: 1...3, using: &random)).map { _ in keys.randomElement(using: &random) ?? "a" }
            }
            let expected = paths.map { path -> String? in
                var node: JSONValue? = object
                for key in path { node = node?.objectValue?[key] }
                return node?.stringValue
            }
            let compact = JSONWriter.encode(object)
            let spaced = Self.spaced(compact)
            let skim = JSONSkim(paths: paths)
            #expect(skim.strings(in: compact) == expected, "\(paths) in \(String(decoding: compact, as: UTF8.self))")
            #expect(skim.strings(in: spaced) == expected, "\(paths) in \(String(decoding: spaced, as: UTF8.self))")
        }
    }
}

extension JSONSkimTests {
    /// `json` with blanks around every bracket, colon and comma outside strings.
    static func spaced(_ json: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [UInt8(ascii: " ")]
        var inString = false
        var escaped = false
        for byte in json {
            if inString {
                out.append(byte)
                if escaped { escaped = false } else if byte == UInt8(ascii: "\\") { escaped = true } else if byte == UInt8(ascii: "\"") { inString = false }
                continue
            }
            if byte == UInt8(ascii: "\"") {
                inString = true
                out.append(byte)
            } else if Array("{}[]:,".utf8).contains(byte) {
                out += [UInt8(ascii: "\n"), byte, UInt8(ascii: "\t")]
            } else {
                out.append(byte)
            }
        }
        return out + [UInt8(ascii: " ")]
    }
}

/// A small deterministic generator (SplitMix64), so a failure repeats.
private struct SeededRandom: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE5_E9B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
