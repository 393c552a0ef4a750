// The fold protocol of every boosted learner (per-tag `gbdt` and `pooled`), written once:
//
// 1. each fold grows trees on its training rows until `patience` rounds pass without improvement of the
//    validation log loss, keeping every tree grown, and records its best round;
// 2. fold f's out-of-fold scores use the mean best round of the OTHER folds, so no fold is scored by a round
//    count chosen on itself;
// 3. the final model is refitted on every row with the mean best round (or, with `--final average`, is the
//    average of the fold models truncated to it).
// Without folds the final model is trained with the configured rounds and the learner scores in sample.

import TagStackModel

enum BoostedFolds {
    /// One fold's model: every tree grown, and the round count with the lowest validation loss.
    struct FoldFit {
        var ensemble: TreeEnsemble
        var bestRound: Int
    }

    /// The final ensemble, its round count and, when it was refitted, its gain importance per feature
    /// (`TrainedBooster.gainImportance`; nil for `--final average`).
    struct Outcome {
        var ensemble: TreeEnsemble
        var rounds: Int
        var gain: [Double]? = nil
    }

    /// Runs the protocol.
    /// - Parameters:
    ///   - folds: the fold count (0: no cross-validation).
    ///   - workers: folds fitted at once (their models must not depend on it).
    ///   - fit: fits fold f (trees grown past the best kept) and finds its best round (`bestRound`); its second
    ///     argument is the number of workers' shares of threads the fold may use (1, or more for the folds of a
    ///     last wave smaller than `workers`: 5 folds on 2 workers fit 4 two at a time, then the fifth on both;
    ///     the share is `workers / rest`, rounded down: 5 folds on 3 workers fit the last two on one share each).
    ///   - score: scores fold f's validation rows with the given (truncated) ensemble.
    ///   - refit: trains the final model on every row with the given round count.
    static func run(folds: Int, rounds: Int, final: FinalModel, workers: Int,
                    fit: (_ fold: Int, _ share: Int) throws -> FoldFit, score: (Int, TreeEnsemble) throws -> Void,
                    refit: (Int) throws -> TrainedBooster) throws -> Outcome {
        guard folds > 0 else { let b = try refit(rounds); return Outcome(ensemble: b.ensemble, rounds: rounds, gain: b.gainImportance) }
        let full = workers > 1 ? folds - folds % workers : folds, rest = folds - full
        var fits = try parallelMap(full, threads: workers) { try fit($0, 1) }
        if rest > 0 { fits += try parallelMap(rest, threads: rest) { try fit(full + $0, workers / rest) } }
        let best = fits.map(\.bestRound)
        for f in 0..<folds {
            let e = fits[f].ensemble
            try score(f, TreeEnsemble(baseScore: e.baseScore, trees: Array(e.trees.prefix(roundsOfOtherFolds(best, f)))))
        }
        let finalRounds = meanRounds(best)
        if final == .average { return Outcome(ensemble: try average(fits.map(\.ensemble), rounds: finalRounds), rounds: finalRounds) }
        let b = try refit(finalRounds)
        return Outcome(ensemble: b.ensemble, rounds: finalRounds, gain: b.gainImportance)
    }

    /// Parameters of a fold's fit: early stopping after `patience`, every tree grown kept.
    static func foldParameters(_ options: StackerOptions, seed: UInt64, pooled: Bool) -> BoostingParameters {
        var p = options.boostingParameters(rounds: options.boosting.rounds, earlyStopping: options.boosting.patience,
                                           seed: seed, pooled: pooled)
        p.truncateToBest = false
        return p
    }

    /// The round count (0 = no tree) with the lowest validation log loss (weighted mean with `weights`); the
    /// earliest on ties.
    static func bestRound(initial: [(Double, UInt8)], weights: [Double]? = nil, curve: [Double]) -> Int {
        var best = 0
        var loss = 0.0, total = 0.0
        for (i, (s, y)) in initial.enumerated() {
            let w = weights?[i] ?? 1
            loss += w * logLoss(rawScore: s, label: Double(y)); total += w
        }
        var bestLoss = loss / max(total, 1)
        for (i, l) in curve.enumerated() where l < bestLoss { bestLoss = l; best = i + 1 }
        return best
    }

    /// Fold `f`'s out-of-fold round count: the mean best round of the other folds.
    static func roundsOfOtherFolds(_ best: [Int], _ f: Int) -> Int {
        meanRounds(best.enumerated().filter { $0.offset != f }.map(\.element))
    }

    static func meanRounds(_ best: [Int]) -> Int {
        Int((Double(best.reduce(0, +)) / Double(max(best.count, 1))).rounded())
    }

    /// The fold models averaged: one ensemble holding each fold's first `rounds` trees with leaf values
    /// divided by the fold count (base score 0: the models start from initial scores).
    static func average(_ ensembles: [TreeEnsemble], rounds: Int) throws -> TreeEnsemble {
        let scale = 1 / Double(ensembles.count)
        let trees = try ensembles.flatMap { e in
            try e.trees.prefix(rounds).map { t in
                try Tree(splitFeature: t.splitFeature, threshold: t.threshold, leftChild: t.leftChild,
                         rightChild: t.rightChild, defaultLeft: t.defaultLeft, leafValue: t.leafValue.map { $0 * scale })
            }
        }
        return TreeEnsemble(baseScore: 0, trees: trees)
    }
}
