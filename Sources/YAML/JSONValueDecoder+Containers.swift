/// The keyed container of `JSONValueDecoder`.
///
/// Scalars (`String`, `Bool`, integers, `Double`) are read straight from the member, without a
/// child decoder or a path node; nested values get a child decoder linked to this one. Every
/// failure builds the same `DecodingError` (same path, same message) the generic path would.
struct KeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let members: [String: JSONValue]
    let path: CodingPathNode?

    var codingPath: [any CodingKey] { CodingPathNode.path(path) }

    var allKeys: [Key] { members.keys.compactMap { Key(stringValue: $0) } }

    func contains(_ key: Key) -> Bool { members[key.stringValue] != nil }

    private func missing(_ key: Key) -> DecodingError {
        DecodingError.keyNotFound(key, .init(codingPath: codingPath, debugDescription: "required key is missing"))
    }

    private func node(_ key: Key) -> CodingPathNode { CodingPathNode(key, parent: path) }

    func child(_ key: Key) throws -> ValueDecoder {
        guard let value = members[key.stringValue] else { throw missing(key) }
        return ValueDecoder(value: value, path: node(key))
    }

    func decodeNil(forKey key: Key) throws -> Bool { members[key.stringValue]?.isNull ?? true }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        // `[String: String]` (labels, annotations) decodes each entry through this generic entry
        // point; a string member needs no child decoder.
        if T.self == String.self, let member = members[key.stringValue], let text = member.exactString as? T {
            return text
        }
        return try child(key).decode(type)
    }

    func decode(_ type: String.Type, forKey key: Key) throws -> String {
        guard let value = members[key.stringValue] else { throw missing(key) }
        guard let text = value.exactString else { throw ValueDecoder.mismatch(value, "a string", type, node(key)) }
        return text
    }

    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool {
        guard let value = members[key.stringValue] else { throw missing(key) }
        guard let flag = value.exactBool else { throw ValueDecoder.mismatch(value, "a boolean", type, node(key)) }
        return flag
    }

    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try integer(type, key) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try integer(type, key) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try integer(type, key) }

    private func integer<I: FixedWidthInteger>(_ type: I.Type, _ key: Key) throws -> I {
        guard let value = members[key.stringValue] else { throw missing(key) }
        if case .int(let number) = value, let exact = I(exactly: number) { return exact }
        return try ValueDecoder.integer(value, type, node(key))
    }

    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        guard let value = members[key.stringValue], !value.isNull else { return nil }
        return try ValueDecoder(value: value, path: node(key)).decode(type)
    }

    func decodeIfPresent(_ type: String.Type, forKey key: Key) throws -> String? {
        guard let value = members[key.stringValue], !value.isNull else { return nil }
        guard let text = value.exactString else { throw ValueDecoder.mismatch(value, "a string", type, node(key)) }
        return text
    }

    func decodeIfPresent(_ type: Bool.Type, forKey key: Key) throws -> Bool? {
        guard let value = members[key.stringValue], !value.isNull else { return nil }
        guard let flag = value.exactBool else { throw ValueDecoder.mismatch(value, "a boolean", type, node(key)) }
        return flag
    }

    func decodeIfPresent(_ type: Int.Type, forKey key: Key) throws -> Int? { try integerIfPresent(type, key) }
    func decodeIfPresent(_ type: Int64.Type, forKey key: Key) throws -> Int64? { try integerIfPresent(type, key) }
    func decodeIfPresent(_ type: Int32.Type, forKey key: Key) throws -> Int32? { try integerIfPresent(type, key) }

    private func integerIfPresent<I: FixedWidthInteger>(_ type: I.Type, _ key: Key) throws -> I? {
        guard let value = members[key.stringValue], !value.isNull else { return nil }
        if case .int(let number) = value, let exact = I(exactly: number) { return exact }
        return try ValueDecoder.integer(value, type, node(key))
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws
        -> KeyedDecodingContainer<NestedKey>
    {
        try child(key).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try child(key).unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder {
        ValueDecoder(value: .object(members), path: path)
    }

    func superDecoder(forKey key: Key) throws -> any Decoder {
        ValueDecoder(value: members[key.stringValue] ?? .null, path: node(key))
    }
}

/// The unkeyed container of `JSONValueDecoder`; strings are read without a child decoder.
struct UnkeyedContainer: UnkeyedDecodingContainer {
    let elements: [JSONValue]
    let path: CodingPathNode?
    var currentIndex = 0

    init(elements: [JSONValue], path: CodingPathNode?) {
        self.elements = elements
        self.path = path
    }

    var codingPath: [any CodingKey] { CodingPathNode.path(path) }
    var count: Int? { elements.count }
    var isAtEnd: Bool { currentIndex >= elements.count }

    mutating func next() throws -> ValueDecoder {
        let node = CodingPathNode(IndexKey(currentIndex), parent: path)
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(
                JSONValue.self, .init(codingPath: CodingPathNode.path(node), debugDescription: "the list has too few elements"))
        }
        defer { currentIndex += 1 }
        return ValueDecoder(value: elements[currentIndex], path: node)
    }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd, elements[currentIndex].isNull else { return false }
        currentIndex += 1
        return true
    }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { try next().decode(type) }

    mutating func decode(_ type: String.Type) throws -> String {
        if !isAtEnd, let text = elements[currentIndex].exactString {
            currentIndex += 1
            return text
        }
        return try next().decode(type)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        try next().container(keyedBy: type)
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer { try next().unkeyedContainer() }

    mutating func superDecoder() throws -> any Decoder { try next() }
}
