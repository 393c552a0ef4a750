// Out-of-fold permutation importance of each input group (`train --permutation-repeats N`): what the chosen
// learner's models lose, in out-of-fold log loss and weighted F1, when one group of their inputs is shuffled
// across the held-out rows. The reference is scikit-learn's `permutation_importance`: importance =
// score(original) − score(permuted) (here: permuted log loss − original log loss, and original weighted F1 −
// permuted), mean and standard deviation (ddof 0) over `n_repeats`; a group's columns are shuffled together
// (one row order for all of them), and each fold's model is scored on its own held-out rows.
//
// The learners keep no fold models, so the chosen learner's fold models are fitted again here with the calls
// and seeds its training used (a fit is deterministic for its seed, whatever the thread count) — no final
// refit, no judge. The unpermuted scores must equal the out-of-fold scores training produced, bit for bit
// (`reproduced`, checked for every tag; PermutationImportanceTests): a learner whose fold fits change must
// change here too, or that check fails.
//
// Groups (`group(of:)`): own score (`score`, `logit` and, for boosted models, the logit their trees start
// from: the base score), row statistics (class rank, z-score, max, mean, gap, the category's other tags),
// the category score, each other network (`net:NAME`), the networks' mean quantile, and with `--features all`
// the other input columns. Tags on the base score have no model: their scores do not move (drop 0).
// A permutation: per (repeat, group, fold), one seeded shuffle of the fold's held-out rows, the same for
// every tag, so results do not depend on the thread count.

import Foundation
import TagStackModel

/// What permuting each input group costs the chosen learner's model out of fold (`Stacker.train` with
/// `StackerOptions.permutationRepeats` > 0).
public struct PermutationImportance: Sendable {
    /// The chosen learner run (`logistic`, `pooled (every tag)`, ...).
    public var learner: String
    public var repeats: Int
    /// Input groups, in feature order of their first column.
    public var groups: [String]
    /// Every tag of the model, and those with a model of their own (in model order).
    public var tagCount: Int
    public var learnedTags: [String]
    /// Unpermuted out-of-fold log loss (mean over every tag) and weighted F1 at the model's thresholds.
    public var logLoss: Double
    public var weightedF1: Double
    /// [group][repeat]: the rise of the mean out-of-fold log loss over every tag, and the fall of the weighted
    /// F1 over every tag (support-weighted), when the group is permuted.
    public var logLossDrop: [[Double]]
    public var weightedF1Drop: [[Double]]
    /// [learned tag][group][repeat]: the tag's own log-loss rise and F1 fall.
    public var tagLogLossDrop: [[[Double]]]
    public var tagF1Drop: [[[Double]]]
    /// Whether the fold models fitted again gave exactly training's out-of-fold scores for every learned tag.
    public var reproduced: Bool
    /// Seconds the refit and the scoring took.
    public var seconds: Double = 0
    /// Per learned tag: the feature indices its scored fold models read (splits of the trees scored, nonzero
    /// coefficients), and whether they start from the base score's logit (tests).
    var featuresRead: [Set<Int>] = []
    var groupColumns: [[Int]] = []

    /// Mean and population standard deviation (numpy's `std`, as scikit-learn reports).
    public static func meanStd(_ v: [Double]) -> (mean: Double, std: Double) {
        guard !v.isEmpty else { return (0, 0) }
        let m = v.reduce(0, +) / Double(v.count)
        return (m, (v.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(v.count)).squareRoot())
    }

    /// The input group of a feature name (`FeatureSet.names`, `tag:…` for the pooled model's tag-level values).
    public static func group(of input: String) -> String {
        if input.hasPrefix("net:") { return "network " + input.dropFirst(4) }
        if input.hasPrefix("col:") { return "other input columns" }
        if input.hasPrefix("tag:") { return "tag-level values (pooled)" }
        switch input {
        case "score", "logit": return ownScore
        case "category_score": return "category score"
        case "mean_quantile": return "networks' mean quantile"
        default: return "row statistics"
        }
    }

