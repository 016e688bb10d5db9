/// A strict RFC 8259 JSON parser over UTF-8 bytes that produces `JSONValue`: the project's one
/// JSON reader (the sandbox parses request bodies with it, the Kube client response bodies).
/// It scans into a `JSONTape` (`JSONTape.Builder` holds the scanner) and builds the value from
/// that; `JSONValueDecoder.decode(_:fromJSON:)` decodes typed values from the same tape.
///
/// It is several times faster than going through Foundation, keeps integers and floats apart as
/// apimachinery does (an integer literal that does not fit `Int64` becomes a `.double`), and
/// reports the byte offset of the first error so a caller can say where a body is malformed.
/// Nesting is bounded (200 levels) so a hostile body cannot exhaust the stack. Duplicate object
/// keys keep the last value, as Go's encoding/json does. Invalid UTF-8 in a string is an error.
public struct JSONParser {
    /// Why a body is not JSON, with the byte offset where parsing stopped.
    public struct Failure: Error, Equatable, CustomStringConvertible {
        /// What is wrong, in encoding/json's words (`invalid character 'x' looking for beginning of value`).
        public var message: String
        /// The offset of the offending byte from the start of the input.
        public var offset: Int

        /// A failure at `offset`.
        public init(message: String, offset: Int) {
            self.message = message
            self.offset = offset
        }

        /// `invalid JSON at byte 12: after object key`.
        public var description: String { "invalid JSON at byte \(offset): \(message)" }
    }

    /// Parses one JSON value that spans the whole input (whitespace around it is allowed).
    /// - Throws: `Failure` with the offset of the first byte that is not valid JSON.
    public static func parse<Bytes: Collection>(_ input: Bytes) throws(Failure) -> JSONValue where Bytes.Element == UInt8 {
        try JSONTape.read(input) { $0.map { $0.value(at: 0) } }.get()
    }
}
