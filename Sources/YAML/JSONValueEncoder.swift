/// Encodes `Encodable` values into a `JSONValue`, the inverse of `JSONValueDecoder`, or straight
/// into the compact JSON text `JSONWriter` would write for that value.
///
/// Optionals encoded with `encodeIfPresent` (what synthesized conformances do) are omitted, as
/// Kubernetes' `omitempty` fields are. Non-finite floats are refused, because JSON cannot hold them.
public struct JSONValueEncoder: Sendable {
    /// Creates an encoder.
    public init() {}

    /// Encodes `value`.
    /// - Throws: `YAMLError.encoding` with the field path of a value JSON cannot hold.
    public func encode<T: Encodable>(_ value: T) throws -> JSONValue {
        try encoded(value).value
    }

    /// The compact JSON text of `value`, byte for byte `JSONWriter.encode(try encode(value))`
    /// (keys sorted by their UTF-8 bytes): written by the value itself when it is
    /// `JSONTextEncodable`, otherwise from the encoder's slots without building a `JSONValue`.
    /// - Throws: `YAMLError.encoding` with the field path of a value JSON cannot hold.
    public func encodeJSON<T: Encodable>(_ value: T) throws -> [UInt8] {
        if let writable = value as? any JSONTextEncodable {
            var text = JSONText()
            try writable.writeJSON(into: &text)
            return text.bytes
        }
        var out: [UInt8] = []
        out.reserveCapacity(256)
        try encoded(value).write(into: &out)
        return out
    }

    private func encoded<T: Encodable>(_ value: T) throws -> EncodedSlot {
        do {
            let slot = EncodedSlot()
            try ValueEncoder.encode(value, into: slot, codingPath: [])
            return slot
        } catch let error as EncodingError {
            guard case .invalidValue(_, let context) = error else { throw error }
            throw YAMLError.encoding(path: context.codingPath.renderedPath, message: context.debugDescription)
        }
    }
}

/// What an encoder or container has written so far; classes so nested containers can keep
/// writing into their parent after they are handed out, as the `Encoder` protocol requires.
///
/// An object's members and an array's elements are stored properties changed in place, rather
/// than an enum payload taken out and put back for each member added.
final class EncodedSlot {
    enum Kind { case empty, value, object, array }

    private(set) var kind = Kind.empty
    /// What `.value` holds.
    private var scalar = JSONValue.null
    /// An object's keys in the order they were first written, beside `children`.
    private var keys: [String] = []
    /// An object's members (beside `keys`) or an array's elements.
    private(set) var children: [EncodedSlot] = []
    /// Where each key is in `keys`, once there are too many for a scan (a status or an Event
    /// has about ten).
    private var index: [String: Int]?

    /// Holds `value` instead of whatever it held.
    func set(_ value: JSONValue) {
        if kind != .empty { clear() }
        kind = .value
        scalar = value
    }

    /// Holds nothing again.
    func clear() {
        kind = .empty
        scalar = .null
        keys = []
        children = []
        index = nil
    }

    /// Becomes an object, unless it is one (an array or a value is dropped).
    func becomeObject() {
        guard kind != .object else { return }
        clear()
        kind = .object
    }

    /// Becomes an array, unless it is one (an object or a value is dropped).
    func becomeArray() {
        guard kind != .array else { return }
        clear()
        kind = .array
    }

    /// The slot of object member `key`, added if it is not there yet.
    func member(_ key: String) -> EncodedSlot {
        if let index {
            if let position = index[key] { return children[position] }
        } else if let position = keys.firstIndex(of: key) {
            return children[position]
        }
        let child = EncodedSlot()
        keys.append(key)
        children.append(child)
        if index != nil {
            index?[key] = keys.count - 1
        } else if keys.count > 16 {
            index = Dictionary(uniqueKeysWithValues: zip(keys, keys.indices))
        }
        return child
    }

    /// A new last element of the array.
    func appendElement() -> EncodedSlot {
        let child = EncodedSlot()
        children.append(child)
        return child
    }

    var value: JSONValue {
        switch kind {
        case .empty: return .object([:])
        case .value: return scalar
        case .array: return .array(children.map(\.value))
        case .object:
            var members: [String: JSONValue] = Dictionary(minimumCapacity: keys.count)
            for (key, child) in zip(keys, children) { members[key] = child.value }
            return .object(members)
        }
    }

