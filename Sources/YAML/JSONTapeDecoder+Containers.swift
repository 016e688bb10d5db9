/// The keyed container of `TapeDecoder`: finds members on the tape.
///
/// Objects of up to 16 members (nearly every Kubernetes object level) are searched linearly,
/// comparing the key's UTF-8 bytes with the document's, so no key `String` and no dictionary is
/// made; the search runs to the end so a duplicate key keeps its last value, as encoding/json
/// does. Larger objects (big maps) get a key index once. Scalars are read without a child decoder.
struct TapeKeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let tape: JSONTape
    let object: Int
    let path: CodingPathNode?
    /// Key → value entry, for objects with more than `linearLimit` members.
    private let lookup: [String: Int]?
    private static var linearLimit: UInt32 { 16 }

    init(tape: JSONTape, object: Int, path: CodingPathNode?) {
        self.tape = tape
        self.object = object
        self.path = path
        let entry = tape.entries[object]
        if entry.count > Self.linearLimit {
            var lookup: [String: Int] = Dictionary(minimumCapacity: Int(entry.count))
            var child = object + 1
            while child < Int(entry.end) {
                lookup[tape.string(at: child)] = child + 1
                child = tape.next(child + 1)
            }
            self.lookup = lookup
        } else {
            lookup = nil
        }
    }

    var codingPath: [any CodingKey] { CodingPathNode.path(path) }

    /// Every distinct key, in document order.
    var allKeys: [Key] {
        var names: [String] = []
        var child = object + 1
        let end = Int(tape.entries[object].end)
        while child < end {
            names.append(tape.string(at: child))
            child = tape.next(child + 1)
        }
        if lookup != nil || names.count > 1 {
            var seen = Set<String>()
            names = names.filter { seen.insert($0).inserted }
        }
        return names.compactMap { Key(stringValue: $0) }
    }

    /// The entry index of `key`'s value (the last one if the key repeats), or nil.
    @inline(__always) private func find(_ key: Key) -> Int? {
        var name = key.stringValue
        if let lookup { return lookup[name] }
        return name.withUTF8 { tape.member(of: object, named: $0) }
    }

    func contains(_ key: Key) -> Bool { find(key) != nil }

    private func missing(_ key: Key) -> DecodingError {
        DecodingError.keyNotFound(key, .init(codingPath: codingPath, debugDescription: "required key is missing"))
    }

    private func node(_ key: Key) -> CodingPathNode { CodingPathNode(key, parent: path) }

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
        TapeDecoder(tape: tape, index: try member(key), path: node(key))
    }

    func decodeNil(forKey key: Key) throws -> Bool {
        guard let value = find(key) else { return true }
        return tape.entries[value].kind == .null
    }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        // Strings, string lists and maps, and JSON values need no child decoder.
        if let value = find(key), let direct = TapeDecoder.direct(type, tape, value) { return direct }
        return try child(key).decode(type)
    }

    func decode(_ type: String.Type, forKey key: Key) throws -> String {
        let value = try member(key)
        guard let text = TapeDecoder.string(tape, value) else {
            throw TapeDecoder.mismatch(tape, value, "a string", type, node(key))
        }
        return text
    }

    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool {
        let value = try member(key)
        guard let flag = TapeDecoder.bool(tape, value) else {
            throw TapeDecoder.mismatch(tape, value, "a boolean", type, node(key))
        }
        return flag
    }

    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try integer(type, key) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try integer(type, key) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try integer(type, key) }

    private func integer<I: FixedWidthInteger>(_ type: I.Type, _ key: Key) throws -> I {
        let value = try member(key)
        let entry = tape.entries[value]
        if entry.kind == .integer, let exact = I(exactly: JSONTape.integer(entry)) { return exact }
        return try TapeDecoder.integer(tape, value, type, node(key))
    }

    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        guard let value = present(key) else { return nil }
        if let direct = TapeDecoder.direct(type, tape, value) { return direct }
        return try TapeDecoder(tape: tape, index: value, path: node(key)).decode(type)
    }

    func decodeIfPresent(_ type: String.Type, forKey key: Key) throws -> String? {
        guard let value = present(key) else { return nil }
        guard let text = TapeDecoder.string(tape, value) else {
            throw TapeDecoder.mismatch(tape, value, "a string", type, node(key))
        }
        return text
    }

    func decodeIfPresent(_ type: Bool.Type, forKey key: Key) throws -> Bool? {
        guard let value = present(key) else { return nil }
        guard let flag = TapeDecoder.bool(tape, value) else {
            throw TapeDecoder.mismatch(tape, value, "a boolean", type, node(key))
        }
        return flag
    }

    func decodeIfPresent(_ type: Int.Type, forKey key: Key) throws -> Int? { try integerIfPresent(type, key) }
    func decodeIfPresent(_ type: Int64.Type, forKey key: Key) throws -> Int64? { try integerIfPresent(type, key) }
    func decodeIfPresent(_ type: Int32.Type, forKey key: Key) throws -> Int32? { try integerIfPresent(type, key) }

    private func integerIfPresent<I: FixedWidthInteger>(_ type: I.Type, _ key: Key) throws -> I? {
        guard let value = present(key) else { return nil }
        let entry = tape.entries[value]
        if entry.kind == .integer, let exact = I(exactly: JSONTape.integer(entry)) { return exact }
        return try TapeDecoder.integer(tape, value, type, node(key))
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws
        -> KeyedDecodingContainer<NestedKey>
    {
        try child(key).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try child(key).unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder { TapeDecoder(tape: tape, index: object, path: path) }

    /// As `JSONValueDecoder`: a missing key gives a decoder of null.
    func superDecoder(forKey key: Key) throws -> any Decoder {
        guard let value = find(key) else { return ValueDecoder(value: .null, path: node(key)) }
        return TapeDecoder(tape: tape, index: value, path: node(key))
    }
}

/// The unkeyed container of `TapeDecoder`; strings are read without a child decoder.
struct TapeUnkeyedContainer: UnkeyedDecodingContainer {
    let tape: JSONTape
    let path: CodingPathNode?
    let count: Int?
    private let end: Int
    /// The entry of the element at `currentIndex`.
    private var position: Int
    var currentIndex = 0

    init(tape: JSONTape, array: Int, path: CodingPathNode?) {
        self.tape = tape
        self.path = path
        let entry = tape.entries[array]
        count = Int(entry.count)
        end = Int(entry.end)
        position = array + 1
    }

    var codingPath: [any CodingKey] { CodingPathNode.path(path) }
    var isAtEnd: Bool { position >= end }

    private mutating func advance() {
        position = tape.next(position)
        currentIndex += 1
    }

    mutating func next() throws -> TapeDecoder {
        let node = CodingPathNode(IndexKey(currentIndex), parent: path)
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(
                JSONValue.self, .init(codingPath: CodingPathNode.path(node), debugDescription: "the list has too few elements"))
        }
        defer { advance() }
        return TapeDecoder(tape: tape, index: position, path: node)
    }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd, tape.entries[position].kind == .null else { return false }
        advance()
        return true
    }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        if !isAtEnd, let direct = TapeDecoder.direct(type, tape, position) {
            advance()
            return direct
        }
        return try next().decode(type)
    }

    mutating func decode(_ type: String.Type) throws -> String {
        if !isAtEnd, let text = TapeDecoder.string(tape, position) {
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
