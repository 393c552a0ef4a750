// The pooled learner's batch scorer (PooledScoring.swift) against its plain twin: bit for bit, at any thread
// count, on a pooled ensemble trained on the networks data.

import Foundation
import XCTest
import TagStackModel
@testable import TagStack

final class PooledScoringTests: XCTestCase, TrainsOnNetworks {
    func testBatchScoresEqualThePlainTwinBitForBit() throws {
        let d = try data()
        var o = options()
        o.learner = .pooled; o.boosting.rounds = 40; o.decision = nil
        o.guards.margin = -1; o.guards.confidence = 0      // every tag on the pooled model: the ensemble is written
        let model = try Stacker.train(data: d, options: o).model
        let ensemble = try XCTUnwrap(model.pooled).booster
        XCTAssertGreaterThan(ensemble.trees.count, 5, "a real ensemble to walk")
        XCTAssertTrue(ensemble.trees.contains { $0.splitFeature.contains { Int($0) >= model.features!.kinds.count } },
                      "some split on a tag-level value")
        let set = FeatureMatrix.defaultSet(for: d, mode: .own)
        let raw = ScoreColumns(x: d.x, inputs: d.tagColumns)
        let n = d.x.rowCount
        var rng = SplitMix64(seed: 11)
        let subset = (0..<Int32(n)).filter { _ in rng.nextDouble() < 0.3 }
        let values = PooledLearner.tagValues(labels: d.labels, y: d.labelColumns, base: raw, rows: subset)
        for (rows, threads) in [(subset, 1), (subset, 3), (Array(0..<Int32(n)), 2), (Array(subset.prefix(5)), 2)] {
            let features = try FeatureMatrix(data: d, set: set, threads: threads)
            let fast = PooledScoring.probabilities(ensemble, features: features, tagValues: values, rows: rows, base: raw, threads: threads)
            let plain = PooledScoring.probabilitiesPlain(ensemble, features: features, tagValues: values, rows: rows, base: raw)
            XCTAssertEqual(fast.count, d.labels.count)
            XCTAssertEqual(fast.map { $0.map(\.bitPattern) }, plain.map { $0.map(\.bitPattern) }, "\(rows.count) rows, \(threads) threads")
            XCTAssertTrue(zip(fast, plain).allSatisfy { $0.count == rows.count && $1.count == rows.count })
        }
        XCTAssertGreaterThan(subset.count, PooledScoring.rowBlock * 3, "several row blocks")
    }
}
