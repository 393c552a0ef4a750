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
// on every pair of the fold at the other folds' mean best round; then a refit (or the fold average). Each
// tag then goes through the same never-worse test as a per-tag model (`Stacker.judge`).

import Foundation
import TagStackModel

enum PooledLearner {
    /// Names of the tag-level values, in vector order (docs/MODEL_FORMAT.md defines them).
    static let tagFeatureNames = ["prevalence", "class_index", "category_prevalence", "score_mean", "positive_score_mean"]

    /// Tag-level values (`tagFeatureNames`) of every tag, from the given training rows.
    static func tagValues(labels: LabelSet, y: [[UInt8]], raw: [[Double]], rows: [Int32]) -> [[Double]] {
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
            for r in rows {
                let s = raw[k][Int(r)]
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

    /// Runs the pooled learner: out-of-fold probabilities, per-tag paths, the shared model.
    static func run(data: TrainingData, labels y: [[UInt8]], raw: [[Double]], fold: [Int]?, features: FeatureMatrix,
                    options: StackerOptions) throws -> LearnerRun {
        let n = data.x.rowCount, t = data.labels.count, k = features.set.kinds.count
        let seed = SplitMix64.derive(options.seed, 0x9001ED)
        let (pairs, weights) = samplePairs(y: y, rows: n, budget: options.pooledPairs, seed: seed)
        let pairLabels = pairs.map { y[$0 % t][$0 / t] }
        let pairInit = pairs.map { clippedLogit(raw[$0 % t][$0 / t]) }
        // Per-pair features, binned once; tag-level columns are binned per fold (their values depend on it).
        let rowBins = try BinnedMatrix(columns: (0..<k).map { f in pairs.map { features.perTag[$0 % t][f][$0 / t] } },
                                       threads: options.threads)
        func matrix(tagValues v: [[Double]]) throws -> BinnedMatrix {
            let columns = (0..<tagFeatureNames.count).map { j in pairs.map { v[$0 % t][j] } }
            let tagBins = try BinnedMatrix(columns: columns, threads: options.threads)
            return BinnedMatrix(rowCount: pairs.count, featureCount: k + tagBins.featureCount,
                                bins: rowBins.bins + tagBins.bins, upperBounds: rowBins.upperBounds + tagBins.upperBounds)
        }
        /// Pair positions (into `pairs`) whose track is in `rows` (`rows` increasing).
        func pairRows(_ inRow: [Bool]) -> [Int32] {
            var out: [Int32] = []
            for (p, id) in pairs.enumerated() where inRow[id / t] { out.append(Int32(p)) }
            return out
        }
        /// Probabilities of every tag on `rows` with `ensemble` and the tag values `v`: [tag][row].
        func score(_ ensemble: TreeEnsemble, tagValues v: [[Double]], rows: [Int32]) -> [[Double]] {
            var out = [[Double]](repeating: [], count: t)
            out.withUnsafeMutableBufferPointer { o in
                let o = o
                parallelFor(t, threads: options.threads) { tag in
                    o[tag] = probabilities(ensemble, features: features, tag: tag, tagValues: v[tag], rows: rows,
                                           initScores: rows.map { clippedLogit(raw[tag][Int($0)]) })
                }
            }
            return out
        }

        let allRows = (0..<n).map(Int32.init)
        let splits = fold.map { Folds.splits(fold: $0, k: options.folds) }
        var oofByTag = [[Double]](repeating: [Double](repeating: 0, count: n), count: t)
        var finalRounds = options.rounds
        var averaged: TreeEnsemble? = nil
        let stages = (splits?.count ?? 0) + 1
        if let splits {
            // Folds train in parallel (a fold's model does not depend on its thread count), the threads left
            // over work inside each model.
            let workers = max(1, min(options.threads, splits.count)), inner = max(1, options.threads / workers)
            let done = WorkCounter()
            let folds = try parallelMap(splits.count, threads: workers) { f -> (best: Int, ensemble: TreeEnsemble, values: [[Double]]) in
                defer { options.progress?((done.next() + 1) * t / stages, t) }
                let split = splits[f]
                let v = tagValues(labels: data.labels, y: y, raw: raw, rows: split.train)
                var inTrain = [Bool](repeating: false, count: n)
                for r in split.train { inTrain[Int(r)] = true }
                let train = pairRows(inTrain), valid = pairRows(inTrain.map { !$0 })
                var p = options.boostingParameters(rounds: options.rounds, earlyStopping: options.patience,
                                                   seed: SplitMix64.derive(seed, f), pooled: true)
                p.truncateToBest = false
                let b = try trainBinary(matrix: matrix(tagValues: v), labels: pairLabels, initScores: pairInit,
                                        trainRows: train, validRows: valid, weights: weights, parameters: p, threads: inner)
                let best = Stacker.bestRound(initial: valid.map { (pairInit[Int($0)], pairLabels[Int($0)]) },
                                             weights: valid.map { weights[Int($0)] }, curve: b.validationLoss)
                return (best, b.ensemble, v)
            }
            let best = folds.map(\.best), ensembles = folds.map(\.ensemble), values = folds.map(\.values)
            for (f, split) in splits.enumerated() {
                let e = TreeEnsemble(baseScore: 0, trees: Array(ensembles[f].trees.prefix(Stacker.roundsOfOtherFolds(best, f))))
                let s = score(e, tagValues: values[f], rows: split.valid)
                for tag in 0..<t { for (r, i) in split.valid.enumerated() { oofByTag[tag][Int(i)] = s[tag][r] } }
            }
            finalRounds = Stacker.meanRounds(best)
            if options.final == .average { averaged = try Stacker.average(ensembles, rounds: finalRounds) }
        }
        let finalValues = tagValues(labels: data.labels, y: y, raw: raw, rows: allRows)
        let final: TreeEnsemble
        if let averaged {
            final = averaged
        } else {
            let p = options.boostingParameters(rounds: finalRounds, earlyStopping: 0, seed: seed, pooled: true)
            final = try trainBinary(matrix: matrix(tagValues: finalValues), labels: pairLabels, initScores: pairInit,
                                    weights: weights, parameters: p, threads: options.threads).ensemble
        }
        if splits == nil { oofByTag = score(final, tagValues: finalValues, rows: allRows) }

        // Per tag: the pooled score where it beats the raw score out of fold, else the raw score.
        let units = data.groups.map { Folds.components(rowCount: n, groups: $0.values) }
        let paths = try parallelMap(t, threads: options.threads) { tag -> (TagModel, TagReport, [Double]) in
            let name = data.labels.tags[tag], yk = y[tag]
            let support = yk.reduce(0) { $0 + Int($1) }
            let rawDecisions = Stacker.decisions(raw[tag], labels: yk, fold: fold, options: options)
            let v = support == 0 || support == n ? nil
                : Stacker.judge(y: yk, raw: raw[tag], rawDecisions: rawDecisions, stacked: oofByTag[tag], support: support,
                                fold: fold, units: units, seed: SplitMix64.derive(options.seed, tag), options: options)
            if let v, v.keep {
                return (TagModel(name: name, path: .pooled, threshold: v.threshold, tagValues: finalValues[tag]),
                        TagReport(tag: name, support: support, rawF1: v.rawF1, stackedF1: v.stackedF1,
                                  threshold: v.threshold, path: .pooled, rounds: finalRounds), oofByTag[tag])
            }
            let th = ThresholdSearch.best(scores: raw[tag], labels: yk).threshold
            return (TagModel(name: name, path: .raw, threshold: th),
                    TagReport(tag: name, support: support, rawF1: v?.rawF1 ?? CrossFit.f1(rawDecisions, yk),
                              stackedF1: v?.stackedF1, threshold: th, path: .raw, rounds: nil), raw[tag])
        }
        options.progress?(t, t)
        var run = Stacker.collect(.pooled, tags: paths.map(\.0), reports: paths.map(\.1), oofByTag: paths.map(\.2),
                                  data: data, fold: fold, options: options)
        // Pooled tags read the per-tag features only (no shared columns).
        run.featureSet = FeatureSet(kinds: features.set.kinds, networks: features.set.networks, quantiles: features.set.quantiles)
        run.pooled = PooledModel(tagFeatures: tagFeatureNames, initScore: .ownLogit, booster: final)
        return run
    }

    /// Probabilities of tag `tag` on `rows`: per-tag features (no shared columns) then the tag values.
    static func probabilities(_ ensemble: TreeEnsemble, features: FeatureMatrix, tag: Int, tagValues: [Double],
                              rows: [Int32], initScores: [Double]) -> [Double] {
        let k = features.set.kinds.count, w = k + tagValues.count
        var x = [Double](repeating: 0, count: rows.count * w)
        for (r, i) in rows.enumerated() {
            for f in 0..<k { x[r * w + f] = features.perTag[tag][f][Int(i)] }
            for j in 0..<tagValues.count { x[r * w + k + j] = tagValues[j] }
        }
        return ensemble.rawScores(values: x, rowCount: rows.count, columnCount: w, initScores: initScores).map(sigmoid)
    }
}
