/// A random source that always returns the same fraction of the range, to pin jitter at an edge.
struct FixedRandom: RandomNumberGenerator {
    var value: UInt64
    mutating func next() -> UInt64 { value }
}
