// Choosing the learner (Selection/LearnerChoice.swift): the margin and the tree limit.

import Foundation
import XCTest
import TagStackModel
@testable import TagStack

final class LearnerChoiceTests: XCTestCase, TrainsOnNetworks {
    func learnerLevel(_ o: StackerOptions) throws -> Level {
        try XCTUnwrap(Stacker.train(data: data(), options: o).levels.first { $0.kind == .learner })
    }

    /// A more complex learner replaces a simpler one only when it wins by the margin: a margin of 1 keeps the
    /// simplest, a margin of −1 takes the most complex, and between them the better score by more than the margin.
    func testTheMarginKeepsTheSimplerLearner() throws {
        var o = options()
        o.learner = nil; o.candidates = [.logistic, .thresholds]
        o.selection.learnerMargin = 1
        let kept = try learnerLevel(o)
        XCTAssertEqual(kept.chosen, "thresholds")
        XCTAssertEqual(kept.candidates.first?.name, "thresholds", "tried simplest first")
        o.selection.learnerMargin = -1
        XCTAssertTrue(try learnerLevel(o).chosen.hasPrefix("logistic"))
        o.selection.learnerMargin = 0
        let level = try learnerLevel(o)
        let thresholds = try XCTUnwrap(level.candidates.first { $0.name == "thresholds" }).score
        let logistic = level.candidates.filter { $0.name.hasPrefix("logistic") }.map(\.score).max()!
        XCTAssertEqual(level.chosen.hasPrefix("logistic"), logistic > thresholds, "\(level.candidates)")
    }

    /// With a choice to make, a learner whose model costs more trees a track than the limit is left out.
    func testTheTreeLimitLeavesOutCostlyLearners() throws {
        var o = options()
        o.learner = nil; o.candidates = [.thresholds, .gbdt]; o.boosting.rounds = 10
        o.selection.learnerMargin = -1
        o.selection.maxTreesPerTrack = 1
        let limited = try learnerLevel(o)
        XCTAssertEqual(limited.chosen, "thresholds")
        XCTAssertGreaterThan(limited.treesPerTrack["gbdt"] ?? 0, 1)
        o.selection.maxTreesPerTrack = 0
        XCTAssertTrue(try learnerLevel(o).chosen.hasPrefix("gbdt"))
    }
}
