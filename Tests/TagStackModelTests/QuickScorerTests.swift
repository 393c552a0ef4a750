// QuickScorer (bitvector tree scoring) against its plain twin, TreeEnsemble.rawScore: bit for bit, NaNs,
// ties with thresholds, constant trees and the >64-leaf fallback included.

import XCTest
@testable import TagStackModel

final class QuickScorerTests: XCTestCase {
    /// A random tree with `leaves` leaves over `features` features (thresholds on a coarse grid, so rows hit
    /// them exactly), built the way a leaf-wise grower numbers nodes (children after their parent).
    static func randomTree(leaves: Int, features: Int, rng: inout SplitMix) throws -> Tree {
        if leaves == 1 { return Tree(constant: rng.unit() - 0.5) }
        var split: [Int32] = [], thr: [Double] = [], left: [Int32] = [], right: [Int32] = [], dl: [Bool] = []
        var leafCount = 1
        var openLeaves: [(parent: Int, isLeft: Bool)] = [(-1, true)]   // leaf 0 is the root
        while leafCount < leaves {
            let pick = Int(rng.next() % UInt64(openLeaves.count))
            let (parent, isLeft) = openLeaves[pick]
            let node = split.count
            split.append(Int32(rng.next() % UInt64(features))); thr.append(Double(rng.next() % 9) / 8)
            dl.append(rng.next() % 2 == 0)
            let leafL = pick, leafR = leafCount
            left.append(~Int32(leafL)); right.append(~Int32(leafR))
            if parent >= 0 { if isLeft { left[parent] = Int32(node) } else { right[parent] = Int32(node) } }
            openLeaves[pick] = (node, true)
            openLeaves.append((node, false))
            leafCount += 1
        }
        return try Tree(splitFeature: split, threshold: thr, leftChild: left, rightChild: right, defaultLeft: dl,
                        leafValue: (0..<leaves).map { _ in rng.unit() - 0.5 })
    }

    func testMatchesThePlainTwinBitForBit() throws {
        var rng = SplitMix(seed: 12345)
        print("QuickScorerTests seed 12345")
        for round in 0..<20 {
            let features = 1 + Int(rng.next() % 12)
            let trees = try (0..<(1 + Int(rng.next() % 40))).map { _ in
                try QuickScorerTests.randomTree(leaves: 1 + Int(rng.next() % 64), features: features, rng: &rng)
            }
            let ensemble = TreeEnsemble(baseScore: 0.25, trees: trees)
            let q = try XCTUnwrap(QuickScorer(trees))
            var leaves = [UInt64](repeating: 0, count: q.treeCount)
            for _ in 0..<200 {
                let row = (0..<features).map { _ -> Double in
                    let r = rng.next() % 10
                    return r == 0 ? .nan : (r < 4 ? Double(rng.next() % 9) / 8 : rng.unit() * 1.2 - 0.1)
                }
                var raw = 0.25
                row.withUnsafeBufferPointer { rb in leaves.withUnsafeMutableBufferPointer { q.accumulate(rb, leaves: $0.baseAddress!, into: &raw) } }
                let plain = ensemble.rawScore(row: row)
                XCTAssertEqual(raw.bitPattern, plain.bitPattern, "round \(round), row \(row)")
            }
        }
    }

    func testMoreThan64LeavesFallsBack() throws {
        var rng = SplitMix(seed: 7)
        let big = try QuickScorerTests.randomTree(leaves: 65, features: 3, rng: &rng)
        XCTAssertNil(QuickScorer([big]))
        XCTAssertNotNil(QuickScorer([Tree(constant: 1)]))
    }
}

/// SplitMix64, for test data.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
}
