// The learner interface: a learner takes the fold context and returns its out-of-fold run. The orchestrator
// (Stacker.swift) runs every learner asked for and the selection stage (Selection/) picks one; learners call
// down (cross-validation, the never-worse judge, the engine), never back into the orchestrator.
//
// Adding a learner: a type conforming to `Learner` in a file of its own here, and its case in the registry
// (LearnerKind.swift), which states its facts (features, baseline, complexity, help).

import TagStackModel

protocol Learner {
    var kind: LearnerKind { get }
    /// Out-of-fold scores, paths and models of every tag. Reports progress through
    /// `context.options.progress` as (tags done, tags) of this learner.
    func run(_ context: FoldContext) throws -> LearnerRun
}

/// What one tag came to under a learner: its model entry, its report row and its out-of-fold scores
/// (every row) on the path it took.
struct TagOutcome {
    var model: TagModel
    var report: TagReport
    /// nil: the base score's out-of-fold scores (`FoldContext.baseOutOfFold`, not copied), or `foldModels`'.
    var oof: [Double]?
    /// A logistic tag's models by fold (its one model without folds): its out-of-fold scores, recomputed from
    /// them when read instead of held (RecomputedScores.swift).
    var foldModels: [LinearModel]? = nil
    /// A boosted tag's gain importance per feature (training only: not in the model file).
    var gain: [Double]? = nil

    /// The tag on its base score: the F1-maximising threshold on every row (0.5 with `constant`), judged by its
    /// cross-fitted F1 (in-sample without folds; at 0.5 with `constant`) on the base's out-of-fold scores, which
    /// are also what the later levels see of it.
    static func onBase(_ k: Int, _ c: FoldContext, stackedF1: Double?, baseDecisions: [Bool]? = nil, constant: Bool = false,
                    reason: String = "base") -> TagOutcome {
        let name = c.data.labels.tags[k], y = c.labels[k]
        let threshold = constant ? 0.5 : ThresholdSearch.best(scores: c.base[k], labels: y).threshold
        let f1 = constant ? ThresholdSearch.f1(scores: c.baseOutOfFold[k], labels: y, threshold: 0.5)
            : TagCounts(decisions: baseDecisions ?? c.decisions(c.baseOutOfFold[k], labels: y), labels: y).f1
        return TagOutcome(model: TagModel(name: name, form: .raw, threshold: threshold),
                          report: TagReport(tag: name, support: c.support(k), baseF1: f1, stackedF1: stackedF1,
                                            threshold: threshold, path: .raw, rounds: nil, reason: reason),
                          oof: nil)
    }
}

extension TagOutcome {
    /// The tag on its learned score, with the threshold that maximises F1 on its out-of-fold scores.
    /// With `foldModels`, the scores are recomputed from them when read (`oof` is not kept).
    static func learned(_ model: TagModel, oof: [Double], foldModels: [LinearModel]? = nil, support: Int, verdict v: Judge.Verdict,
                        rounds: Int?, gain: [Double]? = nil) -> TagOutcome {
        var m = model
        m.threshold = v.threshold ?? ThresholdSearch.best(scores: oof, labels: v.labels).threshold
        return TagOutcome(model: m, report: TagReport(tag: m.name, support: support, baseF1: v.baseF1, stackedF1: v.learnedF1,
                                                      threshold: m.threshold, path: m.path, rounds: rounds,
                                                      reason: v.keep ? v.reason : "every tag (\(v.reason) alone)"),
                          oof: foldModels == nil ? oof : nil, foldModels: foldModels, gain: gain)
    }
}

extension LearnerRun {
    /// The learner judged tag by tag, with its `every tag` variant as an alternative when the two differ.
    init(kind: LearnerKind, judged: [TagOutcome], everyTag: [TagOutcome], context c: FoldContext) {
        self.init(kind: kind, outcomes: judged, context: c)
        if zip(judged, everyTag).contains(where: { $0.model.path != $1.model.path }) {
            var all = LearnerRun(kind: kind, outcomes: everyTag, context: c)
            all.variant = "every tag"
            alternatives = [all]
        }
    }
}

