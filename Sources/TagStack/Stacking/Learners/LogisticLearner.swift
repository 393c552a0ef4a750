// Per tag, L2-regularised logistic regression over the tag's standardised features (its own score and row
// statistics, other networks' scores, with `--features all` every input column). Fitted per fold for the
// out-of-fold scores, then on every row.

import TagStackModel

struct LogisticLearner: Learner {
    var kind: LearnerKind { .logistic }

    func run(_ c: FoldContext) throws -> LearnerRun {
        let features = c.requiredFeatures
        let lp = LogisticParameters(lambda: c.options.logistic.lambda)
        let d = features.set.count
        return try PerTagLearning.run(kind, c, features: features) { k, _, own in
            let y = c.labels[k]
            let columns = own + features.shared
            var oof = [Double](repeating: 0, count: y.count)
            func score(_ m: LinearModel, rows: [Int32]) {
                let x = features.rowMajor(own, rows: rows)
                x.withUnsafeBufferPointer { xp in
                    for (r, i) in rows.enumerated() {
                        oof[Int(i)] = sigmoid(m.rawScore(UnsafeBufferPointer(rebasing: xp[(r * d)..<((r + 1) * d)])))
                    }
                }
            }
            let folds = Self.fitFolds(c, labels: y, columns: columns)
            for (split, m) in zip(c.splits ?? [], folds) { score(m, rows: split.valid) }
            let final = Logistic.train(columns: columns, labels: y, rows: c.allRows, parameters: lp, start: folds.last)
            if c.splits == nil { score(final, rows: c.allRows) }
            return PerTagLearning.Fit(model: TagModel(name: c.data.labels.tags[k], form: .linear(final), threshold: nil),
                                      oof: oof, foldModels: c.splits == nil ? [final] : folds)
        }
    }

    /// A tag's fold models, one per split of `c` in order, on `columns` (its per-tag features, then the shared
    /// columns). Each fit starts from the previous one (folds share most rows): fewer Newton iterations, same
    /// optimum. Called by the learner and by the permutation importance's refit, which must reproduce it.
    static func fitFolds(_ c: FoldContext, labels y: [UInt8], columns: [[Double]]) -> [LinearModel] {
        let lp = LogisticParameters(lambda: c.options.logistic.lambda)
        var previous: LinearModel? = nil
        return (c.splits ?? []).map { split in
            let m = Logistic.train(columns: columns, labels: y, rows: split.train, parameters: lp, start: previous)
            previous = m
            return m
        }
    }
}
