// The boosted fold protocol (CrossValidation/BoostedFolds.swift).

import Foundation
import XCTest
import TagStackModel
@testable import TagStack

final class BoostedFoldsTests: XCTestCase {
    /// The fold protocol: fold f is scored at the mean best round of the other folds; the final model is
    /// refitted at the mean best round.
    func testBoostedFoldsScoreEachFoldAtTheOtherFoldsRounds() throws {
        let tree = try Tree(splitFeature: [], threshold: [], leftChild: [], rightChild: [], defaultLeft: [], leafValue: [1])
        let full = TreeEnsemble(baseScore: 0, trees: Array(repeating: tree, count: 10))
        let best = [2, 4, 9]
        var scoredAt = [Int](repeating: -1, count: 3)
        var refitRounds = -1
        let out = try BoostedFolds.run(folds: 3, rounds: 10, final: .refit, workers: 1,
                                       fit: { f, _ in BoostedFolds.FoldFit(ensemble: full, bestRound: best[f]) },
                                       score: { f, e in scoredAt[f] = e.trees.count },
                                       refit: { r in
                                           refitRounds = r
                                           return TrainedBooster(ensemble: TreeEnsemble(baseScore: 0, trees: Array(full.trees.prefix(r))), bestIteration: r,
                                                                 gainImportance: [2.5], validationLoss: [])
                                       })
        XCTAssertEqual(scoredAt, [7, 6, 3])   // round((4+9)/2) = 7 (6.5 rounds away from zero), (2+9)/2 → 6, (2+4)/2 = 3
        XCTAssertEqual(refitRounds, 5)
        XCTAssertEqual(out.rounds, 5)
        XCTAssertEqual(out.gain, [2.5], "the refitted model's gain importance")
        let averaged = try BoostedFolds.run(folds: 3, rounds: 10, final: .average, workers: 2,
                                            fit: { f, _ in BoostedFolds.FoldFit(ensemble: full, bestRound: best[f]) },
                                            score: { _, _ in }, refit: { _ in
                                                XCTFail("no refit when averaging")
                                                return TrainedBooster(ensemble: full, bestIteration: 10, gainImportance: [], validationLoss: [])
                                            })
        XCTAssertNil(averaged.gain, "averaged fold models have no gain importance")
        XCTAssertEqual(averaged.ensemble.trees.count, 15)
        XCTAssertEqual(averaged.ensemble.trees[0].leafValue[0], 1.0 / 3)
    }

    /// Each fold's share of the workers' threads: 1, except the folds of a last wave smaller than the workers,
    /// which split the workers between them (rounded down).
    func testALastWaveSmallerThanTheWorkersSharesTheirThreads() throws {
        let tree = try Tree(splitFeature: [], threshold: [], leftChild: [], rightChild: [], defaultLeft: [], leafValue: [1])
        let full = TreeEnsemble(baseScore: 0, trees: [tree])
        for (folds, workers, expected) in [(5, 2, [1, 1, 1, 1, 2]), (3, 2, [1, 1, 2]), (4, 2, [1, 1, 1, 1]),
                                           (5, 3, [1, 1, 1, 1, 1]), (2, 4, [2, 2]), (3, 1, [1, 1, 1])] {
            let lock = NSLock()
            var shares = [Int](repeating: 0, count: folds)
            _ = try BoostedFolds.run(folds: folds, rounds: 1, final: .average, workers: workers,
                                     fit: { f, share in
                                         lock.lock(); shares[f] = share; lock.unlock()
                                         return BoostedFolds.FoldFit(ensemble: full, bestRound: 1)
                                     },
                                     score: { _, _ in }, refit: { _ in XCTFail("no refit when averaging"); throw CancellationError() })
            XCTAssertEqual(shares, expected, "\(folds) folds on \(workers) workers")
        }
    }
}
