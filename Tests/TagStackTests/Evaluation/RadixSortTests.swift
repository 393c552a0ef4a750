@testable import TagStack
import XCTest

final class RadixSortTests: XCTestCase {
    /// The radix sort against its plain twin (`Array.sort()`), bit for bit: random keys, keys sharing their
    /// high bytes (skipped digits), duplicates, every size around the small-array cut, and score keys.
    func testRadixSortEqualsStandardSort() {
        var rng = SplitMix64(seed: 11)
        var cases: [[UInt64]] = [[], [5], [3, 1, 2]]
        for n in [RadixSort.smallCount - 1, RadixSort.smallCount, RadixSort.smallCount + 1, 1000, 12_345] {
            cases.append((0..<n).map { _ in rng.next() })
            cases.append((0..<n).map { _ in 0xABCD_0000_0000_0000 | (rng.next() & 0xFFFF) })
            cases.append((0..<n).map { _ in UInt64(rng.nextInt(below: 7)) })
            cases.append((0..<n).map { _ in DescendingCurve.descendingKey(rng.nextDouble()) })
            cases.append([UInt64](repeating: 42, count: n))
        }
        for (i, keys) in cases.enumerated() {
            var radix = keys
            RadixSort.sort(&radix)
            XCTAssertEqual(radix, keys.sorted(), "case \(i), \(keys.count) keys")
        }
    }
}