    public static let ownScore = "own score"
}

/// One fold's model of one tag: what scores its held-out rows.
private enum FoldModel {
    case trees(TreeEnsemble)
    case linear(LinearModel)

    func probabilities(_ x: [Double], rows: Int, width: Int, start: [Double]?) -> [Double] {
        switch self {
        case .trees(let e):
            return e.rawScores(values: x, rowCount: rows, columnCount: width, initScores: start).map(sigmoid)
        case .linear(let m):
            return x.withUnsafeBufferPointer { xp in
                (0..<rows).map { r in sigmoid(m.rawScore(UnsafeBufferPointer(rebasing: xp[(r * width)..<((r + 1) * width)]))) }
            }
        }
    }

    /// Feature indices the model reads.
    var read: Set<Int> {
        switch self {
        case .trees(let e): return Set(e.trees.flatMap { $0.splitFeature.filter { $0 >= 0 }.map(Int.init) })
        case .linear(let m): return Set(m.weights.indices.filter { m.weights[$0] != 0 })
        }
    }
}

/// A tag's fold: its held-out rows, their inputs (row-major, `width` a row), the logit its trees start from.
private struct HeldOut {
    var rows: [Int32]
    var x: [Double]
    var start: [Double]?
    var model: FoldModel
}

/// The input groups of the columns a model reads: a per-tag model the per-tag features then the shared
/// columns; the pooled model the per-tag features then the tag-level values (constant over a tag's rows: no
/// group).
private struct InputGroups {
    var width: Int
    var names: [String] = []
    /// Per group its columns.
    var columns: [[Int]] = []
    var own: Int?

    init(_ set: FeatureSet, pooled: Bool) {
        width = pooled ? set.kinds.count + PooledLearner.tagFeatureNames.count : set.count
        for (j, name) in (pooled ? set.kinds.map(\.name) : set.names).enumerated() {
            let g = PermutationImportance.group(of: name)
            if let at = names.firstIndex(of: g) { columns[at].append(j) } else { names.append(g); columns.append([j]) }
        }
        own = names.firstIndex(of: PermutationImportance.ownScore)
    }
}

/// A learned tag's result: [group][repeat] its log-loss rise and F1 fall, whether its unpermuted scores are
/// training's, the features its models read.
private struct TagResult { var logLoss: [[Double]]; var f1: [[Double]]; var reproduced: Bool; var read: Set<Int> }

extension PermutationImportance {
    /// Permutation importance of `run` (the chosen learner's run on `c`), `repeats` shuffles a group; nil
    /// without folds (nothing is out of fold) or for a baseline (no model to permute the inputs of).
    static func compute(_ c: FoldContext, run: LearnerRun, repeats: Int) throws -> PermutationImportance? {
        guard repeats > 0, let splits = c.splits, !run.kind.isBaseline, let features = c.features else { return nil }
        let started = Date()
        let o = c.options
        let inputs = InputGroups(features.set, pooled: run.kind == .pooled)
        let orders = shuffles(seed: o.seed, splits: splits, groups: inputs.names.count, repeats: repeats)
        let learned = (0..<c.tagCount).filter { run.tags[$0].path != .raw }
        let isLearned = Set(learned)
        let pooledFolds = run.kind == .pooled && !learned.isEmpty ? try PooledFoldModels(c, features: features) : nil
        let sharedBins = (run.kind == .gbdt || run.kind == .stumps) && !features.shared.isEmpty ? try BinnedMatrix(columns: features.shared, threads: o.threads) : nil
        let done = WorkCounter()
        var results: [TagResult] = []
        for tags in features.blocks where tags.contains(where: isLearned.contains) {
            let block = features.block(tags)
            results += try parallelMap(tags.count, threads: o.threads) { b -> TagResult? in
                let k = tags.lowerBound + b
                guard isLearned.contains(k) else { return nil }
                defer { o.progress?(done.next() + 1, learned.count) }
                let own = block.columns(tag: k)
                let folds: [HeldOut]
                switch run.kind {
                case .logistic: folds = logisticFolds(c, k, own: own, features: features)
                case .gbdt: folds = try boostedFolds(c, k, own: own, shared: sharedBins, features: features)
                case .stumps: folds = try boostedFolds(StumpsLearner.context(c), k, own: own, shared: sharedBins, features: features)
                case .pooled: folds = pooledFolds!.heldOut(c, k, own: own)
                case .thresholds, .constant: return nil
                }
                return tagResult(c, k, run: run, folds: folds, inputs: inputs, orders: orders, repeats: repeats)
            }.compactMap { $0 }
        }
        var out = summary(c, run: run, inputs: inputs, learned: learned, results: results, repeats: repeats)
        out.seconds = Date().timeIntervalSince(started)
        return out
    }

