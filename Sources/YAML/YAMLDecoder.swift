/// Decodes `Decodable` types from YAML with errors that point into the source.
///
/// The document is converted to JSON with Kubernetes' rules first (`YAMLNode.toJSON`), then
/// decoded strictly (`JSONValueDecoder`), so a value decodes exactly when the API server would
/// accept kubectl's JSON for it. Errors read `file:line:column: spec.rules[0].ports[1]: expected a
/// string, found an integer`; for a missing key the position is the mapping that lacks it.
public struct YAMLDecoder: Sendable {
    /// The safety bounds used for parsing and conversion.
    public var options: YAMLOptions

    /// Creates a decoder.
    public init(options: YAMLOptions = YAMLOptions()) {
        self.options = options
    }

    /// Decodes `type` from a parsed node.
    /// - Throws: `YAMLError` with the position of the offending node.
    public func decode<T: Decodable>(_ type: T.Type, from node: YAMLNode) throws -> T {
        let value = try node.toJSON(options: options)
        do {
            return try ValueDecoder(value: value, path: nil).decode(type)
        } catch let error as DecodingError {
            let failure = DecodingFailure(error)
            let located = Self.locate(failure.nodePath, from: node)
            throw YAMLError.decoding(located.mark, path: failure.path.renderedPath, message: failure.message)
        }
    }

    /// Decodes `type` from a stream holding exactly one document.
    public func decode<T: Decodable>(_ type: T.Type, from text: String, file: String = "<input>") throws -> T {
        try decode(type, from: YAMLParser(options: options).parseDocument(text, file: file))
    }

    /// Decodes every document of a stream as `type`.
    public func decodeDocuments<T: Decodable>(_ type: T.Type, from text: String, file: String = "<input>") throws -> [T] {
        var text = text
        var values: [T] = []
        try text.withUTF8 { bytes in
            try YAMLParser(options: options).forEachDocument(bytes: bytes, file: file) { values.append(try decode(type, from: $0)) }
        }
        return values
    }

    /// The deepest node along `path` (merge keys followed), for error positions.
    static func locate(_ path: [any CodingKey], from root: YAMLNode) -> YAMLNode {
        var node = root
        for key in path {
            if key is IndexKey, let index = key.intValue {
                guard let element = node[index] else { return node }
                node = element
            } else {
                guard let member = member(key.stringValue, of: node, depth: 0) else { return node }
                node = member
            }
        }
        return node
    }

    private static func member(_ key: String, of node: YAMLNode, depth: Int) -> YAMLNode? {
        guard node.kind == .mapping, depth < 64 else { return nil }
        var merges: [YAMLNode] = []
        for pair in node.pairs {
            if pair.key.kind == .scalar, pair.key.scalar == "<<", pair.key.scalarStyle == .plain {
                merges.append(contentsOf: pair.value.kind == .sequence ? pair.value.elements : [pair.value])
            } else if (try? pair.key.jsonKey()) == key {
                return pair.value
            }
        }
        for merge in merges {
            if let found = member(key, of: merge, depth: depth + 1) { return found }
        }
        return nil
    }
}
