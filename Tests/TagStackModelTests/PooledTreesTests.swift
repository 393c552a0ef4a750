// PooledTrees (every pooled tag of a track through the shared ensemble, tag-level splits resolved at load)
// against its plain twin, TreeEnsemble.rawScore over each tag's full vector: bit for bit, with NaNs, default
// left and right, values equal to thresholds, constant trees, blocks that are not full, and the fallbacks.

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
            let p = try XCTUnwrap(PooledTrees(trees, featureCount: features, tagValues: tagValues))
            var leaves = [UInt64](repeating: 0, count: p.scratchCount)
            for _ in 0..<20 {
                let rows = (0..<(tags * features)).map { _ -> Double in
                    let r = rng.next() % 10
                    return r == 0 ? .nan : (r < 4 ? Double(rng.next() % 9) / 8 : rng.unit() * 1.2 - 0.1)
                }
                let start = (0..<tags).map { _ in rng.unit() * 4 - 2 }
                assertMatchesPlainTwin(p, ensemble, rows: rows, features: features, tagValues: tagValues, start: start,
                                       leaves: &leaves, round: round)
            }
        }
    }

    /// Features shared within groups of tags (one value per group: the track's, a class's, a category's),
    /// scanned once per group over every split on them (`always`, so the scan is used however small the
    /// ensemble): still the plain twin's scores bit for bit, NaNs included.
    func testSharedFeatureGroupsMatchThePlainTwin() throws {
        var rng = SplitMix(seed: 2025)
        print("PooledTreesTests seed 2025")
        for round in 0..<30 {
            let features = 3 + Int(rng.next() % 6), values = Int(rng.next() % 3)
            let trees = try (0..<(1 + Int(rng.next() % 30))).map { _ in
                try QuickScorerTests.randomTree(leaves: 1 + Int(rng.next() % 64), features: features + values, rng: &rng)
            }
            let ensemble = TreeEnsemble(baseScore: 0, trees: trees)
            let tags = 1 + Int(rng.next() % 20)
            let tagValues = (0..<tags).map { _ in (0..<values).map { _ in Double(rng.next() % 9) / 8 } }
            // Feature 0 shared by every tag, feature 1 within 1-3 groups, feature 2 within up to 5 (or per tag).
            let keys = [(0..<tags).map { _ in 0 }, (0..<tags).map { _ in Int(rng.next() % 3) }, (0..<tags).map { _ in Int(rng.next() % 5) }]
            let groups = (0..<3).map { PooledTrees.Group(features: [$0], key: keys[$0]) }
            let p = try XCTUnwrap(PooledTrees(trees, featureCount: features, tagValues: tagValues, groups: groups, always: true))
            XCTAssertEqual(p.groups.count, 3)
            var leaves = [UInt64](repeating: 0, count: p.scratchCount)
            func value() -> Double {
                let r = rng.next() % 10
                return r == 0 ? .nan : (r < 4 ? Double(rng.next() % 9) / 8 : rng.unit() * 1.2 - 0.1)
            }
            for _ in 0..<20 {
                var rows = (0..<(tags * features)).map { _ in value() }
                for j in 0..<3 {
                    let shared = (0..<5).map { _ in value() }
                    for s in 0..<tags { rows[s * features + j] = shared[keys[j][s]] }
                }
                let start = (0..<tags).map { _ in rng.unit() * 4 - 2 }
                assertMatchesPlainTwin(p, ensemble, rows: rows, features: features, tagValues: tagValues, start: start,
                                       leaves: &leaves, round: round)
            }
        }
    }

    /// Splits only on tag values (a tree a tag resolves entirely), and only on track features.
    func testTagOnlyAndTrackOnlyTrees() throws {
        let onTag = try Tree(splitFeature: [1], threshold: [0.5], leftChild: [~0], rightChild: [~1], defaultLeft: [false], leafValue: [1, 2])
        let onTrack = try Tree(splitFeature: [0], threshold: [0.5], leftChild: [~0], rightChild: [~1], defaultLeft: [true], leafValue: [10, 20])
        let p = try XCTUnwrap(PooledTrees([onTag, onTrack, Tree(constant: 100)], featureCount: 1, tagValues: [[0.5], [0.7]]))
        var leaves = [UInt64](repeating: 0, count: p.scratchCount)
        for (x, expected) in [(0.5, [111.0, 112]), (0.6, [121, 122]), (.nan, [111, 112])] {
            var raw = [0.0, 0.0]
            [x, x].withUnsafeBufferPointer { rb in
                raw.withUnsafeMutableBufferPointer { out in
                    leaves.withUnsafeMutableBufferPointer { p.accumulate(rows: rb.baseAddress!, stride: 1, into: out.baseAddress!, leaves: $0.baseAddress!) }
                }
            }
            XCTAssertEqual(raw, expected, "x = \(x)")
        }
    }

    func testMoreThan64LeavesFallsBack() throws {
        var rng = SplitMix(seed: 7)
        let big = try QuickScorerTests.randomTree(leaves: 65, features: 3, rng: &rng)
        XCTAssertNil(PooledTrees([big], featureCount: 2, tagValues: [[0]]))
        XCTAssertNotNil(PooledTrees([Tree(constant: 1)], featureCount: 2, tagValues: [[0]]))
    }

    /// Scores one track's pooled rows (`tagValues.count` tags × `features`) through `p` and checks every tag
    /// against the plain twin (`ensemble` on the row plus the tag's values), bit for bit.
    func assertMatchesPlainTwin(_ p: PooledTrees, _ ensemble: TreeEnsemble, rows: [Double], features: Int, tagValues: [[Double]],
                                start: [Double], leaves: inout [UInt64], round: Int, file: StaticString = #filePath, line: UInt = #line) {
        var raw = start
        rows.withUnsafeBufferPointer { rb in
            raw.withUnsafeMutableBufferPointer { out in
                leaves.withUnsafeMutableBufferPointer { p.accumulate(rows: rb.baseAddress!, stride: features, into: out.baseAddress!, leaves: $0.baseAddress!) }
            }
        }
        for s in 0..<tagValues.count {
            let full = Array(rows[(s * features)..<((s + 1) * features)]) + tagValues[s]
            let plain = ensemble.rawScore(row: full, initScore: start[s])
            XCTAssertEqual(raw[s].bitPattern, plain.bitPattern, "round \(round), tag \(s), row \(full)", file: file, line: line)
        }
    }
}
