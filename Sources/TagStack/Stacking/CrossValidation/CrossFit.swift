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
                       tags: [TagModel], hierarchy: Hierarchy?, foldThresholds: [[Double?]]? = nil) -> Double {
        rulesF1(data: data, scores: scores, rules: [rule], fold: fold, k: k, tags: tags, hierarchies: [hierarchy], foldThresholds: foldThresholds)[0]
    }

    /// Per fold, every tag's threshold that maximises F1 on the other folds' rows (`[fold][tag]`), each column
    /// read once for every fold (a recomputed column is computed when read), tags in parallel.
    static func foldThresholds(data: TrainingData, scores: ScoreColumns, fold: [Int], k: Int, threads: Int) -> [[Double?]] {
        let outFolds = otherFoldsRows(fold: fold, k: k)
        let thresholds: [[Double?]] = parallelMap(data.labels.count, threads: threads) { j in
            let s = scores[j], y = data.labelColumns[j]
            return outFolds.map { ThresholdSearch.best(scores: $0.map { s[$0] }, labels: $0.map { y[$0] }).threshold }
        }
        return (0..<k).map { f in thresholds.map { $0[f] } }
    }

    /// Per fold f, the rows of the other folds (what fold f's thresholds and parameters are fitted on).
    static func otherFoldsRows(fold: [Int], k: Int) -> [[Int]] {
        (0..<k).map { f in fold.indices.filter { fold[$0] != f } }
    }

    /// `ruleF1` of each rule of `rules` (`hierarchies`: theirs, used without folds), from three reads of the
    /// scores whatever the number of rules and folds (a recomputed column is computed when read): every tag's
    /// threshold of each fold (a column at a time), the rules' parameters of each fold (rows; the hierarchical
    /// rule's), then every rule's decisions of every row (rows). Counts are summed per tag over folds.
    /// `foldThresholds`: `CrossFit.foldThresholds` of `scores` when already computed.
    static func rulesF1(data: TrainingData, scores: ScoreColumns, rules: [DecisionRule], fold: [Int]?, k: Int,
                        tags: [TagModel], hierarchies: [Hierarchy?], foldThresholds known: [[Double?]]? = nil, threads: Int = 1) -> [Double] {
        let n = data.x.rowCount, t = data.labels.count
        let deciders: [[Decider]]   // [rule][fold]; one without folds
        if let fold {
            let outFolds = otherFoldsRows(fold: fold, k: k)
            let foldThresholds = known ?? self.foldThresholds(data: data, scores: scores, fold: fold, k: k, threads: threads)
            deciders = rules.map { rule in
                let parameters = rule.fitParameters(data: data, scores: scores, thresholds: foldThresholds, rows: outFolds)
                return (0..<k).map { Decider(thresholds: foldThresholds[$0], rule: rule, labels: data.labels, hierarchy: parameters[$0]) }
            }
        } else {
            deciders = rules.indices.map {
                [Decider(thresholds: tags.map(\.threshold), rule: rules[$0], labels: data.labels, hierarchy: hierarchies[$0])]
            }
        }
        let y = data.labelColumns, cats = DecisionSearch.categoryColumns(data)
        var counts = [[TagCounts]](repeating: [TagCounts](repeating: TagCounts(), count: t), count: rules.count)
        var out = [UInt8](repeating: 0, count: t)
        var catRow = [Double](repeating: 0, count: data.labels.categories.count)
        scores.forEachRow(Array(0..<n)) { i, row in
            let f = fold?[i] ?? 0
            guard f >= 0 && f < deciders[0].count else { return }
            for r in rules.indices {
                let decider = deciders[r][f]
                DecisionSearch.decide(decider, row: i, scores: row, x: data.x, categoryColumns: decider.needsCategoryColumns ? cats : nil,
                                      into: &catRow, &out)
                for j in 0..<t { counts[r][j].add(decision: out[j] != 0, label: y[j][i] != 0) }
            }
        }
        return counts.map(TagCounts.weightedF1)
    }
}