/// Out-of-fold results of one learner: per tag scores on every row, paths, thresholds, models.
struct LearnerRun {
    var kind: LearnerKind
    var tags: [TagModel]
    var reports: [TagReport]
    /// Per tag: its out-of-fold score of every row on its chosen path (the base's own columns, not
    /// copied, for tags on the base score; recomputed from the fold models for logistic tags).
    var oof: ScoreColumns
    /// The weighted F1 of `oof` under per-tag thresholds (`CrossFit.ruleF1`): cross-fitted, or in-sample with
    /// the tags' own thresholds without folds.
    var thresholdsF1: Double
    /// Per fold, each tag's threshold fitted on the other folds' rows of `oof` (`CrossFit.foldThresholds`; nil
    /// without folds): what the decision rules are cross-fitted with, computed once.
    var foldThresholds: [[Double?]]?
    /// The feature set the learner's tags read, when it differs from the stacker's (the pooled learner).
    var featureSet: FeatureSet? = nil
    /// The shared ensemble of pooled tags.
    var pooled: PooledModel? = nil
    /// Per tag, its boosted model's gain importance (nil: not boosted); the pooled ensemble's. Training only.
    var gains: [[Double]?] = []
    var pooledGain: [Double]? = nil
    /// nil for the learner as judged tag by tag; `every tag` for the same learner with every tag it learned
    /// taking its learned score (a choice made once for the label set, not tag by tag).
    var variant: String? = nil
    /// Other runs of the same learner offered to the selection stage (the `every tag` variant).
    var alternatives: [LearnerRun] = []

    /// The name the selection stage reports (`logistic`, `logistic (every tag)`).
    var name: String { kind.rawValue + (variant.map { " (\($0))" } ?? "") }

    /// A run from its tags' outcomes: their out-of-fold scores, and their weighted F1.
    init(kind: LearnerKind, outcomes: [TagOutcome], context c: FoldContext) {
        let models = outcomes.map(\.foldModels)
        let recomputed = models.contains { $0 != nil }
            ? RecomputedScores(features: c.requiredFeatures, fold: c.fold, models: models) : nil
        let oof = ScoreColumns(x: c.data.x, columns: outcomes.enumerated().map { k, o in
            o.foldModels != nil ? .recomputed : o.oof.map { .values($0) } ?? c.baseOutOfFold.columns[k]
        }, recomputed: recomputed)
        self.kind = kind
        tags = outcomes.map(\.model)
        reports = outcomes.map(\.report)
        gains = outcomes.map(\.gain)
        self.oof = oof
        foldThresholds = c.fold.map { CrossFit.foldThresholds(data: c.data, scores: oof, fold: $0, k: c.options.folds, threads: c.options.threads) }
        thresholdsF1 = CrossFit.ruleF1(data: c.data, scores: oof, rule: .thresholds, fold: c.fold, k: c.options.folds,
                                       tags: tags, hierarchy: nil, foldThresholds: foldThresholds)
    }

    /// What scoring one track costs, in trees of per-tag boosted models (what `selection.maxTreesPerTrack`
    /// limits): each boosted tag's trees, plus the shared ensemble's trees × the pooled tags ×
    /// `pooledTagTreeCost`.
    var treesPerTrack: Int {
        var perTag = 0, pooledTags = 0
        for t in tags {
            switch t.form {
            case .pooled: pooledTags += 1
            case let .boosted(b, _): perTag += b.trees.count
            case .raw, .linear: break
            }
        }
        return perTag + Self.pooledCharge(tags: pooledTags, trees: pooled?.booster.trees.count ?? 0)
    }

    /// One pooled tag and tree in trees of a per-tag model: the pooled scorer walks each tree once for all
    /// of a track's pooled tags (PooledTrees.swift). The ratio of the two models' median latency per pooled
    /// tag and tree and per tree, measured with `Scripts/latency` on the default data's models (README, Latency).
    static let pooledTagTreeCost = 0.41

    /// The charge of `tags` pooled tags over a shared ensemble of `trees` trees, rounded up.
    static func pooledCharge(tags: Int, trees: Int) -> Int {
        Int((Double(tags * trees) * pooledTagTreeCost).rounded(.up))
    }
}

