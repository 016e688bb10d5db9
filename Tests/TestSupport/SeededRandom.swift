/// SplitMix64: a small, seeded random generator, so that property tests and fuzzers draw the same
/// values on every run (and a failure can be replayed from its seed). Shared by every test target.
public struct SeededRandom: RandomNumberGenerator {
    /// The generator's state; the seed at first.
    public var state: UInt64

    /// A generator that starts at `seed`.
    public init(seed: UInt64) { state = seed }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
