// The feature matrix (FeatureMatrix.swift): pair features and blocks.

import Foundation
import XCTest
import TagStackModel
@testable import TagStack

final class FeatureMatrixTests: XCTestCase, TrainsOnNetworks {
    /// The pooled learner's pair features (`pairValues`: each sampled row prepared once, only its pairs'
    /// tags computed) are the values the per-tag blocks give those pairs, at any thread count.
    func testPairFeaturesEqualTheBlocksValues() throws {
        let d = try data()
        let set = FeatureMatrix.defaultSet(for: d, mode: .own)
        var rng = SplitMix64(seed: 4)
        let t = d.labels.count, n = d.x.rowCount
        let ids = (0..<(n * t)).filter { _ in rng.nextDouble() < 0.5 }
        XCTAssertGreaterThan(ids.count, 4096 * 2, "enough pairs for several chunks")
        for threads in [1, 3] {
            let features = try FeatureMatrix(data: d, set: set, threads: threads)
            let values = features.pairValues(ids)
            XCTAssertEqual(values.count, set.kinds.count * ids.count)
            let block = features.block(0..<t)
            for (p, id) in ids.enumerated() {
                for f in 0..<set.kinds.count where values[f * ids.count + p].bitPattern != block.value(tag: id % t, feature: f, row: id / t).bitPattern {
                    XCTFail("pair \(p) (row \(id / t), tag \(id % t)), feature \(f), \(threads) threads"); return
                }
            }
        }
    }

    /// Feature blocks cover the tags in order without gaps: the first at the budget, later ones shrinking with
    /// the tags left (out-of-fold scores grow as blocks shrink), never below one tag a thread.
    func testFeatureBlocksShrinkWithTheTagsLeft() {
        XCTAssertEqual(FeatureMatrix.blocks(tags: 5, blockSize: 8, threads: 2), [0..<5])
        XCTAssertEqual(FeatureMatrix.blocks(tags: 10, blockSize: 4, threads: 2), [0..<4, 4..<6, 6..<8, 8..<10])
        XCTAssertEqual(FeatureMatrix.blocks(tags: 3, blockSize: 1, threads: 2), [0..<1, 1..<2, 2..<3])
        for (t, b, threads) in [(248, 7, 2), (248, 7, 1), (56, 17, 2), (248, 1, 4)] {
            let blocks = FeatureMatrix.blocks(tags: t, blockSize: b, threads: threads)
            XCTAssertEqual(blocks.first?.count, b)
            XCTAssertEqual(blocks.flatMap { Array($0) }, Array(0..<t))
            XCTAssertTrue(blocks.allSatisfy { $0.count <= b })
            XCTAssertTrue(zip(blocks, blocks.dropFirst()).allSatisfy { $0.count >= $1.count })
            XCTAssertTrue(blocks.dropLast().allSatisfy { $0.count >= min(threads, b) })
        }
    }
}
