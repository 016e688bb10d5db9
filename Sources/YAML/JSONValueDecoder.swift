/// Decodes `Decodable` values from a `JSONValue` (a JSON request body, or YAML already converted).
///
/// Decoding is strict the way the Kubernetes API server is: no string/number coercion, integers
/// must fit the target type, and a float only decodes into an integer type when it is integral.
/// Errors are `YAMLError.decoding(nil, path:message:)` with the field path in Kubernetes notation;
/// `YAMLDecoder` adds the source position. A `JSONValue` field receives the value unchanged.
public struct JSONValueDecoder: Sendable {
    /// Creates a decoder.
    public init() {}

    /// Decodes `type` from `value`.
    /// - Throws: `YAMLError.decoding` with the path of the offending field; errors thrown by the
    ///   type's own `init(from:)` that are not `DecodingError` pass through unchanged.
    public func decode<T: Decodable>(_ type: T.Type, from value: JSONValue) throws -> T {
        do {
            return try ValueDecoder(value: value, path: nil).decode(type)
        } catch let error as DecodingError {
            let failure = DecodingFailure(error)
            throw YAMLError.decoding(nil, path: failure.path.renderedPath, message: failure.message)
        }
    }
}

/// A `DecodingError` reduced to the path of the offending node, the path to show and a message.
struct DecodingFailure {
    /// Where the offending node is (for a missing key: the enclosing mapping).
    var nodePath: [any CodingKey]
    /// The path shown to the user (for a missing key: including the key).
    var path: [any CodingKey]
    var message: String

    init(_ error: DecodingError) {
        switch error {
        case .keyNotFound(let key, let context):
            nodePath = context.codingPath
            path = context.codingPath + [key]
            message = "required key is missing"
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            nodePath = context.codingPath
            path = context.codingPath
            message = context.debugDescription
        @unknown default:
            nodePath = []
            path = []
            message = "\(error)"
        }
    }
}

extension Array where Element == any CodingKey {
    /// `spec.rules[0].ports[1]`, with keys that are not plain words in brackets:
    /// `metadata.labels[app.kubernetes.io/name]`.
    var renderedPath: String {
        var text = ""
        for key in self {
            if key is IndexKey, let index = key.intValue {
                text += "[\(index)]"
            } else if key.stringValue.utf8.allSatisfy({ $0 == 0x5F || $0 == 0x2D || ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) }) && !key.stringValue.isEmpty {
                text += text.isEmpty ? key.stringValue : "." + key.stringValue
            } else {
                text += "[\(key.stringValue)]"
            }
        }
        return text
    }
}

/// The key of an element of an unkeyed container.
struct IndexKey: CodingKey {
    var intValue: Int?
    var stringValue: String { "Index \(intValue ?? 0)" }
    init(_ index: Int) { intValue = index }
    init?(stringValue: String) { return nil }
    init?(intValue: Int) { self.intValue = intValue }
}

/// The key of a member of a keyed container.
struct MemberKey: CodingKey {
    var stringValue: String
    var intValue: Int?
    init(_ string: String) {
        stringValue = string
        intValue = Int(string)
    }
    init?(stringValue: String) { self.init(stringValue) }
    init?(intValue: Int) {
        stringValue = String(intValue)
        self.intValue = intValue
    }
}

extension JSONValue {
    /// The noun for this kind of value in error messages.
    var kindName: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .int: return "an integer"
        case .double: return "a number"
        case .string: return "a string"
        case .array: return "a list"
        case .object: return "a mapping"
        }
    }
}

/// Where a value sits in the document, as a chain to the root: a child decoder links one node to
/// its parent instead of copying the whole `[any CodingKey]` path (an allocation and a copy of
/// every key per field, the biggest cost of decoding a large list). `codingPath` is built only
/// when asked for, which on the normal path is never (errors and custom `init(from:)` code ask).
final class CodingPathNode {
    let key: any CodingKey
    let parent: CodingPathNode?

    init(_ key: any CodingKey, parent: CodingPathNode?) {
        self.key = key
        self.parent = parent
    }

