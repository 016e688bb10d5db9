/// A single-value container whose every integer type is read by one generic `integer(_:)`: the
/// ten fixed-width `decode` overloads `SingleValueDecodingContainer` asks for, written once for
/// both JSON decoders (over a tape and over a `JSONValue` tree).
protocol IntegerValueDecoding: SingleValueDecodingContainer {
    /// The current value as `I`, or the decoding error for a value that is not an integer or
    /// does not fit.
    func integer<I: FixedWidthInteger>(_ type: I.Type) throws -> I
}

extension IntegerValueDecoding {
    func decode(_ type: Int.Type) throws -> Int { try integer(type) }
    func decode(_ type: Int8.Type) throws -> Int8 { try integer(type) }
    func decode(_ type: Int16.Type) throws -> Int16 { try integer(type) }
    func decode(_ type: Int32.Type) throws -> Int32 { try integer(type) }
    func decode(_ type: Int64.Type) throws -> Int64 { try integer(type) }
    func decode(_ type: UInt.Type) throws -> UInt { try integer(type) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try integer(type) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try integer(type) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try integer(type) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try integer(type) }
}
