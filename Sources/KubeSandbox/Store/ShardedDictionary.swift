/// A dictionary kept as 32 smaller ones, picked by the top bits of the key's hash.
///
/// Why: a Swift `Dictionary` grows by rehashing every entry at once. The store grows its
/// dictionaries under its one lock, so at 12,288 Events the next write held every request for
/// about 4 ms while 16,384 entries moved (BENCHMARKS.md, "Controller", eighth round). Split in 32,
/// each growth moves a thirty-second of the entries, and the shards grow at different moments.
///
/// Iteration order is unspecified, as a `Dictionary`'s; callers that need an order sort.
struct ShardedDictionary<Key: Hashable & Sendable, Value: Sendable>: Sendable, Sequence {
    private static var shardBits: Int { 5 }
    private var shards: [[Key: Value]] = Array(repeating: [:], count: 1 << Self.shardBits)
    /// How many entries it holds.
    private(set) var count = 0

    /// An empty dictionary.
    init() {}

    /// Whether it holds nothing.
    var isEmpty: Bool { count == 0 }

    // The top bits: a shard's own table indexes by the low bits of its (differently seeded)
    // hashes, so the two choices stay independent.
    private static func shard(of key: Key) -> Int {
        Int(truncatingIfNeeded: UInt(bitPattern: key.hashValue) >> (UInt.bitWidth - shardBits))
    }

    /// The value for `key`; setting nil removes it.
    subscript(key: Key) -> Value? {
        get { shards[Self.shard(of: key)][key] }
        set {
            let index = Self.shard(of: key)
            if let newValue {
                if shards[index].updateValue(newValue, forKey: key) == nil { count += 1 }
            } else if shards[index].removeValue(forKey: key) != nil {
                count -= 1
            }
        }
    }

    /// Every key, in no particular order.
    var keys: [Key] {
        var keys: [Key] = []
        keys.reserveCapacity(count)
        for shard in shards { keys.append(contentsOf: shard.keys) }
        return keys
    }

    /// Iterates `(key, value)` pairs, shard by shard.
    func makeIterator() -> FlattenSequence<[[Key: Value]]>.Iterator {
        shards.joined().makeIterator()
    }
}
