extension JSONValueDecoder {
    /// Decodes `type` straight from UTF-8 JSON bytes, without building a `JSONValue` tree: the
    /// bytes are parsed by `JSONParser`'s scanner into a flat tape, and keyed containers find
    /// their members on it (strings are made only for what is read). `JSONValue`-typed fields
    /// receive their subtree as a `JSONValue`.
    ///
    /// Same rules and errors as `decode(_:from:)` on the parsed value: strict types, integers must
    /// fit, duplicate keys keep the last value, and a failure names the field path.
    /// - Throws: `JSONParser.Failure` for bytes that are not JSON; `YAMLError.decoding` with the
    ///   path of the offending field; errors a type's own `init(from:)` throws that are not
    ///   `DecodingError` pass through unchanged.
    public func decode<T: Decodable>(_ type: T.Type, fromJSON bytes: some Collection<UInt8>) throws -> T {
        try withDocument(fromJSON: bytes) { try $0.decode(type) }
    }

    /// Parses `bytes` once and runs `body` with the parsed document, from which any number of
    /// types can be decoded: a small one first to decide, say, whether the whole value is needed
    /// at all, without parsing the bytes twice.
    /// - Throws: `JSONParser.Failure` for bytes that are not JSON; whatever `body` throws.
    public func withDocument<R>(fromJSON bytes: some Collection<UInt8>, _ body: (JSONDocument) throws -> R) throws -> R {
        try JSONTape.read(bytes) { parsed in try body(JSONDocument(tape: try parsed.get())) }
    }
}

/// One parsed JSON document (see `JSONValueDecoder.withDocument(fromJSON:_:)`); valid only inside
/// the closure it is handed to.
public struct JSONDocument {
    let tape: JSONTape

    /// Decodes `type` from the whole document, with the rules and errors of
    /// `JSONValueDecoder.decode(_:fromJSON:)`.
    public func decode<T: Decodable>(_ type: T.Type) throws -> T {
        do {
            return try TapeDecoder(tape: tape, index: 0).decode(type)
        } catch let error as DecodingError {
            let failure = DecodingFailure(error)
            throw YAMLError.decoding(nil, path: failure.path.renderedPath, message: failure.message)
        }
    }
}

/// A `Decoder` over one value of a `JSONTape`. Mirrors `ValueDecoder` (same checks, same
/// messages, same paths) without a `JSONValue` in between.
///
/// It is two words (the tape and an entry index), so it travels in an existential's inline
/// buffer; its coding path is derived from the tape when asked for (errors), never carried.
struct TapeDecoder: Decoder {
    let tape: JSONTape
    let index: Int
    var codingPath: [any CodingKey] { tape.path(to: index) }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    @inline(__always) var kind: JSONTape.Kind { tape.entries[index].kind }

    static func mismatch(_ tape: JSONTape, _ index: Int, _ expected: String, _ type: Any.Type) -> DecodingError {
        let codingPath = tape.path(to: index)
        if tape.entries[index].kind == .null {
            return .valueNotFound(type, .init(codingPath: codingPath, debugDescription: "expected \(expected), found null"))
        }
        return .typeMismatch(
            type, .init(codingPath: codingPath, debugDescription: "expected \(expected), found \(tape.kindName(at: index))"))
    }

    func mismatch(_ expected: String, _ type: Any.Type) -> DecodingError { Self.mismatch(tape, index, expected, type) }

    func decode<T: Decodable>(_ type: T.Type) throws -> T { try Self.value(type, tape, index) }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard kind == .object else { throw mismatch("a mapping", [String: JSONValue].self) }
        return KeyedDecodingContainer(TapeKeyedContainer<Key>(tape: tape, object: index))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard kind == .array else { throw mismatch("a list", [JSONValue].self) }
        return TapeUnkeyedContainer(tape: tape, array: index)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { self }

    // Scalar readers shared with the containers: nil (or a thrown mismatch) on the wrong kind.

    @inline(__always) static func string(_ tape: JSONTape, _ index: Int) -> String? {
        tape.entries[index].kind == .string ? tape.string(at: index) : nil
    }

    @inline(__always) static func bool(_ tape: JSONTape, _ index: Int) -> Bool? {
        switch tape.entries[index].kind {
        case .true: return true
        case .false: return false
        default: return nil
        }
    }

