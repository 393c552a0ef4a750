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
            // Each fit starts from the previous one (folds share most rows): fewer Newton iterations, same optimum.
            var previous: LinearModel? = nil
            for split in c.splits ?? [] {
                let m = Logistic.train(columns: columns, labels: y, rows: split.train, parameters: lp, start: previous)
                score(m, rows: split.valid)
                previous = m
            }
            let final = Logistic.train(columns: columns, labels: y, rows: c.allRows, parameters: lp, start: previous)
            if c.splits == nil { score(final, rows: c.allRows) }
            return PerTagLearning.Fit(model: TagModel(name: c.data.labels.tags[k], form: .linear(final), threshold: nil),
                                      oof: oof)
        }
    }
}
