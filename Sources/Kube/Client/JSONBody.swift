import Foundation
import YAML

/// Decodes JSON bodies (responses, watch lines, `Status` errors) into typed values.
///
/// Bytes go through the YAML module's `JSONParser` into a `JSONValue`, then through
/// `JSONValueDecoder`: several times faster than Foundation's `JSONDecoder` on Kubernetes
/// objects (a 10,000-object LIST decodes in a fraction of the time; see BENCHMARKS.md), and as
/// strict as the API server (no string/number coercion, integers must fit). Errors are
/// `JSONParser.Failure` (byte offset) or `YAMLError.decoding` (field path such as
/// `items[3].metadata.name`); errors a type's own `init(from:)` throws pass through unchanged.
enum JSONBody {
    /// Decodes `type` from the UTF-8 JSON in `bytes`.
    static func decode<T: Decodable>(_ type: T.Type, from bytes: some Collection<UInt8>) throws -> T {
        let value = try JSONParser.parse(bytes)
        if T.self == JSONValue.self, let value = value as? T { return value }
        return try JSONValueDecoder().decode(type, from: value)
    }
}