    /// One shuffle per (repeat, group, fold) of the fold's held-out rows: `[repeat][group][fold]`.
    private static func shuffles(seed runSeed: UInt64, splits: [(train: [Int32], valid: [Int32])], groups: Int,
                                 repeats: Int) -> [[[[Int]]]] {
        let seed = SplitMix64.derive(runSeed, 0x9E27_0000)
        return (0..<repeats).map { r in
            (0..<groups).map { g in
                splits.indices.map { f in
                    var rng = SplitMix64(seed: SplitMix64.derive(SplitMix64.derive(SplitMix64.derive(seed, r), g), f))
                    var order = Array(0..<splits[f].valid.count)
                    rng.shuffle(&order)
                    return order
                }
            }
        }
    }

    /// Tag `k`'s out-of-fold scores by its fold models `folds`, unpermuted and with each group shuffled by
    /// `orders`, against training's.
    private static func tagResult(_ c: FoldContext, _ k: Int, run: LearnerRun, folds: [HeldOut], inputs: InputGroups,
                                  orders: [[[[Int]]]], repeats: Int) -> TagResult {
        let y = c.labels[k], threshold = run.tags[k].threshold, width = inputs.width
        func scores(permuting g: Int?, repeat r: Int) -> [Double] {
            var out = [Double](repeating: 0, count: c.rowCount)
            for (f, h) in folds.enumerated() {
                var x = h.x, start = h.start
                if let g {
                    let order = orders[r][g][f]
                    for (p, src) in order.enumerated() { for j in inputs.columns[g] { x[p * width + j] = h.x[src * width + j] } }
                    if g == inputs.own, let s = h.start { start = order.map { s[$0] } }
                }
                let p = h.model.probabilities(x, rows: h.rows.count, width: width, start: start)
                for (q, i) in h.rows.enumerated() { out[Int(i)] = p[q] }
            }
            return out
        }
        func f1(_ s: [Double]) -> Double { TagCounts(decisions: decide(s, threshold), labels: y).f1 }
        let original = scores(permuting: nil, repeat: 0)
        let baseLoss = Metrics.logLoss(labels: y, scores: original) ?? 0, baseF1 = f1(original)
        var ll = [[Double]](repeating: [], count: inputs.names.count), fs = ll
        for g in inputs.names.indices {
            for r in 0..<repeats {
                let s = scores(permuting: g, repeat: r)
                ll[g].append((Metrics.logLoss(labels: y, scores: s) ?? 0) - baseLoss)
                fs[g].append(baseF1 - f1(s))
            }
        }
        return TagResult(logLoss: ll, f1: fs, reproduced: original == run.oof[k],
                         read: folds.reduce(into: Set<Int>()) { $0.formUnion($1.model.read) })
    }