    static func integer<I: FixedWidthInteger>(_ tape: JSONTape, _ index: Int, _ type: I.Type) throws -> I {
        let entry = tape.entries[index]
        let wide: Int64
        switch entry.kind {
        case .integer:
            wide = JSONTape.integer(entry)
        case .number:
            let number = tape.double(at: index)
            guard number.rounded(.towardZero) == number, abs(number) < 9.2e18 else {
                throw DecodingError.typeMismatch(
                    type,
                    .init(
                        codingPath: tape.path(to: index),
                        debugDescription: "expected an integer, found a number with a fraction or beyond 64 bits"))
            }
            wide = Int64(number)
        default:
            throw mismatch(tape, index, "an integer", type)
        }
        guard let exact = I(exactly: wide) else {
            throw DecodingError.dataCorrupted(
                .init(
                    codingPath: tape.path(to: index),
                    debugDescription: "the integer \(wide) is outside the range \(I.min)...\(I.max) of \(I.self)"))
        }
        return exact
    }
}

extension TapeDecoder: SingleValueDecodingContainer, IntegerValueDecoding {
    func decodeNil() -> Bool { kind == .null }

    func decode(_ type: Bool.Type) throws -> Bool {
        guard let flag = Self.bool(tape, index) else { throw mismatch("a boolean", type) }
        return flag
    }

    func decode(_ type: String.Type) throws -> String {
        guard let text = Self.string(tape, index) else { throw mismatch("a string", type) }
        return text
    }

    func decode(_ type: Double.Type) throws -> Double {
        switch kind {
        case .integer, .number: return tape.double(at: index)
        default: throw mismatch("a number", type)
        }
    }

    func decode(_ type: Float.Type) throws -> Float { Float(try decode(Double.self)) }

    func integer<I: FixedWidthInteger>(_ type: I.Type) throws -> I { try Self.integer(tape, index, type) }

}

extension TapeDecoder {
    /// Decodes `type` from the value at `index`. The common Kubernetes shapes are read straight
    /// off the tape: `String`, `[String]`, `[String: String]` (labels, annotations), `JSONValue`,
    /// `[JSONValue]` and `RawJSON` (cut from the document: `managedFields[].fieldsV1`); anything
    /// else, or one of these with another shape (which then reports its error with its path),
    /// goes through `init(from:)`.
    ///
    /// Why: the standard library decodes arrays and dictionaries through boxed generic containers
    /// (metadata lookups, existential boxes, a key object per entry). The result is handed back
    /// with `unsafeBitCast` once `T` is known to be that very type: `as? T` went through the
    /// runtime's bridging casts (`tryCastToDictionary`), and an optional `T?` in this unspecialised
    /// code cost a metadata lookup per field.
    @inline(__always) static func value<T: Decodable>(_ type: T.Type, _ tape: JSONTape, _ index: Int) throws -> T {
        if T.self == String.self, let text = string(tape, index) { return unsafeBitCast(text, to: T.self) }
        if T.self == [String: String].self, let map = stringMap(tape, index) { return unsafeBitCast(map, to: T.self) }
        if T.self == [String].self, let strings = stringArray(tape, index) { return unsafeBitCast(strings, to: T.self) }
        if T.self == JSONValue.self { return unsafeBitCast(tape.value(at: index), to: T.self) }
        if T.self == RawJSON.self { return unsafeBitCast(RawJSON(checked: tape.text(at: index)), to: T.self) }
        if T.self == [JSONValue].self, tape.entries[index].kind == .array, case .array(let elements) = tape.value(at: index) {
            return unsafeBitCast(elements, to: T.self)
        }
        if tape.entries[index].kind == .object, let reading = MemberReading.of(T.self), !tape.keysRepeat(index) {
            return try readMembers(reading, as: type, tape, index)
        }
        return try T(from: TapeDecoder(tape: tape, index: index))
    }

    /// An object whose values are all strings; duplicate keys keep the last value.
    static func stringMap(_ tape: JSONTape, _ index: Int) -> [String: String]? {
        let entry = tape.entries[index]
        guard entry.kind == .object else { return nil }
        var map: [String: String] = Dictionary(minimumCapacity: Int(entry.count))
        var child = index + 1
        let end = Int(entry.end)
        while child < end {
            guard tape.entries[child + 1].kind == .string else { return nil }
            map[tape.string(at: child)] = tape.string(at: child + 1)
            child += 2
        }
        return map
    }

    /// An array of strings only.
    static func stringArray(_ tape: JSONTape, _ index: Int) -> [String]? {
        let entry = tape.entries[index]
        guard entry.kind == .array else { return nil }
        var strings: [String] = []
        strings.reserveCapacity(Int(entry.count))
        var child = index + 1
        let end = Int(entry.end)
        while child < end {
            guard tape.entries[child].kind == .string else { return nil }
            strings.append(tape.string(at: child))
            child += 1
        }
        return strings
    }
}
