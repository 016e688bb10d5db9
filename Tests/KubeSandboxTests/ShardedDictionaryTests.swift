import Testing

@testable import KubeSandbox

/// `ShardedDictionary` answers as a `Dictionary` would, through growth and removal.
@Suite struct ShardedDictionaryTests {
    @Test func answersAsADictionaryThroughRandomWrites() {
        var generator = SplitMix(seed: 42)
        var sharded = ShardedDictionary<String, Int>()
        var plain: [String: Int] = [:]
        // Enough keys that every shard grows several times; a third of the writes remove.
        for step in 0..<60_000 {
            let key = "ns-\(generator.next() % 7)/object-\(generator.next() % 20_000)"
            if generator.next() % 3 == 0 {
                sharded[key] = nil
                plain[key] = nil
            } else {
                sharded[key] = step
                plain[key] = step
            }
            if step % 5_000 == 0 { #expect(sharded.count == plain.count) }
        }
        #expect(sharded.count == plain.count)
        #expect(sharded.isEmpty == plain.isEmpty)
        #expect(Set(sharded.keys) == Set(plain.keys))
        #expect(sharded.keys.count == plain.count)
        #expect(Dictionary(uniqueKeysWithValues: sharded.map { ($0.key, $0.value) }) == plain)
        for key in plain.keys.prefix(500) { #expect(sharded[key] == plain[key]) }
        #expect(sharded["absent"] == nil)
    }

    @Test func removingEverythingLeavesItEmpty() {
        var sharded = ShardedDictionary<Int, String>()
        for key in 0..<1_000 { sharded[key] = "\(key)" }
        sharded[5] = "five"
        #expect(sharded.count == 1_000)
        #expect(sharded[5] == "five")
        for key in 0..<1_000 { sharded[key] = nil }
        sharded[1] = nil
        #expect(sharded.isEmpty)
        #expect(sharded.keys.isEmpty)
        #expect(Array(sharded).isEmpty)
    }
}

/// A small deterministic generator, so a failure repeats.
private struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
