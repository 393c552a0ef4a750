// Honest estimates of F1 for choosing between paths, learners and decision rules.
//
// A threshold fitted on the rows it is scored on flatters rare tags (README, How the stacker works, for the
// figures on MTG-Jamendo), and it flatters a noisier score more, so comparing
// in-sample F1s picks stacked scores and elaborate rules that lose on new data. Cross-fitting removes the
// bias: for each fold, thresholds (and the hierarchical rule's category thresholds) are fitted on the
// other folds' rows and applied to the fold's rows; counts are summed over folds.

import TagStackModel

enum CrossFit {
    /// One tag's per-tag threshold decisions: cross-fitted with folds (fold f's rows decided by the threshold
    /// that maximises F1 on the other folds' rows), in-sample without (`fold` nil: fitted and decided on every
    /// row). `scores(f)` is the column fold f is decided on and its threshold fitted on (every row): a model
    /// fitted per fold gives its own, a parameter-free score the same column for every fold.
    static func decisions(labels: [UInt8], fold: [Int]?, k: Int, scores: (_ fold: Int) -> [Double]) -> [Bool] {
        guard let fold else {
            let s = scores(0)
            let th = ThresholdSearch.best(scores: s, labels: labels).threshold
            return s.map { v in th.map { v >= $0 } ?? false }
        }
        var out = [Bool](repeating: false, count: labels.count)
        for f in 0..<k {
            let s = scores(f)
            var fitS: [Double] = [], fitY: [UInt8] = []
            fitS.reserveCapacity(s.count); fitY.reserveCapacity(s.count)
            for i in 0..<s.count where fold[i] != f { fitS.append(s[i]); fitY.append(labels[i]) }
            guard let th = ThresholdSearch.best(scores: fitS, labels: fitY).threshold else { continue }
            for i in 0..<s.count where fold[i] == f { out[i] = s[i] >= th }
        }
        return out
    }

    /// `decisions` of one score column, the same for every fold.
    static func decisions(scores: [Double], labels: [UInt8], fold: [Int]?, k: Int) -> [Bool] {
        decisions(labels: labels, fold: fold, k: k) { _ in scores }
    }

    /// The support-weighted F1 of every tag's per-tag threshold decisions (`decisions`): cross-fitted with
    /// folds, in-sample without. `scores(f, tag)` is tag's column for fold f (every row): a model fitted per
    /// fold is judged on thresholds fitted on that model's own training rows, so a per-tag shift (an intercept
    /// fitted on those rows) moves its threshold with it and a fitted blend is judged like a parameter-free score.
    static func thresholdsF1(labels: [[UInt8]], fold: [Int]?, k: Int, threads: Int,
                             scores: (_ fold: Int, _ tag: Int) -> [Double]) -> Double {
        let counts = parallelMap(labels.count, threads: threads) { tag in
            TagCounts(decisions: decisions(labels: labels[tag], fold: fold, k: k) { scores($0, tag) }, labels: labels[tag])
        }
        return TagCounts.weightedF1(counts)
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

    /// The support-weighted F1 of every tag's decisions under `rule` (which may read a row's other tags and
    /// categories): cross-fitted with folds (per fold, per-tag thresholds and the hierarchical rule's category
    /// thresholds fitted on the other folds' rows decide the fold's rows), else in-sample with `tags`'
    /// thresholds and `hierarchy` on every row.
    static func ruleF1(data: TrainingData, scores: ScoreColumns, rule: DecisionRule, fold: [Int]?, k: Int,
                       tags: [TagModel], hierarchy: Hierarchy?) -> Double {
        let n = data.x.rowCount, t = data.labels.count
        guard let fold else {
            let decider = Decider(thresholds: tags.map(\.threshold), rule: rule, labels: data.labels, hierarchy: hierarchy)
            var counts = [TagCounts](repeating: TagCounts(), count: t)
            count(decider, rows: Array(0..<n), data: data, scores: scores, into: &counts)
            return TagCounts.weightedF1(counts)
        }
        // Per tag, counts summed over folds (no rows × tags decisions kept).
        var counts = [TagCounts](repeating: TagCounts(), count: t)
        let inFolds = (0..<k).map { f in (0..<n).filter { fold[$0] == f } }
        let outFolds = (0..<k).map { f in (0..<n).filter { fold[$0] != f } }
        // [tag][fold]: each column read once for every fold (a recomputed column is computed when read).
        let thresholds: [[Double?]] = (0..<t).map { j in
            let s = scores[j], y = data.labelColumns[j]
            return outFolds.map { ThresholdSearch.best(scores: $0.map { s[$0] }, labels: $0.map { y[$0] }).threshold }
        }
        for f in 0..<k {
            let foldThresholds = thresholds.map { $0[f] }
            let foldTags = (0..<t).map { TagModel(name: data.labels.tags[$0], form: .raw, threshold: foldThresholds[$0]) }
            let foldHierarchy = rule.fitParameters(data: data, scores: scores, tags: foldTags, rows: outFolds[f])
            let decider = Decider(thresholds: foldThresholds, rule: rule, labels: data.labels, hierarchy: foldHierarchy)
            count(decider, rows: inFolds[f], data: data, scores: scores, into: &counts)
        }
        return TagCounts.weightedF1(counts)
    }

    /// Adds `decider`'s decisions of `rows` to each tag's counts (rows read a chunk at a time: `forEachRow`).
    private static func count(_ decider: Decider, rows: [Int], data: TrainingData, scores: ScoreColumns,
                              into counts: inout [TagCounts]) {
        let t = data.labels.count, y = data.labelColumns
        let cats = decider.needsCategoryColumns ? DecisionSearch.categoryColumns(data) : nil
        var out = [UInt8](repeating: 0, count: t)
        var catRow = [Double](repeating: 0, count: data.labels.categories.count)
        scores.forEachRow(rows) { i, row in
            DecisionSearch.decide(decider, row: i, scores: row, x: data.x, categoryColumns: cats, into: &catRow, &out)
            for j in 0..<t { counts[j].add(decision: out[j] != 0, label: y[j][i] != 0) }
        }
    }
}
