// PooledTrees (every pooled tag of a track through the shared ensemble, tag-level splits resolved at load)
// against its plain twin, TreeEnsemble.rawScore over each tag's full vector: bit for bit, with NaNs, default
// left and right, values equal to thresholds and shared by several tags, constant trees, more tags than one
// chunk (256), trees of more than 64 and of more than 256 leaves.

import XCTest
@testable import TagStackModel

final class PooledTreesTests: XCTestCase {
    /// Random ensembles over `features` track features then `values` tag values; `tags` tags with random
    /// values on the thresholds' grid (so ties are hit), rows with NaNs and exact thresholds.
    func testMatchesThePlainTwinBitForBit() throws {
        var rng = SplitMix(seed: 2024)
        print("PooledTreesTests seed 2024")
        for round in 0..<30 {
            let features = 1 + Int(rng.next() % 8), values = Int(rng.next() % 4)
            let trees = try (0..<(1 + Int(rng.next() % 30))).map { _ in
                try QuickScorerTests.randomTree(leaves: 1 + Int(rng.next() % 64), features: features + values, rng: &rng)
            }
            let ensemble = TreeEnsemble(baseScore: 0, trees: trees)
            let tags = 1 + Int(rng.next() % 20)
            let tagValues = (0..<tags).map { _ in (0..<values).map { _ in Double(rng.next() % 9) / 8 + (rng.next() % 3 == 0 ? 0.01 : 0) } }
            assertRandomRows(PooledTrees(trees, featureCount: features, tagValues: tagValues), ensemble, features: features,
                             tagValues: tagValues, grid: 4, rows: 20, rng: &rng, round: round)
        }
    }

    /// More tags than one chunk (two passes, the second not full) and trees of up to 100 leaves.
    func testSeveralChunksAndLargeTrees() throws {
        var rng = SplitMix(seed: 2026)
        print("PooledTreesTests seed 2026")
        for round in 0..<4 {
            let features = 1 + Int(rng.next() % 5), values = 1 + Int(rng.next() % 2)
            let trees = try (0..<(1 + Int(rng.next() % 12))).map { _ in
                try QuickScorerTests.randomTree(leaves: 1 + Int(rng.next() % 100), features: features + values, rng: &rng)
            }
            let ensemble = TreeEnsemble(baseScore: 0, trees: trees)
            let tags = PooledTrees.chunk + 1 + Int(rng.next() % 300)
            let tagValues = (0..<tags).map { _ in (0..<values).map { _ in Double(rng.next() % 9) / 8 } }
            assertRandomRows(PooledTrees(trees, featureCount: features, tagValues: tagValues), ensemble, features: features,
                             tagValues: tagValues, grid: 5, rows: 3, rng: &rng, round: round)
        }
    }

    /// Trees of more than 256 leaves (their tags' leaves found bit by bit, not by the 8-bit leaf numbers), and
    /// infinite values (the bin search's buckets clamp them).
    func testTreesOfMoreThan256Leaves() throws {
        var rng = SplitMix(seed: 2027)
        print("PooledTreesTests seed 2027")
        let trees = try [300, 5, 257].map { try QuickScorerTests.randomTree(leaves: $0, features: 3, rng: &rng) }
        let ensemble = TreeEnsemble(baseScore: 0, trees: trees)
        let tagValues = (0..<70).map { _ in [Double(rng.next() % 9) / 8] }
        let p = PooledTrees(trees, featureCount: 2, tagValues: tagValues)
        let scratch = p.makeScratch()
        for round in 0..<5 {
            let rows = (0..<(70 * 2)).map { _ -> Double in
                switch rng.next() % 12 { case 0: return .nan; case 1: return .infinity; case 2: return -.infinity; default: return rng.unit() * 1.2 - 0.1 }
            }
            let start = (0..<70).map { _ in rng.unit() * 4 - 2 }
            assertMatchesPlainTwin(p, ensemble, rows: rows, features: 2, tagValues: tagValues, start: start, scratch: scratch, round: round)
        }
    }

    /// Splits only on tag values (a tree a tag resolves entirely), and only on track features.
    func testTagOnlyAndTrackOnlyTrees() throws {
        let onTag = try Tree(splitFeature: [1], threshold: [0.5], leftChild: [~0], rightChild: [~1], defaultLeft: [false], leafValue: [1, 2])
        let onTrack = try Tree(splitFeature: [0], threshold: [0.5], leftChild: [~0], rightChild: [~1], defaultLeft: [true], leafValue: [10, 20])
        let p = PooledTrees([onTag, onTrack, Tree(constant: 100)], featureCount: 1, tagValues: [[0.5], [0.7]])
        let scratch = p.makeScratch()
        for (x, expected) in [(0.5, [111.0, 112]), (0.6, [121, 122]), (.nan, [111, 112])] {
            var raw = [0.0, 0.0]
            [x, x].withUnsafeBufferPointer { rb in
                raw.withUnsafeMutableBufferPointer { out in
                    p.accumulate(rows: rb.baseAddress!, stride: 1, into: out.baseAddress!, scratch: scratch)
                }
            }
            XCTAssertEqual(raw, expected, "x = \(x)")
        }
    }

    /// `rows` random tracks through `p`, each checked against the plain twin: values NaN (1 in 10), on the
    /// thresholds' grid (`grid - 1` in 10) or in between.
    func assertRandomRows(_ p: PooledTrees, _ ensemble: TreeEnsemble, features: Int, tagValues: [[Double]], grid: UInt64, rows count: Int,
                          rng: inout SplitMix, round: Int, file: StaticString = #filePath, line: UInt = #line) {
        let scratch = p.makeScratch(), tags = tagValues.count
        for _ in 0..<count {
            let rows = (0..<(tags * features)).map { _ -> Double in
                let r = rng.next() % 10
                return r == 0 ? .nan : (r < grid ? Double(rng.next() % 9) / 8 : rng.unit() * 1.2 - 0.1)
            }
            let start = (0..<tags).map { _ in rng.unit() * 4 - 2 }
            assertMatchesPlainTwin(p, ensemble, rows: rows, features: features, tagValues: tagValues, start: start,
                                   scratch: scratch, round: round, file: file, line: line)
        }
    }

    /// Scores one track's pooled rows (`tagValues.count` tags × `features`) through `p` and checks every tag
    /// against the plain twin (`ensemble` on the row plus the tag's values), bit for bit.
    func assertMatchesPlainTwin(_ p: PooledTrees, _ ensemble: TreeEnsemble, rows: [Double], features: Int, tagValues: [[Double]],
                                start: [Double], scratch: PooledTrees.Scratch, round: Int, file: StaticString = #filePath, line: UInt = #line) {
        var raw = start
        rows.withUnsafeBufferPointer { rb in
            raw.withUnsafeMutableBufferPointer { out in
                p.accumulate(rows: rb.baseAddress!, stride: features, into: out.baseAddress!, scratch: scratch)
            }
        }
        for s in 0..<tagValues.count {
            let full = Array(rows[(s * features)..<((s + 1) * features)]) + tagValues[s]
            let plain = ensemble.rawScore(row: full, initScore: start[s])
            XCTAssertEqual(raw[s].bitPattern, plain.bitPattern, "round \(round), tag \(s), row \(full)", file: file, line: line)
        }
    }
}
