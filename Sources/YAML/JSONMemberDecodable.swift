/// A type that can also read itself from a JSON object one member at a time: the fast path
/// `JSONValueDecoder.decode(_:fromJSON:)` takes for the hottest types (Kubernetes `ObjectMeta`,
/// read once per object of every LIST). One pass over the members, no keyed container (the
/// standard library boxes one per object and copies it around every field), no lookup per field.
///
/// Contract: the result must equal what `init(from:)` decodes from the same object, for a type
/// whose fields are all optional and keyed by their names (as synthesised `Decodable` does).
/// Every other decoder uses `init(from:)`; so does this one for an object whose keys repeat
/// (the last value must win), so `decodeMember` sees each key at most once. One difference: with
/// several wrong fields, the error names the first in document order, not in declaration order.
public protocol JSONMemberDecodable: Decodable {
    /// A value with every field unset, which `decodeMember(_:)` fills in.
    init()
    /// Reads `member` into its field; returns without reading for a key that is not a field.
    mutating func decodeMember(_ member: borrowing JSONMember) throws
}

/// One member of a JSON object, handed to `JSONMemberDecodable.decodeMember(_:)`: its key, to
/// compare as bytes, and its value, decoded as `decodeIfPresent` would (null is nil, same errors
/// with the same field paths).
public struct JSONMember: ~Copyable {
    let tape: JSONTape
    var key = 0

    init(tape: JSONTape) { self.tape = tape }

    /// Whether the key is `name` (compared as UTF-8 bytes; a key with escapes never matches, and
    /// the decoder does not take this path for an object that has one).
    @inline(__always) public func `is`(_ name: StaticString) -> Bool {
        let entry = tape.entries[key]
        let start = Int(entry.start)
        let length = name.utf8CodeUnitCount
        guard Int(entry.end) - start == length else { return false }
        let text = name.utf8Start
        var offset = 0
        while offset < length, tape.bytes[start + offset] == text[offset] { offset += 1 }
        return offset == length
    }

    /// The key, for a type that keeps members it has no field for (by name, as text).
    public var name: String { tape.string(at: key) }

    /// The value as `type`, or nil for null.
    @inlinable public func decode<T: Decodable>(_ type: T.Type) throws -> T? {
        // Inlined so that the optional is made where `T` is known: in unspecialised code every
        // `T?` costs a runtime metadata lookup.
        if isNull { return nil }
        return try decodeValue(type)
    }

    /// Whether the value is null.
    @usableFromInline var isNull: Bool { tape.entries[key + 1].kind == .null }

    /// The (non-null) value as `type`.
    @usableFromInline func decodeValue<T: Decodable>(_ type: T.Type) throws -> T {
        try TapeDecoder.value(type, tape, key + 1)
    }

    /// The value as a string, or nil for null.
    public func decodeString() throws -> String? {
        let value = key + 1
        switch tape.entries[value].kind {
        case .string: return tape.string(at: value)
        case .null: return nil
        default: throw TapeDecoder.mismatch(tape, value, "a string", String.self)
        }
    }

    /// The value as a 64-bit integer, or nil for null.
    public func decodeInt64() throws -> Int64? {
        let value = key + 1
        let entry = tape.entries[value]
        switch entry.kind {
        case .integer: return JSONTape.integer(entry)
        case .null: return nil
        default: return try TapeDecoder.integer(tape, value, Int64.self)
        }
    }
}

extension TapeDecoder {
    /// `members.decodeMembers` as `T`, which it is (`members` is `T.self` as found by
    /// `JSONTape.memberDecodable(_:)`). The existential is opened into a generic parameter and
    /// the result handed back with `unsafeBitCast`: `as? T` would build a `T?`, a metadata
    /// lookup in this unspecialised code.
    static func decodeMembers<T>(_ members: any JSONMemberDecodable.Type, as type: T.Type, _ tape: JSONTape, _ index: Int) throws -> T {
        func read<M: JSONMemberDecodable>(_ reader: M.Type) throws -> T {
            unsafeBitCast(try M.decodeMembers(tape, index), to: T.self)
        }
        return try read(members)
    }
}

extension JSONMemberDecodable {
    /// Reads the object at `object` member by member (keys known not to repeat).
    static func decodeMembers(_ tape: JSONTape, _ object: Int) throws -> Self {
        var value = Self()
        var member = JSONMember(tape: tape)
        let end = Int(tape.entries[object].end)
        var child = object + 1
        while child < end {
            member.key = child
            try value.decodeMember(member)
            child = tape.next(child + 1)
        }
        return value
    }
}

extension JSONTape {
    /// `type` as a `JSONMemberDecodable` type, or nil. The answer is kept per type for this
    /// tape (a conformance lookup costs more than decoding a small field; a LIST asks for the
    /// same few types thousands of times), in a small table compared by identity.
    func memberDecodable(_ type: Any.Type) -> (any JSONMemberDecodable.Type)? {
        let id = ObjectIdentifier(type)
        let count = typeCache.count.pointee
        for slot in 0..<count where typeCache.types[slot] == id { return typeCache.answers[slot] }
        let answer = type as? any JSONMemberDecodable.Type
        if count < TypeCache.capacity {
            typeCache.types[count] = id
            typeCache.answers[count] = answer
            typeCache.count.pointee = count + 1
        }
        return answer
    }

    /// The table behind `memberDecodable(_:)`, in raw memory (no exclusivity checks, no
    /// reference counting on the hot path).
    struct TypeCache {
        static let capacity = 16
        let count: UnsafeMutablePointer<Int>
        let types: UnsafeMutablePointer<ObjectIdentifier>
        let answers: UnsafeMutablePointer<(any JSONMemberDecodable.Type)?>

        init() {
            count = .allocate(capacity: 1)
            count.initialize(to: 0)
            types = .allocate(capacity: Self.capacity)
            answers = .allocate(capacity: Self.capacity)
        }

        /// Frees the table (its entries are plain values: identifiers and metatypes).
        func deallocate() {
            count.deallocate()
            types.deallocate()
            answers.deallocate()
        }
    }
}
