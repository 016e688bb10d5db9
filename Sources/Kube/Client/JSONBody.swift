import Foundation
import YAML

/// Decodes JSON bodies (responses, watch lines, `Status` errors) into typed values.
///
/// Bytes are decoded by `JSONValueDecoder.decode(_:fromJSON:)`: the YAML module's `JSONParser`
/// scans them into a flat tape and typed values are read straight from it, with no `JSONValue`
/// tree in between (see BENCHMARKS.md, "Kube client"). As strict as the API server (no
/// string/number coercion, integers must fit). Errors are `JSONParser.Failure` (byte offset) or
/// `YAMLError.decoding` (field path such as `items[3].metadata.name`); errors a type's own
/// `init(from:)` throws pass through unchanged.
enum JSONBody {
    /// Decodes `type` from the UTF-8 JSON in `bytes`.
    static func decode<T: Decodable>(_ type: T.Type, from bytes: some Collection<UInt8>) throws -> T {
        try JSONValueDecoder().decode(type, fromJSON: bytes)
    }
}

/// A type whose `Encodable` conformance writes only strings, integers, booleans, objects and
/// arrays (its times as RFC 3339 strings; no `Date`, `Data` or floating point), so that
/// `JSONValueEncoder` and `JSONWriter` write the JSON Foundation's `JSONEncoder` would, in a
/// fraction of the time: an Event's body through `JSONEncoder` took 2.3% of the controller's CPU
/// on the way to every grant's status (BENCHMARKS.md, "Controller", eighth round).
public protocol PlainJSONEncodable: Encodable {}
