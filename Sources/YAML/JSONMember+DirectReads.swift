// Reads of a member's value that skip the generic decoder: a string's bytes in place, a
// Boolean, a string-backed enum, an array. In a LIST of 10,000 requests each went through `Decoder`
// existentials and a run-time metadata lookup per optional or array of an unspecialised type:
// a timestamp cost about 1,900 instructions, an enum about 3,000, an array of three conditions
// 10,000 more than its elements (BENCHMARKS.md, "Controller", seventeenth round). Each falls back
// to `decode(_:)` for anything it does not read itself, so values and errors stay those of
// `init(from:)`.

extension JSONMember {
    /// Runs `read` on the UTF-8 bytes of a string value written without escapes, in place; nil
    /// for any other value (null, an escaped string, another kind) or when `read` gives nil.
    /// For scalars parsed from their text, such as times, with no `String` made.
    public func withUnescapedString<R>(_ read: (UnsafeBufferPointer<UInt8>) -> R?) -> R? {
        let entry = tape.entries[key + 1]
        guard entry.kind == .string, entry.flags & JSONTape.escaped == 0 else { return nil }
        return read(UnsafeBufferPointer(rebasing: tape.bytes[Int(entry.start)..<Int(entry.end)]))
    }

    /// The value as a Boolean, or nil for null; another kind throws what `decode(_:)` throws.
    public func decodeBool() throws -> Bool? {
        if let flag = TapeDecoder.bool(tape, key + 1) { return flag }
        return try decode(Bool.self)
    }

    /// The value as a string-backed enum, or nil for null; a string that is none of its raw
    /// values, or a value of another kind, throws what `decode(_:)` throws.
    @inlinable public func decodeRawValue<T: RawRepresentable & Decodable>(_ type: T.Type) throws -> T?
    where T.RawValue == String {
        if let value = withUnescapedString({ T(rawValue: String(decoding: $0, as: UTF8.self)) }) { return value }
        return try decode(type)
    }

    /// The value as an array of `T`, or nil for null: each element decoded as the array's own
    /// `init(from:)` would decode it, with the same errors; a value that is not an array throws
    /// what `decode(_:)` throws. Inlined so that the array is built where `T` is known.
    @inlinable public func decodeArray<T: Decodable>(of type: T.Type) throws -> [T]? {
        try elements(type) { try value(type, at: $0) }
    }

    /// `decodeArray(of:)` for elements read member by member, each straight into its type.
    @inlinable public func decodeArray<T: JSONMemberReadable>(of type: T.Type) throws -> [T]? {
        try elements(type) { try readable(type, at: $0) }
    }

    /// `decodeArray(of:)` for elements read member by member, each straight into its type.
    @inlinable public func decodeArray<T: JSONMemberDecodable>(of type: T.Type) throws -> [T]? {
        try elements(type) { try decodable(type, at: $0) }
    }

    /// The value as `type`, or nil for null, read member by member where `T` is known: the
    /// generic path looks the type's way up at run time, and its optional result costs a metadata
    /// lookup. Same values and errors as `decode(_:)` for any `Decodable`.
    @inlinable public func decode<T: JSONMemberReadable>(_ type: T.Type) throws -> T? {
        if isNull { return nil }
        return try readable(type, at: valueEntry)
    }

    /// The value as `type`, or nil for null, read member by member where `T` is known (see the
    /// `JSONMemberReadable` overload).
    @inlinable public func decode<T: JSONMemberDecodable>(_ type: T.Type) throws -> T? {
        if isNull { return nil }
        return try decodable(type, at: valueEntry)
    }

    /// The elements of an array value, each read by `read` from its entry, or nil for null; a
    /// value of another kind throws what the general decoder throws for `[T]`.
    @inlinable func elements<T: Decodable>(_ type: T.Type, _ read: (Int) throws -> T) throws -> [T]? {
        if isNull { return nil }
        guard let bounds = arrayBounds else { return try decodeValue([T].self) }
        var elements: [T] = []
        elements.reserveCapacity(bounds.count)
        var element = bounds.first
        while element < bounds.end {
            elements.append(try read(element))
            element = entry(after: element)
        }
        return elements
    }

    /// The value at entry `index` as `type`: its members read into `T.Members`, or, for anything
    /// else (not an object, repeated keys, a required member missing), the general decoder's value
    /// or error.
    @inlinable func readable<T: JSONMemberReadable>(_ type: T.Type, at index: Int) throws -> T {
        if isPlainObject(index), let value = T(members: try members(T.Members.self, of: index)) { return value }
        return try value(type, at: index)
    }

    /// The value at entry `index` as `type`: its members read into it, or, for anything else,
    /// the general decoder's value or error.
    @inlinable func decodable<T: JSONMemberDecodable>(_ type: T.Type, at index: Int) throws -> T {
        if isPlainObject(index) { return try members(type, of: index) }
        return try value(type, at: index)
    }

    /// The value's tape entry.
    @usableFromInline var valueEntry: Int { key + 1 }

    /// Whether the value at entry `index` is an object with no key given twice.
    @usableFromInline func isPlainObject(_ index: Int) -> Bool {
        tape.entries[index].kind == .object && !tape.keysRepeat(index)
    }

    /// The members of the object at entry `index`, read into `M`.
    @usableFromInline func members<M: JSONMembers>(_ type: M.Type, of index: Int) throws -> M {
        try M.decodeMembers(tape, index)
    }

    /// The tape entries of an array value: its first element, the entry past its last, and its
    /// element count; nil when the value is not an array.
    @usableFromInline var arrayBounds: (first: Int, end: Int, count: Int)? {
        let array = key + 1
        let entry = tape.entries[array]
        guard entry.kind == .array else { return nil }
        return (array + 1, Int(entry.end), Int(entry.count))
    }

    /// The value at tape entry `index` as `type`, as an array's unkeyed container decodes it.
    @usableFromInline func value<T: Decodable>(_ type: T.Type, at index: Int) throws -> T {
        try TapeDecoder.value(type, tape, index)
    }

    /// The entry after the value at `index` and all its descendants.
    @usableFromInline func entry(after index: Int) -> Int { tape.next(index) }
}
