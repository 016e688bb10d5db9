/// Compact JSON serialization of `JSONValue` with object keys sorted by their UTF-8 bytes, as Go's
/// encoding/json writes a `map[string]interface{}`: stable output, so equal objects encode to equal
/// bytes. The text is also canonical (minimal escaping, integers in decimal, no dependence on
/// Foundation's encoder), so hashes over it stay the same across processes and versions.
public enum JSONWriter {
    /// The compact JSON text of `value` as UTF-8 bytes.
    public static func encode(_ value: JSONValue) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        write(value, into: &out)
        return out
    }

    /// Appends the compact JSON text of `value` to `out`.
    public static func write(_ value: JSONValue, into out: inout [UInt8]) {
        switch value {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let flag): out.append(contentsOf: (flag ? "true" : "false").utf8)
        case .int(let number): out.append(contentsOf: String(number).utf8)
        case .double(let number): writeDouble(number, into: &out)
        case .string(let text): writeString(text, into: &out)
        case .array(let elements):
            out.append(UInt8(ascii: "["))
            for (position, element) in elements.enumerated() {
                if position > 0 { out.append(UInt8(ascii: ",")) }
                write(element, into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            writeMembers(members, into: &out)
        }
    }

    /// `writeObject` for a `JSONValue`'s members, sorted as positions in the dictionary: sorting
    /// copied (key, value) pairs retained and released every value, about a third of encoding an
    /// object in the sandbox (BENCHMARKS.md, "Controller", sixteenth round).
    ///
    /// Each key is sorted by its first eight bytes as one number, and compared whole (`precedes`)
    /// only when those tie: comparing whole keys at every step, the sort was about 30% of
    /// encoding an object in the sandbox (BENCHMARKS.md, "Controller", seventeenth round).
    private static func writeMembers(_ members: [String: JSONValue], into out: inout [UInt8]) {
        out.append(UInt8(ascii: "{"))
        // Nothing to sort: every leaf of a `fieldsV1` tree is `{}`, and most of its inner nodes
        // hold one member, so managed fields are mostly such objects.
        if members.count <= 1 {
            if let (key, value) = members.first {
                writeString(key, into: &out)
                out.append(UInt8(ascii: ":"))
                write(value, into: &out)
            }
            out.append(UInt8(ascii: "}"))
            return
        }
        let keys = members.keys
        var order = members.indices.map { (prefix: prefix(of: keys[$0]), index: $0) }
        order.sort { $0.prefix != $1.prefix ? $0.prefix < $1.prefix : precedes(keys[$0.index], keys[$1.index]) }
        for (position, member) in order.enumerated() {
            if position > 0 { out.append(UInt8(ascii: ",")) }
            writeString(keys[member.index], into: &out)
            out.append(UInt8(ascii: ":"))
            write(members.values[member.index], into: &out)
        }
        out.append(UInt8(ascii: "}"))
    }

    /// The first eight UTF-8 bytes of `key`, zero-padded, as a big-endian number: one key's
    /// number is smaller than another's only if the key sorts first by its bytes, and equal
    /// numbers leave the order to the whole keys.
    static func prefix(of key: String) -> UInt64 {
        var key = key
        return key.withUTF8 { bytes in
            var value: UInt64 = 0
            for offset in 0..<8 { value = value << 8 | UInt64(offset < bytes.count ? bytes[offset] : 0) }
            return value
        }
    }

    /// Appends the object of `members` (a key and a value `writeValue` writes), in the order of
    /// the keys' UTF-8 bytes (`precedes`, the one place that decides the canonical key order, also
    /// for `writeMembers`), for `JSONValueEncoder.encodeJSON`'s slots and `JSONText`'s maps.
    static func writeObject<Members: Sequence, Value>(
        _ members: Members, into out: inout [UInt8], writeValue: (Value, inout [UInt8]) -> Void
    ) where Members.Element == (key: String, value: Value) {
        out.append(UInt8(ascii: "{"))
        // Sorted as pairs: sorting the keys and looking each one up again hashed every key twice.
        for (position, member) in members.sorted(by: { precedes($0.key, $1.key) }).enumerated() {
            if position > 0 { out.append(UInt8(ascii: ",")) }
            writeString(member.key, into: &out)
            out.append(UInt8(ascii: ":"))
            writeValue(member.value, &out)
        }
        out.append(UInt8(ascii: "}"))
    }

    /// Whether `a` sorts before `b` by their UTF-8 bytes (`a.utf8.lexicographicallyPrecedes(b.utf8)`),
    /// compared through contiguous buffers: the generic walk over two `UTF8View`s was 1% of the
    /// controller's instructions per grant (BENCHMARKS.md, "Controller", twelfth round).
    static func precedes(_ a: String, _ b: String) -> Bool {
        var a = a
        var b = b
        return a.withUTF8 { x in
            b.withUTF8 { y in
                for index in 0..<min(x.count, y.count) where x[index] != y[index] { return x[index] < y[index] }
                return x.count < y.count
            }
        }
    }

    private static func writeDouble(_ number: Double, into out: inout [UInt8]) {
        guard number.isFinite else {
            out.append(contentsOf: "null".utf8)
            return
        }
        if number == number.rounded(), abs(number) < 1e15 {
            // Go prints 1.0 as 1; keep the integral look without a trailing ".0".
            out.append(contentsOf: String(Int64(number)).utf8)
        } else {
            out.append(contentsOf: "\(number)".utf8)
        }
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    static func writeString(_ text: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        var text = text
        text.withUTF8 { bytes in
            // Runs without escapes (nearly every string) are found eight bytes at a time and
            // copied whole.
            var run = 0
            var index = JSONStringBytes.firstSpecial(in: bytes, from: 0)
            while index < bytes.count {
                let byte = bytes[index]
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[run..<index]))
                run = index + 1
                defer { index = JSONStringBytes.firstSpecial(in: bytes, from: run) }
                switch byte {
                case UInt8(ascii: "\""): out.append(contentsOf: [0x5C, 0x22])
                case UInt8(ascii: "\\"): out.append(contentsOf: [0x5C, 0x5C])
                case 0x0A: out.append(contentsOf: [0x5C, UInt8(ascii: "n")])
                case 0x0D: out.append(contentsOf: [0x5C, UInt8(ascii: "r")])
                case 0x09: out.append(contentsOf: [0x5C, UInt8(ascii: "t")])
                default:
                    out.append(contentsOf: [0x5C, UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0")])
                    out.append(hexDigits[Int(byte >> 4)])
                    out.append(hexDigits[Int(byte & 0xF)])
                }
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[run...]))
        }
        out.append(UInt8(ascii: "\""))
    }
}
