/// The keyed container of `TapeDecoder`: finds members on the tape.
///
/// Objects of up to 16 members (nearly every Kubernetes object level) are searched linearly,
/// comparing the key's UTF-8 bytes with the document's, so no key `String` and no dictionary is
/// made (see `JSONTape.member(of:named:)`: the first match when the object's keys are distinct,
/// else the last one, as encoding/json keeps). Larger objects (big maps) get a key index once,
/// kept by the tape. Scalars are read without a child decoder.
struct TapeKeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    // Two words and one reference: the standard library's container box copies (retains) and
    // destroys (releases) this value around every field it decodes, so nothing else lives here;
    // the key index of a large object is kept by the tape.
    let tape: JSONTape
    let object: Int
    private static var linearLimit: UInt32 { 16 }

    init(tape: JSONTape, object: Int) {
        self.tape = tape
        self.object = object
        let entry = tape.entries[object]
        if entry.count > Self.linearLimit, tape.keyIndexes.pointee[object] == nil {
            var lookup: [String: Int] = Dictionary(minimumCapacity: Int(entry.count))
            var child = object + 1
            while child < Int(entry.end) {
                lookup[tape.string(at: child)] = child + 1
                child = tape.next(child + 1)
            }
            tape.keyIndexes.pointee[object] = lookup
        }
    }

    var codingPath: [any CodingKey] { tape.path(to: object) }

    /// Every distinct key, in document order.
    var allKeys: [Key] {
        var names: [String] = []
        var child = object + 1
        let end = Int(tape.entries[object].end)
        while child < end {
            names.append(tape.string(at: child))
            child = tape.next(child + 1)
        }
        if names.count > 1, tape.keysMayRepeat(object) {
            var seen = Set<String>()
            names = names.filter { seen.insert($0).inserted }
        }
        return names.compactMap { Key(stringValue: $0) }
    }

    /// The entry index of `key`'s value (the last one if the key repeats), or nil.
    @inline(__always) private func find(_ key: Key) -> Int? {
        var name = key.stringValue
        if tape.entries[object].count > Self.linearLimit { return tape.keyIndexes.pointee[object]?[name] }
        return name.withUTF8 { tape.member(of: object, named: $0) }
    }

    func contains(_ key: Key) -> Bool { find(key) != nil }

    private func missing(_ key: Key) -> DecodingError {
        DecodingError.keyNotFound(key, .init(codingPath: codingPath, debugDescription: "required key is missing"))
    }

    private func member(_ key: Key) throws -> Int {
        guard let value = find(key) else { throw missing(key) }
        return value
    }

    /// A present, non-null member.
    private func present(_ key: Key) -> Int? {
        guard let value = find(key), tape.entries[value].kind != .null else { return nil }
        return value
    }

    private func child(_ key: Key) throws -> TapeDecoder {
        TapeDecoder(tape: tape, index: try member(key))
    }

    func decodeNil(forKey key: Key) throws -> Bool {
        guard let value = find(key) else { return true }
        return tape.entries[value].kind == .null
    }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        try TapeDecoder.value(type, tape, try member(key))
    }

    func decode(_ type: String.Type, forKey key: Key) throws -> String {
        let value = try member(key)
        guard let text = TapeDecoder.string(tape, value) else {
            throw TapeDecoder.mismatch(tape, value, "a string", type)
        }
        return text
    }

    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool {
        let value = try member(key)
        guard let flag = TapeDecoder.bool(tape, value) else {
            throw TapeDecoder.mismatch(tape, value, "a boolean", type)
        }
        return flag
    }

    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try integer(type, key) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try integer(type, key) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try integer(type, key) }

    @inline(__always) private func integer<I: FixedWidthInteger>(_ type: I.Type, _ key: Key) throws -> I {
        let value = try member(key)
        let entry = tape.entries[value]
        if entry.kind == .integer, let exact = I(exactly: JSONTape.integer(entry)) { return exact }
        return try TapeDecoder.integer(tape, value, type)
    }

    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        guard let value = present(key) else { return nil }
        return try TapeDecoder.value(type, tape, value)
    }

    func decodeIfPresent(_ type: String.Type, forKey key: Key) throws -> String? {
        guard let value = present(key) else { return nil }
        guard let text = TapeDecoder.string(tape, value) else {
            throw TapeDecoder.mismatch(tape, value, "a string", type)
        }
        return text
    }

    func decodeIfPresent(_ type: Bool.Type, forKey key: Key) throws -> Bool? {
        guard let value = present(key) else { return nil }
        guard let flag = TapeDecoder.bool(tape, value) else {
            throw TapeDecoder.mismatch(tape, value, "a boolean", type)
        }
        return flag
    }

    func decodeIfPresent(_ type: Int.Type, forKey key: Key) throws -> Int? { try integerIfPresent(type, key) }
    func decodeIfPresent(_ type: Int64.Type, forKey key: Key) throws -> Int64? { try integerIfPresent(type, key) }
    func decodeIfPresent(_ type: Int32.Type, forKey key: Key) throws -> Int32? { try integerIfPresent(type, key) }

    @inline(__always) private func integerIfPresent<I: FixedWidthInteger>(_ type: I.Type, _ key: Key) throws -> I? {
        guard let value = present(key) else { return nil }
        let entry = tape.entries[value]
        if entry.kind == .integer, let exact = I(exactly: JSONTape.integer(entry)) { return exact }
        return try TapeDecoder.integer(tape, value, type)
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws
        -> KeyedDecodingContainer<NestedKey>
    {
        try child(key).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try child(key).unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder { TapeDecoder(tape: tape, index: object) }

    /// As `JSONValueDecoder`: a missing key gives a decoder of null.
    func superDecoder(forKey key: Key) throws -> any Decoder {
        guard let value = find(key) else {
            return ValueDecoder(value: .null, path: CodingPathNode.chain(codingPath + [key]))
        }
        return TapeDecoder(tape: tape, index: value)
    }
}

/// The unkeyed container of `TapeDecoder`; strings are read without a child decoder.
///
/// Three words (the tape, two 32-bit entry indexes, the element count so far), so it fits an
/// existential's inline buffer and needs no box of its own (tapes are limited to 32-bit offsets).
struct TapeUnkeyedContainer: UnkeyedDecodingContainer {
    let tape: JSONTape
    private let array: UInt32
    /// The entry of the element at `currentIndex`.
    private var position: UInt32
    var currentIndex = 0

    init(tape: JSONTape, array: Int) {
        self.tape = tape
        self.array = UInt32(truncatingIfNeeded: array)
        position = UInt32(truncatingIfNeeded: array + 1)
    }

    var count: Int? { Int(tape.entries[Int(array)].count) }
    var codingPath: [any CodingKey] { tape.path(to: Int(array)) }
    var isAtEnd: Bool { position >= tape.entries[Int(array)].end }

    private mutating func advance() {
        position = UInt32(truncatingIfNeeded: tape.next(Int(position)))
        currentIndex += 1
    }

    mutating func next() throws -> TapeDecoder {
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(
                JSONValue.self, .init(codingPath: codingPath + [IndexKey(currentIndex)], debugDescription: "the list has too few elements"))
        }
        defer { advance() }
        return TapeDecoder(tape: tape, index: Int(position))
    }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd, tape.entries[Int(position)].kind == .null else { return false }
        advance()
        return true
    }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try TapeDecoder.value(type, tape, next().index)
    }

    mutating func decode(_ type: String.Type) throws -> String {
        if !isAtEnd, let text = TapeDecoder.string(tape, Int(position)) {
            advance()
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
