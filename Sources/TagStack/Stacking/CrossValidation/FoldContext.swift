// What every learner is given: the training data seen per tag, the folds and what is derived from them once
// (splits, bootstrap units), the feature matrix and the options. Built once by the orchestrator; read-only.

import TagStackModel

struct FoldContext: Sendable {
    let data: TrainingData
    /// A learner may run another with other settings on a copy (`StumpsLearner`).
    var options: StackerOptions
    /// Per tag: its 0/1 label of every row (the data's own columns, not copied).
    var labels: [[UInt8]] { data.labelColumns }
    /// Per tag: its base score of every row (its own first-stage score until the base level chose another),
    /// from the base fitted on every row: what the final model starts from. The primary network's scores are
    /// X's own columns, read in place.
    let base: ScoreColumns
    /// A fitted base (the blend) per fold: [fold] of [tag][row], fitted without the fold's rows; nil when the
    /// base has no parameters (then every fold sees `base`).
    let baseOfFold: [ScoreColumns]?
    /// Per tag: its base score of every row out of fold (row i from the base fitted without i's fold): what
    /// the later levels judge the base by, as they judge every learner by out-of-fold scores.
    let baseOutOfFold: ScoreColumns

    /// The base scores fold `f`'s models start from (nil: the final model's).
    func base(fold f: Int?) -> ScoreColumns { f.flatMap { baseOfFold?[$0] } ?? base }
    /// The fold of every row, or nil without cross-validation (`--folds 0`, or baselines only).
    let fold: [Int]?
    /// Per fold: its training rows and its validation rows (increasing), or nil without cross-validation.
    let splits: [(train: [Int32], valid: [Int32])]?
    /// Bootstrap units of the never-worse test: groups (connected over every group column) when the data has
    /// groups, else nil (rows).
    let units: [Int]?
    /// Per-tag features of every row; nil when no learner needs them.
    let features: FeatureMatrix?
    /// The features, for a learner that needs them (`LearnerKind.needsFeatures`): the orchestrator builds them
    /// whenever such a learner runs, so their absence is a defect of the stacker, not of the data.
    var requiredFeatures: FeatureMatrix {
        guard let features else { preconditionFailure("a learner that needs features ran without them (LearnerKind.needsFeatures)") }
        return features
    }
    let allRows: [Int32]

    var rowCount: Int { data.x.rowCount }
    var tagCount: Int { data.labels.count }

    init(data: TrainingData, options: StackerOptions, fold: [Int]?, features: FeatureMatrix?) {
        self.data = data; self.options = options; self.fold = fold; self.features = features
        let n = data.x.rowCount
        base = ScoreColumns(x: data.x, inputs: data.tagColumns)
        splits = fold.map { Folds.splits(fold: $0, k: options.folds) }
        units = data.groups.map { Folds.components(rowCount: n, groups: $0.values) }
        allRows = (0..<n).map(Int32.init)
        initScore = .ownLogit
        baseOfFold = nil
        baseOutOfFold = base
    }

    /// Where a boosted tag's trees start: the logit of its base score — its own column's when the base is the
    /// primary network.
    let initScore: InitScore

    /// The same context with another base score per tag (`base`, and per fold when the base is fitted):
    /// learners start from it and are judged against it.
    func with(base scores: ScoreColumns, perFold: [ScoreColumns]?, initScore i: InitScore) -> FoldContext {
        FoldContext(copying: self, base: scores, perFold: fold == nil ? nil : perFold, initScore: i)
    }

    private init(copying c: FoldContext, base r: ScoreColumns, perFold: [ScoreColumns]?, initScore i: InitScore) {
        data = c.data; options = c.options; base = r; fold = c.fold; splits = c.splits
        units = c.units; features = c.features; allRows = c.allRows; initScore = i
        baseOfFold = perFold
        if let perFold, let fold = c.fold {
            baseOutOfFold = ScoreColumns(x: r.x, values: (0..<r.count).map { k in
                let ofFold = perFold.map { $0[k] }
                return fold.enumerated().map { i, f in ofFold[f][i] }
            })
        } else {
            baseOutOfFold = r
        }
    }

    /// A score column's 0/1 decisions as paths are compared: cross-fitted with folds (each fold's threshold
    /// fitted on the other folds), in-sample without.
    func decisions(_ scores: [Double], labels y: [UInt8]) -> [Bool] {
        CrossFit.decisions(scores: scores, labels: y, fold: fold, k: options.folds)
    }

    /// Whether tag `k`'s out-of-fold scores, where a learner can recompute them from its fold models, are
    /// recomputed when read rather than held: tags in order are held while their columns fit
    /// `options.heldOutOfFoldBytes`, by default every tag while all tags' columns fit in 32 MiB (12,000 rows ×
    /// 248 tags: 23 MiB), else X / 32 (100,000 rows × 289 columns: 9 of 248 tags), so that with X, the labels
    /// and the runtime (≈ 1.2 × X), the feature block and each thread's fit training stays within 1.5 × X
    /// (recomputing costs time: README, Large catalogues).
    func recomputes(_ k: Int) -> Bool {
        let n = max(rowCount, 1), all = n * tagCount * 8
        let budget = options.heldOutOfFoldBytes ?? (all <= 32 << 20 ? all : n * data.x.columnCount * 8 / 32)
        return k >= budget / (n * 8)
    }

    /// Tag `k`'s positives.
    func support(_ k: Int) -> Int { labels[k].reduce(0) { $0 + Int($1) } }
}