/// The judging protocol every learner shares: tags in parallel, tags the learner cannot learn on their base
/// score, each learned score through the never-worse test (`Judge`) against the tag's base score.
enum PerTagLearning {
    /// What a learner made of tag `k`: its model entry (no threshold yet), its out-of-fold scores and,
    /// for boosted models, the final round count.
    struct Fit {
        var model: TagModel
        var oof: [Double]
        var rounds: Int? = nil
        var gain: [Double]? = nil
        /// The models `oof` came from, by fold (the final model without folds), when the learner's out-of-fold
        /// scores are recomputable from them (`RecomputedScores`): the run keeps these instead of `oof`.
        var foldModels: [LinearModel]? = nil
    }

    /// Which tags a learner learns; the others stay on their base score, with the reason in the report.
    enum Eligibility {
        /// At least this many positives and negatives (per-tag models: too few rows to learn from).
        case minimum(Int)
        /// Any positive and any negative (the pooled model, which borrows strength across tags).
        case bothClasses

        /// Why a tag with `support` positives among `rows` is not learned, or nil when it is.
        func exclusion(support: Int, rows: Int) -> String? {
            switch self {
            case let .minimum(m):
                if support < m { return "support \(support) < \(m)" }
                return rows - support < m ? "negatives \(rows - support) < \(m)" : nil
            case .bothClasses:
                return support == 0 ? "support 0" : support == rows ? "no negatives" : nil
            }
        }
    }

    /// Runs `fit` for every tag with enough positives and negatives (`guards.minPositives`, seeded by
    /// `SplitMix64.derive(seed, k)`), keeping its score only where the judge says so. Tags run a block at a
    /// time (`FeatureMatrix.blocks`), in parallel within the block; `fit` is given tag `k`'s per-tag feature
    /// columns (every row).
    static func run(_ kind: LearnerKind, _ c: FoldContext, features: FeatureMatrix,
                    fit: (_ k: Int, _ seed: UInt64, _ columns: [[Double]]) throws -> Fit) throws -> LearnerRun {
        let t = c.tagCount
        let done = WorkCounter()
        var both: [(TagOutcome, TagOutcome)] = []
        for tags in features.blocks {
            let block = features.block(tags)
            both += try parallelMap(tags.count, threads: c.options.threads) { b -> (TagOutcome, TagOutcome) in
                let k = tags.lowerBound + b
                defer { c.options.progress?(done.next() + 1, t) }
                return try judge(k, c, eligibility: .minimum(c.options.guards.minPositives)) { seed in
                    try fit(k, seed, block.columns(tag: k))
                }
            }
        }
        return LearnerRun(kind: kind, judged: both.map(\.0), everyTag: both.map(\.1), context: c)
    }

    /// Tag `k` judged: on its base score when `eligibility` excludes it, else on `fit`'s learned score (given
    /// the tag's seed) where the never-worse test keeps it. Returns the tag as judged, and as it is with every
    /// learned tag on its learned score (the `every tag` variant).
    static func judge(_ k: Int, _ c: FoldContext, eligibility: Eligibility,
                      fit: (_ seed: UInt64) throws -> Fit) rethrows -> (judged: TagOutcome, everyTag: TagOutcome) {
        let y = c.labels[k], support = c.support(k)
        let baseDecisions = c.decisions(c.baseOutOfFold[k], labels: y)
        if let reason = eligibility.exclusion(support: support, rows: y.count) {
            let onBase = TagOutcome.onBase(k, c, stackedF1: nil, baseDecisions: baseDecisions, reason: reason)
            return (onBase, onBase)
        }
        let seed = SplitMix64.derive(c.options.seed, k)
        let f = try fit(seed)
        let verdict = Judge.verdict(y: y, base: c.baseOutOfFold[k], baseDecisions: baseDecisions, learned: f.oof, support: support,
                                    context: c, seed: seed)
        let learned = TagOutcome.learned(f.model, oof: f.oof, foldModels: c.recomputes(k) ? f.foldModels : nil, support: support, verdict: verdict,
                                         rounds: f.rounds, gain: f.gain)
        guard verdict.keep else {
            return (.onBase(k, c, stackedF1: verdict.learnedF1, baseDecisions: baseDecisions, reason: verdict.reason), learned)
        }
        return (learned, learned)
    }
}
