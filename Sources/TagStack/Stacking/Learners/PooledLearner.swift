// The pooled learner: one gradient-boosted model over (track, tag) pairs, shared by every tag.
//
// A pair's features are the tag's per-tag features on that track (score, logit, class rank, z-score, ...)
// followed by tag-level values (the tag's prevalence, class, its category's prevalence, its mean score),
// and boosting starts from the tag's own logit, so zero rounds reproduce the network. Rare tags borrow
// strength from common ones: the model learns how a score, its rank among the class and the category's
// evidence relate to the label across all tags, and the tag-level values let it bend that per kind of tag.
//
// Pairs: every (track, tag) pair is a row; when there are more than `StackerOptions.pooledPairs`, every
// positive pair is kept and negative pairs are sampled (deterministically, by a hash of the pair and the
// seed) at the rate that fills the budget, each kept negative weighted by the inverse of the rate, so the
// weighted log loss is an unbiased estimate of the full one.
//
// Cross-validation as for per-tag models: folds of tracks (groups kept whole), tag-level values computed
// from the training fold only, early stopping on the validation fold's (weighted) pairs, out-of-fold scores
// on every pair of the fold at the other folds' mean best round; then a refit (or the fold average): the
// protocol of CrossValidation/BoostedFolds.swift, folds in parallel. Each tag then goes through the same
// never-worse test as a per-tag model (Selection/Judge.swift).

import Foundation
import TagStackModel

struct PooledLearner: Learner {
    var kind: LearnerKind { .pooled }

    /// Names of the tag-level values, in vector order (docs/MODEL_FORMAT.md defines them).
    static let tagFeatureNames = ["prevalence", "class_index", "category_prevalence", "score_mean", "positive_score_mean"]

    /// Tag-level values (`tagFeatureNames`) of every tag, from the given training rows.
    static func tagValues(labels: LabelSet, y: [[UInt8]], base: ScoreColumns, rows: [Int32]) -> [[Double]] {
        let t = labels.count, n = Double(max(rows.count, 1))
        let classIndex = Dictionary(uniqueKeysWithValues: labels.classes.enumerated().map { ($0.element, Double($0.offset)) })
        var categoryPrevalence = [Double](repeating: 0, count: t)
        for members in labels.tagIndicesByCategory {
            var any = 0
            for r in rows where members.contains(where: { y[$0][Int(r)] != 0 }) { any += 1 }
            for m in members { categoryPrevalence[m] = Double(any) / n }
        }
        return (0..<t).map { k in
            var pos = 0, sum = 0.0, posSum = 0.0
            let column = base[k]
            for r in rows {
                let s = column[Int(r)]
                sum += s
                if y[k][Int(r)] != 0 { pos += 1; posSum += s }
            }
            let mean = sum / n
            return [Double(pos) / n, classIndex[labels.tagClasses[k]]!, categoryPrevalence[k], mean,
                    pos > 0 ? posSum / Double(pos) : mean]
        }
    }

    /// The pairs trained on: row-major pair ids `i * t + k`, increasing, with their weights.
    static func samplePairs(y: [[UInt8]], rows n: Int, budget: Int, seed: UInt64) -> (pairs: [Int], weights: [Double]) {
        let t = y.count, total = n * t
        var positives = 0
        for k in 0..<t { for i in 0..<n where y[k][i] != 0 { positives += 1 } }
        let negatives = total - positives
        let rate = budget <= 0 || total <= budget || negatives == 0 ? 1 : max(Double(budget - positives) / Double(negatives), 0.01)
        var pairs: [Int] = [], weights: [Double] = []
        pairs.reserveCapacity(min(total, budget > 0 ? budget + budget / 8 : total))
        // Kept when the pair's hash falls below the rate: the same pairs for every fold and thread count.
        let cut = rate >= 1 ? UInt64.max : UInt64(rate * 0x1p64)
        for i in 0..<n {
            for k in 0..<t {
                if y[k][i] != 0 { pairs.append(i * t + k); weights.append(1); continue }
                if rate >= 1 || SplitMix64.derive(seed, i * t + k) < cut { pairs.append(i * t + k); weights.append(1 / rate) }
            }
        }
        return (pairs, weights)
    }

    /// The pairs, their labels, initial scores and binned per-pair features: what every fold trains on.
    struct Pairs {
        var ids: [Int]
        var weights: [Double]
        var labels: [UInt8]
        var initScores: [Double]
        var rowBins: BinnedMatrix
        let tagCount: Int

