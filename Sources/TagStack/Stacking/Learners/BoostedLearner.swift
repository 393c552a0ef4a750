// Per tag, gradient-boosted trees over the tag's features, boosting from the network's own logit (so zero
// trees reproduce the network), through the shared fold protocol (CrossValidation/BoostedFolds.swift).

import TagStackModel

struct BoostedLearner: Learner {
    /// `gbdt`, or a learner that is this one with other tree settings (`stumps`).
    var kind: LearnerKind = .gbdt

    func run(_ c: FoldContext) throws -> LearnerRun {
        let features = c.requiredFeatures
        // Shared columns are binned once for every tag.
        let sharedBins = features.shared.isEmpty ? nil : try BinnedMatrix(columns: features.shared, threads: c.options.threads)
        return try PerTagLearning.run(kind, c, features: features) { k, seed, perTag in
            let y = c.labels[k]
            let init0 = c.base[k].map(clippedLogit)
            // Fold f's trees start from the base fitted without fold f (the same base when it has no parameters).
            let initOfFold = (0..<(c.splits?.count ?? 0)).map { f in c.baseOfFold == nil ? init0 : c.base(fold: f)[k].map(clippedLogit) }
            let own = try BoostedLearner.matrix(perTag: perTag, shared: sharedBins)
            var oof = [Double](repeating: 0, count: y.count)
            func score(_ e: TreeEnsemble, rows: [Int32], start: [Double]) {
                let x = features.rowMajor(perTag, rows: rows)
                let s = e.rawScores(values: x, rowCount: rows.count, columnCount: features.set.count,
                                    initScores: rows.map { start[Int($0)] })
                for (r, i) in rows.enumerated() { oof[Int(i)] = sigmoid(s[r]) }
            }
            let splits = c.splits ?? []
            let outcome = try BoostedFolds.run(
                folds: splits.count, rounds: c.options.boosting.rounds, final: c.options.final, workers: 1,
                fit: { f, _ in try BoostedLearner.fitFold(c, labels: y, matrix: own, start: initOfFold[f], fold: f, seed: seed) },
                score: { f, e in score(e, rows: splits[f].valid, start: initOfFold[f]) },
                refit: { rounds in
                    let p = c.options.boostingParameters(rounds: rounds, earlyStopping: 0, seed: seed)
                    return try trainBinary(matrix: own, labels: y, initScores: init0, trainRows: c.allRows, parameters: p)
                })
            if c.splits == nil { score(outcome.ensemble, rows: c.allRows, start: init0) }
            return PerTagLearning.Fit(model: TagModel(name: c.data.labels.tags[k], form: .boosted(outcome.ensemble, initScore: c.initScore),
                                                      threshold: nil),
                                      oof: oof, rounds: outcome.rounds, gain: outcome.gain)
        }
    }
}

extension BoostedLearner {
    /// A tag's binned columns: its per-tag features, then the shared columns binned once for every tag.
    static func matrix(perTag: [[Double]], shared: BinnedMatrix?) throws -> BinnedMatrix {
        let own = try BinnedMatrix(columns: perTag)
        guard let s = shared else { return own }
        return BinnedMatrix(rowCount: own.rowCount, featureCount: own.featureCount + s.featureCount,
                            bins: own.bins + s.bins, upperBounds: own.upperBounds + s.upperBounds)
    }

    /// Fold `f`'s trees for one tag and their best round, as the learner fits them (the permutation importance
    /// fits them again with this same call, so that its fold models are training's).
    static func fitFold(_ c: FoldContext, labels y: [UInt8], matrix: BinnedMatrix, start: [Double], fold f: Int,
                        seed: UInt64) throws -> BoostedFolds.FoldFit {
        let split = (c.splits ?? [])[f]
        let b = try trainBinary(matrix: matrix, labels: y, initScores: start, trainRows: split.train, validRows: split.valid,
                                parameters: BoostedFolds.foldParameters(c.options, seed: SplitMix64.derive(seed, f), pooled: false))
        return BoostedFolds.FoldFit(ensemble: b.ensemble,
                                    bestRound: BoostedFolds.bestRound(initial: split.valid.map { (start[Int($0)], y[Int($0)]) },
                                                                      curve: b.validationLoss))
    }
}
