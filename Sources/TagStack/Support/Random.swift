// Seeded randomness. Every random choice in TagStack comes from a generator built from an explicit seed,
// so the same data and seed give byte-identical models and outputs.

/// SplitMix64 (Steele, Lea & Flood 2014): a small, fast, seedable 64-bit generator.
///
/// Two ways in, one for each need, so that every stream depends on the base seed and an index only, never on
/// thread scheduling:
/// - `derive(_:_:)`: the seed of sub-task `index` (a tag, a fold, a pair) — what training passes down;
/// - `init(seed:stream:)`: a generator for numbered stream `stream` of a seed — what the synthetic data
///   generator and the fold assignment draw from (frozen: generated data sets and folds depend on it).
public struct SplitMix64: RandomNumberGenerator, Sendable {
    @usableFromInline var state: UInt64

    public init(seed: UInt64) { state = seed }

    @inlinable public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return SplitMix64.mix(state)
    }

    /// The SplitMix64 output function: a strong 64-bit mix.
    @inlinable public static func mix(_ z0: UInt64) -> UInt64 {
        var z = z0
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A seed for sub-task `index` derived from `base` only (never from scheduling), e.g. one per tag.
    public static func derive(_ base: UInt64, _ index: Int) -> UInt64 {
        mix(mix(base ^ 0x5EED_0F7A_657A_67) &+ UInt64(truncatingIfNeeded: index) &* 0x9E37_79B9_7F4A_7C15)
    }

    /// A uniform double in [0, 1) with 53 random bits.
    @inlinable public mutating func nextDouble() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    /// A uniform integer in `0..<bound` (Lemire's multiply-shift with rejection); `bound` must be positive.
    /// Specified here, not by the standard library, so sequences are stable across toolchains.
    @inlinable public mutating func nextInt(below bound: Int) -> Int { nextInt(bound) }

    /// A generator for the independent stream numbered `stream` of `seed` (depends on the two alone).
    public init(seed: UInt64, stream: UInt64) {
        var g = SplitMix64(seed: seed ^ (stream &* 0xD1B5_4A32_D192_ED03))
        _ = g.next()
        state = g.next()
    }

    /// The state a stream starts from: the seed a component that draws several streams of its own is given.
    public var streamSeed: UInt64 { state }
}

extension RandomNumberGenerator {
    /// Uniform in [0, 1) with 53 random bits.
    @inlinable public mutating func nextUnit() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// Standard normal by the Box–Muller transform (one value per call; deterministic).
    @inlinable public mutating func nextGaussian() -> Double {
        var u = nextUnit()
        while u <= 0 { u = nextUnit() }
        let v = nextUnit()
        return (-2 * _log(u)).squareRoot() * _cos(2 * Double.pi * v)
    }

    /// Uniform integer in 0..<n (n > 0), unbiased (Lemire's multiply-shift with rejection, specified here so
    /// that sequences do not change with the standard library's implementation).
    @inlinable public mutating func nextInt(_ n: Int) -> Int {
        precondition(n > 0, "nextInt(\(n)): bound should be positive")
        let b = UInt64(n)
        while true {
            let m = next().multipliedFullWidth(by: b)
            if m.low >= b || m.low >= (0 &- b) % b { return Int(m.high) }
        }
    }

    /// Fisher–Yates shuffle driven by `nextInt`, stable across toolchains (unlike `shuffle(using:)`).
    @inlinable public mutating func shuffle<T>(_ a: inout [T]) {
        var i = a.count
        while i > 1 {
            let j = nextInt(i)
            i -= 1
            a.swapAt(i, j)
        }
    }
}

@usableFromInline func _log(_ x: Double) -> Double { Foundation.log(x) }
@usableFromInline func _cos(_ x: Double) -> Double { Foundation.cos(x) }

import Foundation
