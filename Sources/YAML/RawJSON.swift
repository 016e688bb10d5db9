/// A JSON value kept as its text: for data a program must carry but rarely reads, such as the
/// `fieldsV1` of a Kubernetes `managedFields` entry (Go keeps it as `metav1.FieldsV1{Raw []byte}`).
///
/// Why: building a `JSONValue` tree of such data costs a dictionary per object and a `String` per
/// key; on a LIST of thousands of objects that was an eighth of the decoding time, for data no
/// caller looked at. A `RawJSON` is one string; `value` parses it when someone does look.
///
/// Guarantees: the text is always valid JSON (one value). `JSONValueDecoder.decode(_:fromJSON:)`
/// copies the value's bytes as the document spells them (no tree is built); every other decoder
/// decodes a `JSONValue` and keeps its compact canonical text (`JSONWriter`). Encoding writes the
/// value, not a string. Equality and hashing are of the canonical text, not of the spelling:
/// `{"b": 1, "a": 2.5e1}` equals `{"a":25,"b":1}`.
public struct RawJSON: Hashable, Sendable, CustomStringConvertible {
    /// The JSON text, as received (or canonical, when made from a value).
    public let text: String

    /// The compact canonical text of `value`.
    public init(_ value: JSONValue) {
        text = String(decoding: JSONWriter.encode(value), as: UTF8.self)
    }

    /// `text` if it is one JSON value (whitespace around it allowed).
    /// - Throws: `JSONParser.Failure` with the offset of the first byte that is not valid JSON.
    public init(text: String) throws(JSONParser.Failure) {
        try JSONTape.read(text.utf8) { $0.map { _ in () } }.get()
        self.text = text
    }

    /// Text already checked by the tape it was cut from.
    init(checked text: String) { self.text = text }

    /// The value, parsed from the text on each access (the text is valid JSON, so this cannot fail).
    public var value: JSONValue { (try? JSONParser.parse(text.utf8)) ?? .null }

    /// The text.
    public var description: String { text }

    /// The compact canonical text (`JSONWriter`): what equality and hashing compare, so that
    /// `2.5e1` and `25` (the canonical text of the same number) are one value.
    public var canonicalText: String { String(decoding: JSONWriter.encode(value), as: UTF8.self) }

    public static func == (lhs: RawJSON, rhs: RawJSON) -> Bool {
        lhs.text == rhs.text || lhs.canonicalText == rhs.canonicalText
    }

    public func hash(into hasher: inout Hasher) { hasher.combine(canonicalText) }
}

extension RawJSON: Codable {
    /// Decodes any JSON value. `JSONValueDecoder.decode(_:fromJSON:)` never calls this: it cuts
    /// the text straight from the document.
    public init(from decoder: any Decoder) throws {
        self.init(try JSONValue(from: decoder))
    }

    /// Encodes the value (an object stays an object, not a string of JSON).
    public func encode(to encoder: any Encoder) throws { try value.encode(to: encoder) }
}
