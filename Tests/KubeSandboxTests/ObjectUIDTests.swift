import Foundation
import TestSupport
import Testing

@testable import KubeSandbox

/// Object uids are version 4 UUIDs written as Foundation writes them, in lower case.
@Suite struct ObjectUIDTests {
    @Test func aUIDIsTheUUIDOfItsBitsWithVersionAndVariantSet() {
        var random = SeededRandom(seed: 11)
        for _ in 0..<1_000 {
            let (high, low) = (random.next(), random.next())
            let text = ObjectUID.format(high: high, low: low)
            var bytes = [UInt8](repeating: 0, count: 16)
            for index in 0..<8 {
                bytes[index] = UInt8(truncatingIfNeeded: high >> UInt64(56 - 8 * index))
                bytes[8 + index] = UInt8(truncatingIfNeeded: low >> UInt64(56 - 8 * index))
            }
            bytes[6] = bytes[6] & 0x0F | 0x40
            bytes[8] = bytes[8] & 0x3F | 0x80
            let uuid = UUID(uuid: (bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                                   bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]))
            #expect(text == uuid.uuidString.lowercased())
        }
        #expect(ObjectUID.format(high: 0, low: 0) == "00000000-0000-4000-8000-000000000000")
        #expect(ObjectUID.format(high: .max, low: .max) == "ffffffff-ffff-4fff-bfff-ffffffffffff")
    }

    @Test func randomUIDsAreVersionFourAndDistinct() {
        let uids = (0..<1_000).map { _ in ObjectUID.random() }
        #expect(Set(uids).count == uids.count)
        for uid in uids {
            let parsed = UUID(uuidString: uid)
            #expect(parsed?.uuidString.lowercased() == uid)
            #expect(Array(uid.utf8)[14] == UInt8(ascii: "4"))
            #expect("89ab".utf8.contains(Array(uid.utf8)[19]))
        }
    }
}