        init(_ c: FoldContext, features: FeatureMatrix, seed: UInt64) throws {
            let t = c.tagCount, y = c.labels, base = c.base
            (ids, weights) = PooledLearner.samplePairs(y: y, rows: c.rowCount, budget: c.options.pooled.pairs, seed: seed)
            tagCount = t
            labels = ids.map { y[$0 % t][$0 / t] }
            initScores = ids.map { clippedLogit(base.value($0 / t, $0 % t)) }
            // Per-pair features (only the sampled pairs' own), binned once; tag-level columns are binned per
            // fold (their values depend on it).
            rowBins = try BinnedMatrix(values: features.pairValues(ids), rowCount: ids.count, columnCount: features.set.kinds.count,
                                       rowMajor: false, threads: c.options.threads)
        }

        /// The pairs' initial scores from other base scores (a fold's fitted base).
        func initScores(base: ScoreColumns) -> [Double] {
            let t = tagCount
            return ids.map { clippedLogit(base.value($0 / t, $0 % t)) }
        }

        /// The training matrix: per-pair features, then the given tag-level values.
        func matrix(tagValues v: [[Double]], threads: Int) throws -> BinnedMatrix {
            let t = tagCount
            let columns = (0..<PooledLearner.tagFeatureNames.count).map { j in ids.map { v[$0 % t][j] } }
            let tagBins = try BinnedMatrix(columns: columns, threads: threads)
            return BinnedMatrix(rowCount: ids.count, featureCount: rowBins.featureCount + tagBins.featureCount,
                                bins: rowBins.bins + tagBins.bins, upperBounds: rowBins.upperBounds + tagBins.upperBounds)
        }

        /// Pair positions (into `ids`) whose track is marked in `inRow`.
        func positions(_ inRow: [Bool]) -> [Int32] {
            var out: [Int32] = []
            for (p, id) in ids.enumerated() where inRow[id / tagCount] { out.append(Int32(p)) }
            return out
        }
    }

    /// Fold `f`'s pooled model and its best round, as the learner fits it (the permutation importance fits it
    /// again with this same call, so that its fold models are training's). `skipped` gets the planned rounds an
    /// early stop left out.
    static func fitFold(_ c: FoldContext, pairs: Pairs, tagValues: [[Double]], fold f: Int, seed: UInt64, threads: Int,
                        onRound: (@Sendable (Int) -> Void)?, skipped: (Int) -> Void) throws -> BoostedFolds.FoldFit {
        let o = c.options, splits = c.splits ?? []
        var inTrain = [Bool](repeating: false, count: c.rowCount)
        for r in splits[f].train { inTrain[Int(r)] = true }
        let train = pairs.positions(inTrain), valid = pairs.positions(inTrain.map { !$0 })
        let start = c.baseOfFold == nil ? pairs.initScores : pairs.initScores(base: c.base(fold: f))
        let b = try trainBinary(matrix: pairs.matrix(tagValues: tagValues, threads: o.threads), labels: pairs.labels,
                                initScores: start, trainRows: train, validRows: valid, weights: pairs.weights,
                                parameters: BoostedFolds.foldParameters(o, seed: SplitMix64.derive(seed, f), pooled: true),
                                threads: threads, onRound: onRound)
        skipped(max(0, o.boosting.rounds - b.ensemble.trees.count))
        let best = BoostedFolds.bestRound(initial: valid.map { (start[Int($0)], pairs.labels[Int($0)]) },
                                          weights: valid.map { pairs.weights[Int($0)] }, curve: b.validationLoss)
        return BoostedFolds.FoldFit(ensemble: b.ensemble, bestRound: best)
    }

