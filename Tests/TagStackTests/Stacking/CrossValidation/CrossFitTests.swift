// Cross-fitting (CrossValidation/CrossFit.swift).

import Foundation
import XCTest
import TagStackModel
@testable import TagStack

final class CrossFitTests: XCTestCase, TrainsOnNetworks {
    /// A per-fold model's thresholds come from its own training rows: with the same scores for every fold it
    /// is the usual cross-fitted weighted F1.
    func testCrossFitWithOneModelPerFoldReducesToTheUsualOne() throws {
        let d = try data()
        let n = d.x.rowCount, t = d.labels.count
        let fold = Folds.assign(rowCount: n, k: 3, groups: d.groups?.values, seed: 1)
        let labels = d.labelColumns
        let raw = (0..<t).map { d.x.column(d.tagColumns[$0]) }
        let usual = CrossFit.ruleF1(data: d, scores: ScoreColumns(x: d.x, values: raw), rule: .thresholds, fold: fold, k: 3, tags: [], hierarchy: nil)
        // X's own columns read in place are the same scores.
        XCTAssertEqual(CrossFit.ruleF1(data: d, scores: ScoreColumns(x: d.x, inputs: d.tagColumns), rule: .thresholds, fold: fold, k: 3,
                                      tags: [], hierarchy: nil),
                       usual)
        let perFold = CrossFit.thresholdsF1(labels: labels, fold: fold, k: 3, threads: 2) { _, k in raw[k] }
        XCTAssertEqual(perFold, usual, accuracy: 1e-12)
        // A per-tag shift that differs between folds moves each fold's thresholds with it: no penalty.
        let shifted = CrossFit.thresholdsF1(labels: labels, fold: fold, k: 3, threads: 2) { f, k in raw[k].map { $0 * 0.5 + 0.1 * Double(f) } }
        XCTAssertEqual(shifted, usual, accuracy: 1e-12)
    }

    /// Without folds the per-tag thresholds are fitted and scored on every row: each tag's counts are the
    /// threshold search's own, and the rule-based scorer with those thresholds says the same.
    func testWithoutFoldsTheScorersAreInSample() throws {
        let d = try data()
        let t = d.labels.count, labels = d.labelColumns
        let raw = (0..<t).map { d.x.column(d.tagColumns[$0]) }
        let fits = (0..<t).map { ThresholdSearch.best(scores: raw[$0], labels: labels[$0]) }
        let expected = TagCounts.weightedF1((0..<t).map {
            TagCounts(truePositives: fits[$0].truePositives, support: labels[$0].reduce(0) { $0 + Int($1) }, predicted: fits[$0].predicted)
        })
        XCTAssertGreaterThan(expected, 0)
        XCTAssertEqual(CrossFit.thresholdsF1(labels: labels, fold: nil, k: 0, threads: 2) { _, k in raw[k] }, expected)
        let tags = (0..<t).map { TagModel(name: d.labels.tags[$0], form: .raw, threshold: fits[$0].threshold) }
        XCTAssertEqual(CrossFit.ruleF1(data: d, scores: ScoreColumns(x: d.x, values: raw), rule: .thresholds, fold: nil, k: 0,
                                       tags: tags, hierarchy: nil), expected)
    }

    /// `TagCounts` counts decisions as `evaluate` does.
    func testTagCountsAgreeWithEvaluate() throws {
        let y: [UInt8] = [1, 0, 1, 1, 0, 0, 1, 0], d = [true, true, false, true, false, false, false, true]
        let c = TagCounts(decisions: d, labels: y)
        XCTAssertEqual([c.truePositives, c.support, c.predicted], [2, 4, 4])
        let r = try Metrics.evaluate(truth: y, decisions: d.map { $0 ? 1 : 0 }, rowCount: 8, tags: ["a"])
        XCTAssertEqual(c.f1, r.weightedF1)
        XCTAssertEqual(TagCounts.weightedF1([c, TagCounts()]), c.f1)
    }
}