    /// The result over every tag: the mean log loss (tags on the base score unchanged) and the weighted F1,
    /// unpermuted and their drops per group and repeat.
    private static func summary(_ c: FoldContext, run: LearnerRun, inputs: InputGroups, learned: [Int], results: [TagResult],
                                repeats: Int) -> PermutationImportance {
        let t = c.tagCount, groups = inputs.names.indices
        let support = (0..<t).map { c.support($0) }, totalSupport = Double(max(support.reduce(0, +), 1))
        var logLoss = 0.0, weightedF1 = 0.0
        for k in 0..<t {
            let s = run.oof[k], y = c.labels[k], th = run.tags[k].threshold
            logLoss += Metrics.logLoss(labels: y, scores: s) ?? 0
            weightedF1 += Double(support[k]) * TagCounts(decisions: decide(s, th), labels: y).f1
        }
        let llDrop = groups.map { g in (0..<repeats).map { r in results.reduce(0.0) { $0 + $1.logLoss[g][r] } / Double(t) } }
        let f1Drop = groups.map { g in
            (0..<repeats).map { r in zip(learned, results).reduce(0.0) { $0 + Double(support[$1.0]) * $1.1.f1[g][r] } / totalSupport }
        }
        var out = PermutationImportance(learner: run.name, repeats: repeats, groups: inputs.names, tagCount: t,
                                        learnedTags: learned.map { c.data.labels.tags[$0] }, logLoss: logLoss / Double(t),
                                        weightedF1: weightedF1 / totalSupport, logLossDrop: llDrop, weightedF1Drop: f1Drop,
                                        tagLogLossDrop: results.map(\.logLoss), tagF1Drop: results.map(\.f1),
                                        reproduced: results.allSatisfy(\.reproduced))
        out.featuresRead = results.map(\.read)
        out.groupColumns = inputs.columns
        return out
    }

    /// A tag's decisions at its model's threshold (none without one).
    private static func decide(_ scores: [Double], _ threshold: Double?) -> [Bool] {
        scores.map { v in threshold.map { v >= $0 } ?? false }
    }

    /// Tag `k`'s logistic fold models, fitted by LogisticLearner's own fold fit, on the per-tag features `own`
    /// and the shared columns.
    private static func logisticFolds(_ c: FoldContext, _ k: Int, own: [[Double]], features: FeatureMatrix) -> [HeldOut] {
        let models = LogisticLearner.fitFolds(c, labels: c.labels[k], columns: own + features.shared)
        return zip(c.splits ?? [], models).map { split, m in
            HeldOut(rows: split.valid, x: features.rowMajor(own, rows: split.valid), start: nil, model: .linear(m))
        }
    }

    /// Tag `k`'s boosted fold models, fitted as BoostedLearner fits them (BoostedFolds' protocol: every fold
    /// scored at the other folds' mean best round).
    private static func boostedFolds(_ c: FoldContext, _ k: Int, own columns: [[Double]], shared: BinnedMatrix?,
                                     features: FeatureMatrix) throws -> [HeldOut] {
        let y = c.labels[k], seed = SplitMix64.derive(c.options.seed, k), splits = c.splits ?? []
        let own = try BoostedLearner.matrix(perTag: columns, shared: shared)
        let starts = splits.indices.map { f in c.base(fold: f)[k].map(clippedLogit) }
        let fits = try splits.indices.map { f -> (TreeEnsemble, Int) in
            let fit = try BoostedLearner.fitFold(c, labels: y, matrix: own, start: starts[f], fold: f, seed: seed)
            return (fit.ensemble, fit.bestRound)
        }
        let best = fits.map(\.1)
        return splits.enumerated().map { f, split in
            let e = fits[f].0
            let scored = TreeEnsemble(baseScore: e.baseScore, trees: Array(e.trees.prefix(BoostedFolds.roundsOfOtherFolds(best, f))))
            return HeldOut(rows: split.valid, x: features.rowMajor(columns, rows: split.valid),
                           start: split.valid.map { starts[f][Int($0)] }, model: .trees(scored))
        }
    }
}

/// The pooled learner's fold models, fitted as PooledLearner fits them (same pairs, tag-level values, seeds),
/// each truncated to the other folds' mean best round.
private struct PooledFoldModels {
    var ensembles: [TreeEnsemble]
    var values: [[[Double]]]