    /// The chain of `keys` (root first); nil for the root.
    static func chain(_ keys: [any CodingKey]) -> CodingPathNode? {
        keys.reduce(nil) { parent, key in CodingPathNode(key, parent: parent) }
    }

    static func path(_ node: CodingPathNode?) -> [any CodingKey] {
        var keys: [any CodingKey] = []
        var current = node
        while let node = current {
            keys.append(node.key)
            current = node.parent
        }
        return keys.reversed()
    }
}

/// The scalar checks shared by the single-value decoder and the keyed/unkeyed fast paths: each
/// returns the value or nil, and the caller builds the error (with its path) only on failure.
extension JSONValue {
    @inline(__always) var exactString: String? {
        if case .string(let text) = self { return text }
        return nil
    }
    @inline(__always) var exactBool: Bool? {
        if case .bool(let flag) = self { return flag }
        return nil
    }
    @inline(__always) var isNull: Bool {
        if case .null = self { return true }
        return false
    }
}

struct ValueDecoder: Decoder {
    let value: JSONValue
    let path: CodingPathNode?
    var codingPath: [any CodingKey] { CodingPathNode.path(path) }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    init(value: JSONValue, path: CodingPathNode?) {
        self.value = value
        self.path = path
    }

    static func mismatch(_ value: JSONValue, _ expected: String, _ type: Any.Type, _ path: CodingPathNode?) -> DecodingError {
        let codingPath = CodingPathNode.path(path)
        if case .null = value {
            return .valueNotFound(type, .init(codingPath: codingPath, debugDescription: "expected \(expected), found null"))
        }
        return .typeMismatch(type, .init(codingPath: codingPath, debugDescription: "expected \(expected), found \(value.kindName)"))
    }

    func mismatch(_ expected: String, _ type: Any.Type) -> DecodingError { Self.mismatch(value, expected, type, path) }

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        if T.self == JSONValue.self, let value = value as? T { return value }
        return try T(from: self)
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .object(let members) = value else { throw mismatch("a mapping", [String: JSONValue].self) }
        return KeyedDecodingContainer(KeyedContainer<Key>(members: members, path: path))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard case .array(let elements) = value else { throw mismatch("a list", [JSONValue].self) }
        return UnkeyedContainer(elements: elements, path: path)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { self }
}

extension ValueDecoder: SingleValueDecodingContainer, IntegerValueDecoding {
    func decodeNil() -> Bool { value.isNull }

    func decode(_ type: Bool.Type) throws -> Bool {
        guard let flag = value.exactBool else { throw mismatch("a boolean", type) }
        return flag
    }

    func decode(_ type: String.Type) throws -> String {
        guard let text = value.exactString else { throw mismatch("a string", type) }
        return text
    }

    func decode(_ type: Double.Type) throws -> Double {
        switch value {
        case .double(let number): return number
        case .int(let number): return Double(number)
        default: throw mismatch("a number", type)
        }
    }

    func decode(_ type: Float.Type) throws -> Float { Float(try decode(Double.self)) }

    func integer<I: FixedWidthInteger>(_ type: I.Type) throws -> I { try Self.integer(value, type, path) }

    static func integer<I: FixedWidthInteger>(_ value: JSONValue, _ type: I.Type, _ path: CodingPathNode?) throws -> I {
        let wide: Int64
        switch value {
        case .int(let number):
            wide = number
        case .double(let number) where number.rounded(.towardZero) == number && abs(number) < 9.2e18:
            wide = Int64(number)
        case .double:
            throw DecodingError.typeMismatch(
                type,
                .init(
                    codingPath: CodingPathNode.path(path),
                    debugDescription: "expected an integer, found a number with a fraction or beyond 64 bits"))
        default:
            throw mismatch(value, "an integer", type, path)
        }
        guard let exact = I(exactly: wide) else {
            throw DecodingError.dataCorrupted(
                .init(
                    codingPath: CodingPathNode.path(path),
                    debugDescription: "the integer \(wide) is outside the range \(I.min)...\(I.max) of \(I.self)"))
        }
        return exact
    }

}
