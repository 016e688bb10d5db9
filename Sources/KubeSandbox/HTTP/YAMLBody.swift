import YAML

/// YAML request bodies (`application/yaml`, `application/apply-patch+yaml`) and `--crds` files,
/// read with the YAML module's Kubernetes scalar rules (what kubectl makes of the same text).
enum YAMLBody {
    /// Refusal of a body that is not exactly one YAML document.
    struct NotOneDocument: Error, CustomStringConvertible {
        var count: Int
        var description: String { "expected one YAML document in the request body but found \(count)" }
    }

    /// The single document of `bytes`.
    static func parse(_ bytes: [UInt8]) throws -> JSONValue {
        let documents = try parseDocuments(bytes, file: "request body")
        guard documents.count == 1 else { throw NotOneDocument(count: documents.count) }
        return documents[0]
    }

    /// Every document of a multi-document stream (empty documents skipped).
    static func parseDocuments(_ bytes: [UInt8], file: String) throws -> [JSONValue] {
        try YAMLParser().parseJSONDocuments(bytes, file: file).filter { $0 != .null }
    }
}
