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
/// A type with required fields reads itself through `JSONMemberReadable` instead.
public protocol JSONMemberDecodable: JSONMemberReading, JSONMembers {}

/// A type that reads itself member by member, one way or the other: `JSONMemberDecodable` or
/// `JSONMemberReadable`. Conform to one of those. (The tape decoder asks the run time whether a
/// type conforms to this one first: for a type that does not, one lookup, which scans the whole
/// binary's conformance records, instead of two.)
public protocol JSONMemberReading: Decodable {}

/// Fields filled in one JSON member at a time (see `JSONMemberDecodable`, `JSONMemberReadable`).
public protocol JSONMembers {
    /// A value with every field unset, which `decodeMember(_:)` fills in.
    init()
    /// Reads `member` into its field; returns without reading for a key that is not a field.
    mutating func decodeMember(_ member: borrowing JSONMember) throws
}

/// A type with required fields that reads its members into an all-optional twin, `Members`,
/// and is made from that: the member-wise fast path of `JSONMemberDecodable` for types that
/// `init()` cannot make (a condition without a type, a spec without a policy).
///
/// Contract: `init(members:)` gives what `init(from:)` decodes from the same object, and nil
/// where `init(from:)` throws because a required key is missing (or null); the decoder then
/// runs `init(from:)`, which throws that error. The rest is as for `JSONMemberDecodable`.
public protocol JSONMemberReadable: JSONMemberReading {
    /// The fields as read, each optional.
    associatedtype Members: JSONMembers
    /// The value, or nil when a required field is missing from `members`.
    init?(members: Members)
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

    /// The value as it is, null included (`decode(JSONValue.self)` reads null as nil).
    public func decodeJSONValue() -> JSONValue { tape.value(at: key + 1) }

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
    /// The object at `index` read member by member as `T`, which `reading` names (as found by
    /// `MemberReading.of(_:)`). The existential is opened into a generic parameter and the
    /// result handed back with `unsafeBitCast`: `as? T` would build a `T?`, a metadata lookup in
    /// this unspecialised code.
    static func readMembers<T: Decodable>(_ reading: MemberReading, as type: T.Type, _ tape: JSONTape, _ index: Int) throws -> T {
        switch reading {
        case .decodable(let members):
            func read<M: JSONMemberDecodable>(_ reader: M.Type) throws -> T {
                unsafeBitCast(try M.decodeMembers(tape, index), to: T.self)
            }
            return try read(members)
        case .readable(let readable):
            func read<R: JSONMemberReadable>(_ reader: R.Type) throws -> T {
                guard let value = R(members: try R.Members.decodeMembers(tape, index)) else {
                    // A required member is missing: `init(from:)` throws the error it names.
                    return try T(from: TapeDecoder(tape: tape, index: index))
                }
                return unsafeBitCast(value, to: T.self)
            }
            return try read(readable)
        }
    }
}

extension JSONMembers {
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

