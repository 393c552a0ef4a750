// The project's seeded random generator. All randomness in training comes from a `SplitMix64` passed in
// explicitly; nothing reads the system generator.

/// SplitMix64 (Steele, Lea & Flood 2014): a tiny, fast, seedable 64-bit generator.
///
/// The same seed always gives the same sequence on every platform. Conforms to `RandomNumberGenerator`,
/// so `shuffle(using:)` works, but TagStack's own code uses `next()`, `nextDouble()` and `nextInt(below:)`
/// whose outputs are specified here rather than by the standard library.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    public var state: UInt64

    public init(seed: UInt64) { state = seed }

    /// The next 64 random bits.
    @inlinable
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return SplitMix64.mix(state)
    }

    /// A uniform double in [0, 1) with 53 random bits.
    @inlinable
    public mutating func nextDouble() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// A uniform integer in `0..<bound` (Lemire's multiply-shift with rejection). `bound` must be positive.
    @inlinable
    public mutating func nextInt(below bound: Int) -> Int {
        precondition(bound > 0, "SplitMix64.nextInt(below: \(bound)): bound should be positive")
        let b = UInt64(bound)
        while true {
            let m = next().multipliedFullWidth(by: b)
            if m.low >= b || m.low >= (0 &- b) % b { return Int(m.high) }
        }
    }

    /// The SplitMix64 output function: a strong 64-bit mix.
    @inlinable
    public static func mix(_ z0: UInt64) -> UInt64 {
        var z = z0
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A seed for sub-task `index` derived from `base` only (never from scheduling), e.g. one per tag.
    public static func derive(_ base: UInt64, _ index: Int) -> UInt64 {
        mix(mix(base ^ 0x5EED_0F_7A65_7A67) &+ UInt64(truncatingIfNeeded: index) &* 0x9E37_79B9_7F4A_7C15)
    }
}
