// The stumps learner (Learners/StumpsLearner.swift).

import Foundation
import XCTest
import TagStackModel
@testable import TagStack

final class StumpsLearnerTests: XCTestCase, TrainsOnNetworks {
    /// Every learned tag is a boosted model of stumps (one split a tree), recorded as `stumps`; the model scores
    /// its out-of-fold tags as any boosted model, and the same at 1 and 2 threads.
    func testStumpsAreOneSplitTrees() throws {
        var o = options()
        o.learner = .stumps; o.boosting.rounds = 40; o.guards.confidence = 0; o.guards.margin = -1
        o.threads = 1
        let one = try Stacker.train(data: data(), options: o)
        o.threads = 2
        let two = try Stacker.train(data: data(), options: o)
        XCTAssertEqual(try one.model.encoded(), try two.model.encoded())
        XCTAssertEqual(one.model.learner, "stumps")
        let boosted = one.model.tags.compactMap(\.booster)
        XCTAssertFalse(boosted.isEmpty, "some tag learned")
        for e in boosted {
            XCTAssertFalse(e.trees.isEmpty)
            for t in e.trees { XCTAssertLessThanOrEqual(t.leafCount, 2) }
        }
        let x = Self.networks.test.X
        let scored = try ModelScorer(model: one.model).score(values: x.values, columns: x.columns)
        XCTAssertTrue(scored.probabilities.allSatisfy { $0 >= 0 && $0 <= 1 })
    }
}
