// Out-of-fold scores recomputed from the fold models (RecomputedScores.swift) are the scores the logistic
// learner computed and held, bit for bit, whether read by column or by rows, and training is the same with them.

import Foundation
import XCTest
import TagStackModel
@testable import TagStack

final class RecomputedScoresTests: XCTestCase, TrainsOnNetworks {
    /// A logistic run's columns, recomputed (nothing held) and held (everything held), per tag and per row, with
    /// the default features and with every input column shared, at 1 and 2 threads.
    func testRecomputedColumnsEqualTheHeldOnes() throws {
        let d = try data()
        for (mode, threads) in [(FeatureMode.own, 1), (.all, 2)] {
            var o = options()
            o.threads = threads; o.features = mode
            let fold = try Stacker.folds(data: d, options: o, kinds: [.logistic])
            let features = try FeatureMatrix(data: d, set: FeatureMatrix.defaultSet(for: d, mode: mode), threads: threads)
            let held = try LogisticLearner().run(FoldContext(data: d, options: o, fold: fold, features: features))
            o.heldOutOfFoldBytes = 0
            let recomputed = try LogisticLearner().run(FoldContext(data: d, options: o, fold: fold, features: features))
            let kinds = recomputed.oof.columns.filter { if case .recomputed = $0 { return true } else { return false } }.count
            XCTAssertGreaterThan(kinds, 0, "learned tags, so recomputed")
            XCTAssertFalse(held.oof.columns.contains { if case .recomputed = $0 { return true } else { return false } })
            for k in 0..<d.labels.count {
                XCTAssertEqual(recomputed.oof[k].map(\.bitPattern), held.oof[k].map(\.bitPattern), "tag \(k), \(mode), \(threads) threads")
            }
            XCTAssertEqual(recomputed.oof.rowMajor().map(\.bitPattern), held.oof.rowMajor().map(\.bitPattern))
            XCTAssertEqual(recomputed.thresholdsF1, held.thresholdsF1)
            XCTAssertEqual(recomputed.tags, held.tags)
        }
    }

    /// Rows read in chunks (`forEachRow`, chunks of `ScoreColumns.chunkRows`) in any order give each row's
    /// values, as `value` does one at a time.
    func testRowsReadInChunksAreEachRowsValues() throws {
        let d = try data()
        var o = options()
        o.heldOutOfFoldBytes = 0
        let fold = try Stacker.folds(data: d, options: o, kinds: [.logistic])
        let features = try FeatureMatrix(data: d, set: FeatureMatrix.defaultSet(for: d, mode: .own), threads: 2)
        let run = try LogisticLearner().run(FoldContext(data: d, options: o, fold: fold, features: features))
        let rows = (0..<d.x.rowCount).reversed().filter { $0 % 11 != 1 }
        XCTAssertGreaterThan(rows.count, ScoreColumns.chunkRows, "several chunks")
        var seen = 0
        run.oof.forEachRow(Array(rows)) { i, values in
            XCTAssertEqual(i, rows[seen]); seen += 1
            if i % 97 == 0 {
                for k in 0..<run.oof.count { XCTAssertEqual(values[k].bitPattern, run.oof.value(i, k).bitPattern, "row \(i), tag \(k)") }
            }
        }
        XCTAssertEqual(seen, rows.count)
    }

    /// Training with every logistic column recomputed gives the model held columns give, at 1 and 2 threads.
    func testTrainingIsTheSameWithRecomputedScores() throws {
        let d = try data()
        for threads in [1, 2] {
            var o = options()
            o.threads = threads
            let held = try Stacker.train(data: d, options: o).model.encoded()
            o.heldOutOfFoldBytes = 0
            XCTAssertEqual(try Stacker.train(data: d, options: o).model.encoded(), held, "\(threads) threads")
        }
    }
}
