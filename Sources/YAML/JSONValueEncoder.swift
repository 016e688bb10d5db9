/// Encodes `Encodable` values into a `JSONValue`, the inverse of `JSONValueDecoder`.
///
/// Optionals encoded with `encodeIfPresent` (what synthesized conformances do) are omitted, as
/// Kubernetes' `omitempty` fields are. Non-finite floats are refused, because JSON cannot hold them.
public struct JSONValueEncoder: Sendable {
    /// Creates an encoder.
    public init() {}

    /// Encodes `value`.
    /// - Throws: `YAMLError.encoding` with the field path of a value JSON cannot hold.
    public func encode<T: Encodable>(_ value: T) throws -> JSONValue {
        do {
            return try ValueEncoder.encode(value, codingPath: [])
        } catch let error as EncodingError {
            guard case .invalidValue(_, let context) = error else { throw error }
            throw YAMLError.encoding(path: context.codingPath.renderedPath, message: context.debugDescription)
        }
    }
}

/// What an encoder or container has written so far; classes so nested containers can keep
/// writing into their parent after they are handed out, as the `Encoder` protocol requires.
final class EncodedSlot {
    enum Content {
        case empty
        case value(JSONValue)
        case object([String: EncodedSlot])
        case array([EncodedSlot])
    }

    var content: Content = .empty

    var value: JSONValue {
        switch content {
        case .empty: return .object([:])
        case .value(let value): return value
        case .object(let members): return .object(members.mapValues(\.value))
        case .array(let elements): return .array(elements.map(\.value))
        }
    }
}

struct ValueEncoder: Encoder {
    let slot: EncodedSlot
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    static func encode<T: Encodable>(_ value: T, codingPath: [any CodingKey]) throws -> JSONValue {
        if let json = value as? JSONValue { return json }
        let slot = EncodedSlot()
        try value.encode(to: ValueEncoder(slot: slot, codingPath: codingPath))
        return slot.value
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        if case .object = slot.content {} else { slot.content = .object([:]) }
        return KeyedEncodingContainer(KeyedEncoder<Key>(slot: slot, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        if case .array = slot.content {} else { slot.content = .array([]) }
        return UnkeyedEncoder(slot: slot, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer { self }
}

extension ValueEncoder: SingleValueEncodingContainer {
    func encodeNil() { slot.content = .value(.null) }
    func encode(_ value: Bool) { slot.content = .value(.bool(value)) }
    func encode(_ value: String) { slot.content = .value(.string(value)) }
    func encode(_ value: Double) throws {
        guard value.isFinite else {
            throw EncodingError.invalidValue(
                value, .init(codingPath: codingPath, debugDescription: "\(value) cannot be represented in JSON; use a finite number"))
        }
        slot.content = .value(.double(value))
    }
    func encode(_ value: Float) throws { try encode(Double(value)) }
    func integer<I: FixedWidthInteger>(_ value: I) throws {
        guard let exact = Int64(exactly: value) else {
            throw EncodingError.invalidValue(
                value, .init(codingPath: codingPath, debugDescription: "the integer \(value) does not fit 64 signed bits, the JSON integer range of Kubernetes"))
        }
        slot.content = .value(.int(exact))
    }
    func encode(_ value: Int) throws { try integer(value) }
    func encode(_ value: Int8) throws { try integer(value) }
    func encode(_ value: Int16) throws { try integer(value) }
    func encode(_ value: Int32) throws { try integer(value) }
    func encode(_ value: Int64) throws { try integer(value) }
    func encode(_ value: UInt) throws { try integer(value) }
    func encode(_ value: UInt8) throws { try integer(value) }
    func encode(_ value: UInt16) throws { try integer(value) }
    func encode(_ value: UInt32) throws { try integer(value) }
    func encode(_ value: UInt64) throws { try integer(value) }
    func encode<T: Encodable>(_ value: T) throws {
        slot.content = .value(try Self.encode(value, codingPath: codingPath))
    }
}

struct KeyedEncoder<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let slot: EncodedSlot
    let codingPath: [any CodingKey]

    private func child(_ key: Key) -> EncodedSlot { child(named: key.stringValue) }

    private func child(named name: String) -> EncodedSlot {
        guard case .object(var members) = slot.content else { return EncodedSlot() }
        if let existing = members[name] { return existing }
        // Released first, so the members are added to in place rather than copied for each key.
        slot.content = .empty
        let child = EncodedSlot()
        members[name] = child
        slot.content = .object(members)
        return child
    }

    mutating func encodeNil(forKey key: Key) { child(key).content = .value(.null) }

    // The common scalars directly: through the generic `encode` each one paid a dynamic cast, a
    // slot and an existential container (statuses and Events are mostly strings).
    mutating func encode(_ value: String, forKey key: Key) { child(key).content = .value(.string(value)) }
    mutating func encode(_ value: Bool, forKey key: Key) { child(key).content = .value(.bool(value)) }
    mutating func encode(_ value: Int, forKey key: Key) { child(key).content = .value(.int(Int64(value))) }
    mutating func encode(_ value: Int64, forKey key: Key) { child(key).content = .value(.int(value)) }
    mutating func encode(_ value: Int32, forKey key: Key) { child(key).content = .value(.int(Int64(value))) }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        child(key).content = .value(try ValueEncoder.encode(value, codingPath: codingPath + [key]))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key)
        -> KeyedEncodingContainer<NestedKey>
    {
        ValueEncoder(slot: child(key), codingPath: codingPath + [key]).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        ValueEncoder(slot: child(key), codingPath: codingPath + [key]).unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder {
        ValueEncoder(slot: child(named: "super"), codingPath: codingPath + [MemberKey("super")])
    }

    mutating func superEncoder(forKey key: Key) -> any Encoder {
        ValueEncoder(slot: child(key), codingPath: codingPath + [key])
    }
}

struct UnkeyedEncoder: UnkeyedEncodingContainer {
    let slot: EncodedSlot
    let codingPath: [any CodingKey]

    var count: Int {
        guard case .array(let elements) = slot.content else { return 0 }
        return elements.count
    }

    private func append() -> EncodedSlot {
        guard case .array(var elements) = slot.content else { return EncodedSlot() }
        // Released first, so the elements are appended to in place rather than copied each time.
        slot.content = .empty
        let child = EncodedSlot()
        elements.append(child)
        slot.content = .array(elements)
        return child
    }

    mutating func encodeNil() { append().content = .value(.null) }
    mutating func encode(_ value: String) { append().content = .value(.string(value)) }
    mutating func encode(_ value: Bool) { append().content = .value(.bool(value)) }
    mutating func encode(_ value: Int) { append().content = .value(.int(Int64(value))) }
    mutating func encode(_ value: Int64) { append().content = .value(.int(value)) }

    mutating func encode<T: Encodable>(_ value: T) throws {
        let path = codingPath + [IndexKey(count)]
        append().content = .value(try ValueEncoder.encode(value, codingPath: path))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        let path = codingPath + [IndexKey(count)]
        return ValueEncoder(slot: append(), codingPath: path).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let path = codingPath + [IndexKey(count)]
        return ValueEncoder(slot: append(), codingPath: path).unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder {
        let path = codingPath + [IndexKey(count)]
        return ValueEncoder(slot: append(), codingPath: path)
    }
}