    /// Appends the JSON text of what was written, as `JSONWriter.write(value, into:)` would.
    func write(into out: inout [UInt8]) {
        switch kind {
        case .empty: out.append(contentsOf: "{}".utf8)
        case .value: JSONWriter.write(scalar, into: &out)
        case .array:
            out.append(UInt8(ascii: "["))
            for (position, element) in children.enumerated() {
                if position > 0 { out.append(UInt8(ascii: ",")) }
                element.write(into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object:
            JSONWriter.writeObject(zip(keys, children).lazy.map { (key: $0, value: $1) }, into: &out) { $0.write(into: &$1) }
        }
    }
}

struct ValueEncoder: Encoder {
    let slot: EncodedSlot
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    /// Encodes `value` into `slot` (which holds nothing yet). Nested values are written into the
    /// slot tree rather than each turned into a `JSONValue` of its own.
    static func encode<T: Encodable>(_ value: T, into slot: EncodedSlot, codingPath: [any CodingKey]) throws {
        if let json = value as? JSONValue {
            slot.set(json)
            return
        }
        try value.encode(to: ValueEncoder(slot: slot, codingPath: codingPath))
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        slot.becomeObject()
        return KeyedEncodingContainer(KeyedEncoder<Key>(slot: slot, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        slot.becomeArray()
        return UnkeyedEncoder(slot: slot, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer { self }
}

extension ValueEncoder: SingleValueEncodingContainer {
    func encodeNil() { slot.set(.null) }
    func encode(_ value: Bool) { slot.set(.bool(value)) }
    func encode(_ value: String) { slot.set(.string(value)) }
    func encode(_ value: Double) throws {
        guard value.isFinite else {
            throw EncodingError.invalidValue(
                value, .init(codingPath: codingPath, debugDescription: "\(value) cannot be represented in JSON; use a finite number"))
        }
        slot.set(.double(value))
    }
    func encode(_ value: Float) throws { try encode(Double(value)) }
    func integer<I: FixedWidthInteger>(_ value: I) throws {
        guard let exact = Int64(exactly: value) else {
            throw EncodingError.invalidValue(
                value, .init(codingPath: codingPath, debugDescription: "the integer \(value) does not fit 64 signed bits, the JSON integer range of Kubernetes"))
        }
        slot.set(.int(exact))
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
        slot.clear()
        try Self.encode(value, into: slot, codingPath: codingPath)
    }
}

struct KeyedEncoder<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let slot: EncodedSlot
    let codingPath: [any CodingKey]

    private func child(_ key: Key) -> EncodedSlot { child(named: key.stringValue) }

    private func child(named name: String) -> EncodedSlot {
        // A container kept after its slot became something else writes nowhere, as before.
        guard slot.kind == .object else { return EncodedSlot() }
        return slot.member(name)
    }

    /// The slot of `key`, emptied: a key written again replaces what it held.
    private func freshChild(_ key: Key) -> EncodedSlot {
        let child = child(key)
        child.clear()
        return child
    }

    mutating func encodeNil(forKey key: Key) { child(key).set(.null) }

    // The common scalars directly: through the generic `encode` each one paid a dynamic cast, a
    // slot and an existential container (statuses and Events are mostly strings).
    mutating func encode(_ value: String, forKey key: Key) { child(key).set(.string(value)) }
    mutating func encode(_ value: Bool, forKey key: Key) { child(key).set(.bool(value)) }
    mutating func encode(_ value: Int, forKey key: Key) { child(key).set(.int(Int64(value))) }
    mutating func encode(_ value: Int64, forKey key: Key) { child(key).set(.int(value)) }
    mutating func encode(_ value: Int32, forKey key: Key) { child(key).set(.int(Int64(value))) }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        try ValueEncoder.encode(value, into: freshChild(key), codingPath: codingPath + [key])
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
        slot.kind == .array ? slot.children.count : 0
    }

    private func append() -> EncodedSlot {
        guard slot.kind == .array else { return EncodedSlot() }
        return slot.appendElement()
    }

    mutating func encodeNil() { append().set(.null) }
    mutating func encode(_ value: String) { append().set(.string(value)) }
    mutating func encode(_ value: Bool) { append().set(.bool(value)) }
    mutating func encode(_ value: Int) { append().set(.int(Int64(value))) }
    mutating func encode(_ value: Int64) { append().set(.int(value)) }

    mutating func encode<T: Encodable>(_ value: T) throws {
        let path = codingPath + [IndexKey(count)]
        try ValueEncoder.encode(value, into: append(), codingPath: path)
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
