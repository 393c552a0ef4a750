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
        let usual = CrossFit.weightedF1(data: d, probabilities: ScoreColumns(x: d.x, values: raw), rule: .thresholds, fold: fold, k: 3)
        // X's own columns read in place are the same scores.
        XCTAssertEqual(CrossFit.weightedF1(data: d, probabilities: ScoreColumns(x: d.x, inputs: d.tagColumns), rule: .thresholds, fold: fold, k: 3),
                       usual)
        let perFold = CrossFit.weightedF1(labels: labels, fold: fold, k: 3, threads: 2) { _, k in raw[k] }
        XCTAssertEqual(perFold, usual, accuracy: 1e-12)
        // A per-tag shift that differs between folds moves each fold's thresholds with it: no penalty.
        let shifted = CrossFit.weightedF1(labels: labels, fold: fold, k: 3, threads: 2) { f, k in raw[k].map { $0 * 0.5 + 0.1 * Double(f) } }
        XCTAssertEqual(shifted, usual, accuracy: 1e-12)
    }
}
