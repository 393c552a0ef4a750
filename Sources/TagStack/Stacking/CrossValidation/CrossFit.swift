// Honest estimates of F1 for choosing between paths, learners and decision rules.
//
// A threshold fitted on the rows it is scored on flatters rare tags (on MTG-Jamendo: in-sample weighted F1
// 0.31 for per-tag thresholds, 0.21 on the test set), and it flatters a noisier score more, so comparing
// in-sample F1s picks stacked scores and elaborate rules that lose on new data. Cross-fitting removes the
// bias: for each fold, thresholds (and the hierarchical rule's category thresholds) are fitted on the
// other folds' rows and applied to the fold's rows; counts are summed over folds.

import TagStackModel

enum CrossFit {
    /// Cross-fitted decisions of one score column: per fold, the threshold that maximises F1 on the other
    /// folds' rows decides the fold's rows.
    static func decisions(scores: [Double], labels: [UInt8], fold: [Int], k: Int) -> [Bool] {
        var out = [Bool](repeating: false, count: scores.count)
        for f in 0..<k {
            var s: [Double] = [], y: [UInt8] = []
            s.reserveCapacity(scores.count); y.reserveCapacity(scores.count)
            for i in 0..<scores.count where fold[i] != f { s.append(scores[i]); y.append(labels[i]) }
            guard let th = ThresholdSearch.best(scores: s, labels: y).threshold else { continue }
            for i in 0..<scores.count where fold[i] == f { out[i] = scores[i] >= th }
        }
        return out
    }

    /// F1 of 0/1 decisions against labels.
    static func f1(_ d: [Bool], _ y: [UInt8]) -> Double {
        var tp = 0, fp = 0, fn = 0
        for (on, l) in zip(d, y) { if l != 0 { if on { tp += 1 } else { fn += 1 } } else if on { fp += 1 } }
        return f1Score(tp: tp, fp: fp, fn: fn)
    }

    /// Paired bootstrap over units (groups of rows, e.g. artists): the share of `draws` resamples in which
    /// decisions `a` have a higher F1 than decisions `b`. Units, not rows, are resampled because rows of one
    /// group are not independent. Deterministic for a seed.
    static func probabilityBetter(_ a: [Bool], than b: [Bool], labels: [UInt8], units: [Int], draws: Int, seed: UInt64) -> Double {
        let u = (units.max() ?? -1) + 1
        guard u > 0 else { return 0 }
        // Per unit: tp, fp, fn for a and for b.
        var counts = [Int](repeating: 0, count: u * 6)
        for i in 0..<labels.count {
            let base = units[i] * 6, y = labels[i] != 0
            if y { if a[i] { counts[base] += 1 } else { counts[base + 2] += 1 } } else if a[i] { counts[base + 1] += 1 }
            if y { if b[i] { counts[base + 3] += 1 } else { counts[base + 5] += 1 } } else if b[i] { counts[base + 4] += 1 }
        }
        var rng = SplitMix64(seed: seed)
        var wins = 0
        for _ in 0..<draws {
            var c = [Int](repeating: 0, count: 6)
            for _ in 0..<u {
                let base = rng.nextInt(u) * 6
                for j in 0..<6 { c[j] += counts[base + j] }
            }
            if f1Score(tp: c[0], fp: c[1], fn: c[2]) > f1Score(tp: c[3], fp: c[4], fn: c[5]) { wins += 1 }
        }
        return Double(wins) / Double(draws)
    }

