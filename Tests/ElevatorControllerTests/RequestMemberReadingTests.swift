import Elevation
import Foundation
import Testing
import YAML
import TestSupport

/// A request read member by member (`JSONMemberReadable`: the request, its spec and status and
/// every part of them) must be what its `Decodable` conformance reads through the tree decoder,
/// for random requests with any mix of fields set (the generators of `JSONTextEncodingTests`).
@Suite struct RequestMemberReadingTests {
    static func request(_ random: inout SeededRandom, number: Int) -> ElevationRequest {
        var metadata = ObjectMeta(name: "r\(number)", namespace: JSONTextEncodingTests.maybe(&random, JSONTextEncodingTests.randomText))
        metadata.uid = JSONTextEncodingTests.maybe(&random, JSONTextEncodingTests.randomText)
        metadata.generation = JSONTextEncodingTests.maybe(&random) { Int64.random(in: 0...9, using: &$0) }
        metadata.finalizers = JSONTextEncodingTests.maybe(&random) { [JSONTextEncodingTests.randomText(&$0)] }
        var request = ElevationRequest(
            metadata: metadata, spec: JSONTextEncodingTests.spec(&random),
            status: JSONTextEncodingTests.maybe(&random, JSONTextEncodingTests.status))
        if Bool.random(using: &random) { request.apiVersion = nil }
        if Bool.random(using: &random) { request.kind = nil }
        return request
    }

    @Test func randomRequestsReadAsCodableReadsThem() throws {
        var random = SeededRandom(seed: 13)
        for number in 0..<400 {
            let request = Self.request(&random, number: number)
            let text = JSONWriter.encode(try JSONValueEncoder().encode(request))
            let members = try JSONValueDecoder().decode(ElevationRequest.self, fromJSON: text)
            let coded = try JSONValueDecoder().decode(ElevationRequest.self, from: try JSONParser.parse(text))
            #expect(members == coded, "request \(number)")
            // As list items too, the way a LIST reads them (each through the unkeyed container).
            let list = Data("[".utf8) + text + Data(",".utf8) + text + Data("]".utf8)
            #expect(try JSONValueDecoder().decode([ElevationRequest].self, fromJSON: list) == [coded, coded], "request \(number) in a list")
        }
    }
}