    init(_ c: FoldContext, features: FeatureMatrix) throws {
        let o = c.options, splits = c.splits ?? []
        let seed = SplitMix64.derive(o.seed, 0x9001ED)
        let pairs = try PooledLearner.Pairs(c, features: features, seed: seed)
        let values = splits.enumerated().map { f, split in
            PooledLearner.tagValues(labels: c.data.labels, y: c.labels, base: c.base(fold: f), rows: split.train)
        }
        let workers = max(1, min(o.threads, splits.count)), inner = max(1, o.threads / workers)
        // Progress in rounds, as the pooled learner reports its own (a fold that stops early counts the rest as done).
        let planned = splits.count * o.boosting.rounds, roundsDone = WorkCounter()
        let tick: @Sendable (Int) -> Void = { _ in o.roundProgress?(roundsDone.add(1), planned) }
        let fits = try parallelMap(splits.count, threads: workers) { f -> (TreeEnsemble, Int) in
            let fit = try PooledLearner.fitFold(c, pairs: pairs, tagValues: values[f], fold: f, seed: seed, threads: inner,
                                                onRound: o.roundProgress == nil ? nil : tick,
                                                skipped: { o.roundProgress?(roundsDone.add($0), planned) })
            return (fit.ensemble, fit.bestRound)
        }
        let best = fits.map(\.1)
        ensembles = fits.enumerated().map { f, fit in
            TreeEnsemble(baseScore: fit.0.baseScore, trees: Array(fit.0.trees.prefix(BoostedFolds.roundsOfOtherFolds(best, f))))
        }
        self.values = values
    }

    /// Tag `k`'s folds: per-tag features of the held-out rows then the fold's tag-level values.
    func heldOut(_ c: FoldContext, _ k: Int, own: [[Double]]) -> [HeldOut] {
        (c.splits ?? []).enumerated().map { f, split in
            let v = values[f][k], kinds = own.count, w = kinds + v.count
            var x = [Double](repeating: 0, count: split.valid.count * w)
            for (r, i) in split.valid.enumerated() {
                for j in 0..<kinds { x[r * w + j] = own[j][Int(i)] }
                for j in 0..<v.count { x[r * w + kinds + j] = v[j] }
            }
            let base = c.base(fold: f)[k]
            return HeldOut(rows: split.valid, x: x, start: split.valid.map { clippedLogit(base[Int($0)]) }, model: .trees(ensembles[f]))
        }
    }
}

extension Importance {
    /// The `--importance` rows of a permutation importance, input = the group: `(all tags)` with kinds
    /// `permutation_log_loss` (the rise of the mean out-of-fold log loss over every tag, mean over the repeats),
    /// `permutation_log_loss_std`, `permutation_weighted_f1` (the fall of the weighted F1 at the model's
    /// thresholds) and `permutation_weighted_f1_std`; then per learned tag `permutation_log_loss(_std)` and
    /// `permutation_f1(_std)` of the tag alone.
    public static func rows(permutation p: PermutationImportance) -> [Row] {
        var rows: [Row] = []
        func add(_ tag: String, _ group: String, _ kind: String, _ values: [Double]) {
            let (m, sd) = PermutationImportance.meanStd(values)
            rows.append(Row(tag: tag, input: group, kind: kind, value: m))
            rows.append(Row(tag: tag, input: group, kind: kind + "_std", value: sd))
        }
        for (g, group) in p.groups.enumerated() {
            add(allTags, group, "permutation_log_loss", p.logLossDrop[g])
            add(allTags, group, "permutation_weighted_f1", p.weightedF1Drop[g])
        }
        for (k, tag) in p.learnedTags.enumerated() {
            for (g, group) in p.groups.enumerated() {
                add(tag, group, "permutation_log_loss", p.tagLogLossDrop[k][g])
                add(tag, group, "permutation_f1", p.tagF1Drop[k][g])
            }
        }
        return rows
    }
}
