import YAML

/// YAML request bodies (`application/yaml`, `application/apply-patch+yaml`) and `--crds` files.
///
/// Until the YAML module's parser lands on this branch only the JSON subset of YAML is read
/// (kubectl sends JSON even for `apply-patch+yaml`); other YAML is refused with 400.
enum YAMLBody {
    struct Unsupported: Error {}

    /// The single document of `bytes`.
    static func parse(_ bytes: [UInt8]) throws -> JSONValue {
        throw Unsupported()
    }

    /// Every document of a multi-document stream (empty documents skipped).
    static func parseDocuments(_ bytes: [UInt8], file: String) throws -> [JSONValue] {
        [try JSONParser.parse(bytes)]
    }
}
