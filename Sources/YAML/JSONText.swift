/// A type that also writes its own JSON text: the fast path `JSONValueEncoder.encodeJSON` takes
/// for the hottest types (a request's status and spec, an Event), the encoding counterpart of
/// `JSONMemberDecodable`. Written straight into the text, a value skips `Codable`'s generic
/// containers, whose run-time type metadata lookups, boxes and slots were nearly all of the
/// cost of encoding one (BENCHMARKS.md, "Controller", thirteenth round).
///
/// Contract: `writeJSON(into:)` writes byte for byte what `encode(to:)` gives through
/// `JSONValueEncoder` and `JSONWriter`: members sorted by their keys' UTF-8 bytes, nil fields
/// omitted. `JSONText` checks the key order in debug builds; a test per conforming type compares
/// the two texts.
public protocol JSONTextEncodable: Encodable {
    /// Appends this value's JSON text to `text`.
    func writeJSON(into text: inout JSONText) throws
}

/// Compact JSON text written member by member, for `JSONTextEncodable` types. Keys are static
/// text without characters that need escaping, given in ascending UTF-8 byte order.
public struct JSONText {
    /// The text so far, as UTF-8.
    public var bytes: [UInt8] { buffer }
    @usableFromInline var buffer: [UInt8] = []
    /// Whether the object being written has a member already (the next one needs a comma).
    @usableFromInline var hasMember = false
    /// The object's last key, for the order check of debug builds.
    @usableFromInline var lastKey: StaticString?

    /// Empty text.
    public init() {
        buffer.reserveCapacity(512)
    }

    /// Writes an object whose members `body` writes.
    @inlinable public mutating func object(_ body: (inout JSONText) throws -> Void) rethrows {
        let outer = (hasMember, lastKey)
        (hasMember, lastKey) = (false, nil)
        buffer.append(UInt8(ascii: "{"))
        try body(&self)
        buffer.append(UInt8(ascii: "}"))
        (hasMember, lastKey) = outer
    }

    /// Starts member `name`: the comma before it, the quoted key and the colon.
    @usableFromInline mutating func key(_ name: StaticString) {
        assert(lastKey.map { JSONText.ascending($0, name) } ?? true, "JSON keys out of order: \(lastKey.map(String.init) ?? "") before \(name)")
        lastKey = name
        if hasMember { buffer.append(UInt8(ascii: ",")) }
        hasMember = true
        buffer.append(UInt8(ascii: "\""))
        buffer.append(contentsOf: UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
        buffer.append(UInt8(ascii: "\""))
        buffer.append(UInt8(ascii: ":"))
    }

    private static func ascending(_ a: StaticString, _ b: StaticString) -> Bool {
        let x = UnsafeBufferPointer(start: a.utf8Start, count: a.utf8CodeUnitCount)
        let y = UnsafeBufferPointer(start: b.utf8Start, count: b.utf8CodeUnitCount)
        return x.lexicographicallyPrecedes(y)
    }

    /// A string member, omitted when nil.
    public mutating func member(_ name: StaticString, _ value: String?) {
        guard let value else { return }
        key(name)
        JSONWriter.writeString(value, into: &buffer)
    }

    /// A string member from a `String` raw value (an enum), omitted when nil.
    @inlinable public mutating func member<Value: RawRepresentable>(_ name: StaticString, _ value: Value?) where Value.RawValue == String {
        member(name, value?.rawValue)
    }

    /// An integer member, omitted when nil.
    public mutating func member(_ name: StaticString, _ value: Int64?) {
        guard let value else { return }
        key(name)
        buffer.append(contentsOf: String(value).utf8)
    }

    /// A boolean member, omitted when nil.
    public mutating func member(_ name: StaticString, _ value: Bool?) {
        guard let value else { return }
        key(name)
        buffer.append(contentsOf: (value ? "true" : "false").utf8)
    }

    /// A list of strings, omitted when nil.
    public mutating func member(_ name: StaticString, _ values: [String]?) {
        guard let values else { return }
        key(name)
        buffer.append(UInt8(ascii: "["))
        for (position, value) in values.enumerated() {
            if position > 0 { buffer.append(UInt8(ascii: ",")) }
            JSONWriter.writeString(value, into: &buffer)
        }
        buffer.append(UInt8(ascii: "]"))
    }

    /// A map of strings (labels, annotations), its keys sorted as `JSONWriter` sorts them;
    /// omitted when nil.
    public mutating func member(_ name: StaticString, _ values: [String: String]?) {
        guard let values else { return }
        key(name)
        JSONWriter.writeObject(values, into: &buffer) { JSONWriter.writeString($0, into: &$1) }
    }

    /// A member that writes itself, omitted when nil. Inlinable, as the other generic members:
    /// specialised where the type is known, it needs no type metadata at run time.
    @inlinable public mutating func member<Value: JSONTextEncodable>(_ name: StaticString, _ value: Value?) throws {
        guard let value else { return }
        key(name)
        try value.writeJSON(into: &self)
    }

    /// A list of values that write themselves, omitted when nil.
    @inlinable public mutating func member<Value: JSONTextEncodable>(_ name: StaticString, _ values: [Value]?) throws {
        guard let values else { return }
        key(name)
        buffer.append(UInt8(ascii: "["))
        var first = true
        for value in values {
            if !first { buffer.append(UInt8(ascii: ",")) }
            first = false
            try value.writeJSON(into: &self)
        }
        buffer.append(UInt8(ascii: "]"))
    }

    /// A member of any `Encodable` type, through `JSONValueEncoder` (for fields that are rarely
    /// set, such as an object's owner references); omitted when nil.
    public mutating func member<Value: Encodable>(_ name: StaticString, encoding value: Value?) throws {
        guard let value else { return }
        key(name)
        buffer.append(contentsOf: try JSONValueEncoder().encodeJSON(value))
    }
}
