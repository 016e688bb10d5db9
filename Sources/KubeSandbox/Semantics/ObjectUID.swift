/// Object uids as the API server makes them: random (version 4) UUIDs in lower case.
///
/// Made from the system generator rather than Foundation's `UUID()`, which on Linux opened,
/// read and closed `/dev/urandom` for every uid: three system calls per created object, and an
/// AuthorizationPolicy grant creates three (BENCHMARKS.md, "Controller", seventeenth round).
enum ObjectUID {
    /// A new random uid, such as `3f0c6c4e-8d1a-4b7e-9c1d-2a5f7e9b0c13`.
    static func random() -> String {
        var generator = SystemRandomNumberGenerator()
        return format(high: generator.next(), low: generator.next())
    }

    /// The uid of 128 bits `high` and `low`, with the version (4) and variant (10) bits set.
    static func format(high: UInt64, low: UInt64) -> String {
        let high = high & 0xFFFF_FFFF_FFFF_0FFF | 0x0000_0000_0000_4000
        let low = low & 0x3FFF_FFFF_FFFF_FFFF | 0x8000_0000_0000_0000
        return String(unsafeUninitializedCapacity: 36) { text in
            let digits: StaticString = "0123456789abcdef"
            var position = 0
            func put(_ value: UInt64, nibbles: Int) {
                for shift in stride(from: (nibbles - 1) * 4, through: 0, by: -4) {
                    text[position] = digits.utf8Start[Int(value >> UInt64(shift) & 0xF)]
                    position += 1
                }
            }
            func dash() {
                text[position] = UInt8(ascii: "-")
                position += 1
            }
            put(high >> 32, nibbles: 8)
            dash()
            put(high >> 16 & 0xFFFF, nibbles: 4)
            dash()
            put(high & 0xFFFF, nibbles: 4)
            dash()
            put(low >> 48, nibbles: 4)
            dash()
            put(low & 0xFFFF_FFFF_FFFF, nibbles: 12)
            return position
        }
    }
}