    /// Runs the pooled learner: out-of-fold scores, per-tag paths, the shared model.
    func run(_ c: FoldContext) throws -> LearnerRun {
        let features = c.requiredFeatures
        let n = c.rowCount, t = c.tagCount, o = c.options
        let seed = SplitMix64.derive(o.seed, 0x9001ED)
        let pairs = try Pairs(c, features: features, seed: seed)
        /// Probabilities of every tag on `rows` with `ensemble` and the tag values `v`: [tag][row] (PooledScoring.swift).
        func score(_ ensemble: TreeEnsemble, tagValues v: [[Double]], rows: [Int32], base: ScoreColumns) -> [[Double]] {
            PooledScoring.probabilities(ensemble, features: features, tagValues: v, rows: rows, base: base, threads: o.threads)
        }
        let splits = c.splits ?? []
        var oofByTag = [[Double]](repeating: [Double](repeating: 0, count: n), count: t)
        // Folds train in parallel (a fold's model does not depend on its thread count), the threads left over
        // work inside each model.
        let workers = max(1, min(o.threads, splits.count)), inner = max(1, o.threads / workers)
        let stages = splits.count + 1
        let done = WorkCounter()
        // Rounds for `roundProgress`: every fold's and the refit's planned rounds; a fold that stops early, and
        // the refit's rounds beyond the folds' mean best, count as done when it ends.
        let planned = stages * o.boosting.rounds, roundsDone = WorkCounter()
        let tick: @Sendable (Int) -> Void = { _ in o.roundProgress?(roundsDone.add(1), planned) }
        // Fold f's pairs start from (and its tag-level values are computed on) the base fitted without fold f.
        let values = splits.enumerated().map { f, split in
            PooledLearner.tagValues(labels: c.data.labels, y: c.labels, base: c.base(fold: f), rows: split.train)
        }
        let finalValues = PooledLearner.tagValues(labels: c.data.labels, y: c.labels, base: c.base, rows: c.allRows)
        let outcome = try BoostedFolds.run(
            folds: splits.count, rounds: o.boosting.rounds, final: o.final, workers: workers,
            fit: { f, share in
                defer { o.progress?((done.next() + 1) * t / stages, t) }
                return try PooledLearner.fitFold(c, pairs: pairs, tagValues: values[f], fold: f, seed: seed, threads: inner * share,
                                                 onRound: o.roundProgress == nil ? nil : tick,
                                                 skipped: { o.roundProgress?(roundsDone.add($0), planned) })
            },
            score: { f, e in
                let valid = splits[f].valid
                let s = score(e, tagValues: values[f], rows: valid, base: c.base(fold: f))
                for tag in 0..<t { for (r, i) in valid.enumerated() { oofByTag[tag][Int(i)] = s[tag][r] } }
            },
            refit: { rounds in
                let p = o.boostingParameters(rounds: rounds, earlyStopping: 0, seed: seed, pooled: true)
                o.roundProgress?(roundsDone.add(max(0, o.boosting.rounds - rounds)), planned)
                return try trainBinary(matrix: pairs.matrix(tagValues: finalValues, threads: o.threads), labels: pairs.labels,
                                       initScores: pairs.initScores, weights: pairs.weights, parameters: p, threads: o.threads,
                                       onRound: o.roundProgress == nil ? nil : tick)
            })
        if c.splits == nil { oofByTag = score(outcome.ensemble, tagValues: finalValues, rows: c.allRows, base: c.base) }
        let (judged, everyTag) = paths(c, oof: oofByTag, tagValues: finalValues, rounds: outcome.rounds)
        o.progress?(t, t)
        return Self.learnerRun(c, judged: judged, everyTag: everyTag, features: features, outcome: outcome)
    }

    /// The run of the judged tags, every alternative carrying the shared model.
    static func learnerRun(_ c: FoldContext, judged: [TagOutcome], everyTag: [TagOutcome], features: FeatureMatrix,
                           outcome: BoostedFolds.Outcome) -> LearnerRun {
        var run = LearnerRun(kind: .pooled, judged: judged, everyTag: everyTag, context: c)
        // Pooled tags read the per-tag features only (no shared columns).
        let set = FeatureSet(kinds: features.set.kinds, networks: features.set.networks, quantiles: features.set.quantiles)
        let shared = PooledModel(tagFeatures: PooledLearner.tagFeatureNames, initScore: c.initScore, booster: outcome.ensemble)
        run.featureSet = set; run.pooled = shared; run.pooledGain = outcome.gain
        for i in run.alternatives.indices {
            run.alternatives[i].featureSet = set; run.alternatives[i].pooled = shared; run.alternatives[i].pooledGain = outcome.gain
        }
        return run
    }

    /// Per tag: the pooled score where it beats the base score out of fold (the never-worse test, on every
    /// tag with a positive and a negative), else the base score.
    /// Returns the tags as judged one by one, and as they would be with every tag on its pooled score.
    func paths(_ c: FoldContext, oof oofByTag: [[Double]], tagValues finalValues: [[Double]], rounds: Int) -> (judged: [TagOutcome], everyTag: [TagOutcome]) {
        let both = parallelMap(c.tagCount, threads: c.options.threads) { tag in
            PerTagLearning.judge(tag, c, eligibility: .bothClasses) { _ in
                PerTagLearning.Fit(model: TagModel(name: c.data.labels.tags[tag], form: .pooled(tagValues: finalValues[tag]), threshold: nil),
                                   oof: oofByTag[tag], rounds: rounds)
            }
        }
        return (both.map(\.judged), both.map(\.everyTag))
    }
}
