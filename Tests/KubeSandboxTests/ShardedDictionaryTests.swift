import Testing

@testable import KubeSandbox

/// `ShardedDictionary` answers as a `Dictionary` would, through growth and removal.
@Suite struct ShardedDictionaryTests {
    @Test func answersAsADictionaryThroughScatteredWrites() {
        var sharded = ShardedDictionary<String, Int>()
        var plain: [String: Int] = [:]
        // Enough keys that every shard grows several times; a third of the writes remove.
        for step in 0..<60_000 {
            // Keys revisited in a scattered order (7,919 is prime, so the steps cover all 20,000).
            let key = "ns-\(step % 7)/object-\((step &* 7_919) % 20_000)"
            if (step / 7) % 3 == 0 {
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