    /// Cross-fitted weighted F1 of `probabilities` (per tag, every row) under `rule`.
    static func weightedF1(data: TrainingData, probabilities: ScoreColumns, rule: DecisionRule, fold: [Int], k: Int) -> Double {
        let n = data.x.rowCount, t = data.labels.count
        // Per tag: true positives, predicted, support, summed over folds (no rows × tags decisions kept).
        var counts = DecisionSearch.Counts(tags: t)
        let cats = DecisionSearch.categoryColumns(data)
        var row = [Double](repeating: 0, count: t), out = [UInt8](repeating: 0, count: t)
        var catRow = [Double](repeating: 0, count: data.labels.categories.count)
        for f in 0..<k {
            let inFold = (0..<n).filter { fold[$0] == f }
            let outFold = (0..<n).filter { fold[$0] != f }
            let thresholds: [Double?] = (0..<t).map { j in
                let s = probabilities[j]
                let y = data.labelColumns[j]
                return ThresholdSearch.best(scores: outFold.map { s[$0] }, labels: outFold.map { y[$0] }).threshold
            }
            let tags = (0..<t).map { TagModel(name: data.labels.tags[$0], form: .raw, threshold: thresholds[$0]) }
            let hierarchy = rule == .hierarchical
                ? DecisionSearch.fitHierarchy(data: data, probabilities: probabilities, tags: tags, rows: outFold) : nil
            let decider = Decider(thresholds: thresholds, rule: rule, labels: data.labels, hierarchy: hierarchy)
            for i in inFold {
                DecisionSearch.decide(decider, row: i, probabilities: probabilities, x: data.x,
                                      categoryColumns: decider.needsCategoryColumns ? cats : nil, into: &row, &catRow, &out)
                counts.add(truth: data.labelColumns, row: i, decisions: out)
            }
        }
        return counts.weightedF1
    }

    /// Cross-fitted weighted F1 of per-tag thresholds when each fold has a model of its own: for fold f, tag
    /// k's threshold is fitted on the training rows' scores of fold f's model (`scores(f, k)`, every row) and
    /// decides fold f's rows with the same model's scores. A model's per-tag shift (an intercept fitted on
    /// those rows) moves its threshold with it, so a fitted blend is judged like a parameter-free score
    /// (`scores` the same for every fold gives the usual cross-fitting). Support-weighted over tags.
    static func weightedF1(labels: [[UInt8]], fold: [Int], k: Int, threads: Int, scores: (Int, Int) -> [Double]) -> Double {
        let t = labels.count
        let counts = parallelMap(t, threads: threads) { tag -> (tp: Int, support: Int, predicted: Int) in
            let y = labels[tag]
            var tp = 0, support = 0, predicted = 0
            for f in 0..<k {
                let s = scores(f, tag)
                var fitS: [Double] = [], fitY: [UInt8] = []
                for i in 0..<y.count where fold[i] != f { fitS.append(s[i]); fitY.append(y[i]) }
                let th = ThresholdSearch.best(scores: fitS, labels: fitY).threshold
                for i in 0..<y.count where fold[i] == f {
                    let on = th.map { s[i] >= $0 } ?? false
                    if y[i] != 0 { support += 1; if on { tp += 1 } }
                    if on { predicted += 1 }
                }
            }
            return (tp, support, predicted)
        }
        return supportWeighted(counts)
    }

    /// In-sample weighted F1 of per-tag thresholds (fitted and scored on every row), `scores(tag)`.
    static func inSampleWeightedF1(labels: [[UInt8]], scores: (Int) -> [Double], threads: Int) -> Double {
        let counts = parallelMap(labels.count, threads: threads) { tag -> (tp: Int, support: Int, predicted: Int) in
            let fit = ThresholdSearch.best(scores: scores(tag), labels: labels[tag])
            return (fit.truePositives, labels[tag].reduce(0) { $0 + Int($1) }, fit.predicted)
        }
        return supportWeighted(counts)
    }

    static func supportWeighted(_ counts: [(tp: Int, support: Int, predicted: Int)]) -> Double {
        let total = counts.reduce(0) { $0 + $1.support }
        guard total > 0 else { return 0 }
        var sum = 0.0
        for c in counts where c.support > 0 { sum += Double(c.support) * f1Score(truePositives: c.tp, support: c.support, predicted: c.predicted) }
        return sum / Double(total)
    }
}
