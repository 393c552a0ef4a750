// Choosing the decision rule on out-of-fold scores, and fitting the hierarchical rule's
// per-category thresholds.

import TagStackModel

enum DecisionSearch {
    /// The decision rule chosen, with the category thresholds of the hierarchical rule.
    struct Choice {
        var rule: DecisionRule
        var hierarchy: Hierarchy?
        /// The rule's weighted F1 on the run's out-of-fold scores (`CrossFit.ruleF1`).
        var ruleF1: Double
    }

    /// Tries each rule on `run`'s out-of-fold scores (cross-fitted with folds, in-sample without) and
    /// keeps the best; a later rule replaces the incumbent only when it wins by more than `margin` (rules are
    /// listed simplest first). Returns the choice and every rule's score, in order.
    static func choose(_ rules: [DecisionRule], run: LearnerRun, data: TrainingData, fold: [Int]?, k: Int,
                       margin: Double = 0) -> (Choice, [(DecisionRule, Double)]) {
        var scores: [(DecisionRule, Double)] = []
        var chosen: Choice? = nil
        for rule in rules {
            let hierarchy = rule.fitParameters(data: data, scores: run.oof, tags: run.tags)
            let f1 = CrossFit.ruleF1(data: data, scores: run.oof, rule: rule, fold: fold, k: k, tags: run.tags, hierarchy: hierarchy)
            scores.append((rule, f1))
            if chosen == nil || f1 > chosen!.ruleF1 + margin { chosen = Choice(rule: rule, hierarchy: hierarchy, ruleF1: f1) }
        }
        return (chosen!, scores)
    }

    /// The X columns named like the categories (in category order), or nil when any is absent: category
    /// scores are read in place from X, never copied out (rows × categories Doubles).
    static func categoryColumns(_ data: TrainingData) -> [Int]? {
        let cols = data.labels.categories.map { data.x.columnIndex($0) }
        guard cols.allSatisfy({ $0 != nil }) else { return nil }
        return cols.map { $0! }
    }

    /// Row `i`'s decisions under `decider`, given its scores `row` (one per tag); with `categoryColumns` its
    /// category scores are read from X into `catRow` (one per category).
    static func decide(_ decider: Decider, row i: Int, scores row: UnsafeBufferPointer<Double>, x: FeatureTable,
                       categoryColumns: [Int]?, into catRow: inout [Double], _ out: inout [UInt8]) {
        if let categoryColumns { for (g, j) in categoryColumns.enumerated() { catRow[g] = x[i, j] } }
        out.withUnsafeMutableBufferPointer { o in
            if categoryColumns != nil {
                catRow.withUnsafeBufferPointer { cb in decider.decide(row, categoryScores: cb, into: o) }
            } else {
                decider.decide(row, into: o)
            }
        }
    }

    /// Per-category thresholds for the hierarchical rule. Each category's threshold maximises the
    /// support-weighted F1 of its own tags (categories do not interact under the rule), over `nil` (always
    /// on) and 64 quantiles of the category's score; ties keep the lower threshold (fewer tags removed).
    static func fitHierarchy(data: TrainingData, scores: ScoreColumns, tags: [TagModel], rows: [Int]? = nil) -> Hierarchy {
        let rows = rows ?? Array(0..<data.x.rowCount)
        let columnScores = categoryColumns(data)
        let groups = data.labels.tagIndicesByCategory
        let c = groups.count
        var thresholds = [Double?](repeating: nil, count: c)
        for (g, members) in groups.enumerated() {
            let columns = scores.columns(members)   // read whole, recomputed columns computed together
            let score: [Double] = rows.map { i in
                if let cs = columnScores { return data.x[i, cs[g]] }
                return columns.map { $0[i] }.max()!
            }
            // Tag decisions before gating, and the truth, for this category's tags.
            let passes: [[Bool]] = zip(members, columns).map { k, s in
                rows.map { i in tags[k].threshold.map { s[i] >= $0 } ?? false }
            }
            let truth: [[Bool]] = members.map { k in rows.map { data.labelColumns[k][$0] != 0 } }
            func objective(_ th: Double?) -> Double {
                var sum = 0.0
                for m in 0..<members.count {
                    var tp = 0, pred = 0, sup = 0
                    for r in 0..<rows.count {
                        let y = truth[m][r]
                        let on = passes[m][r] && (th.map { score[r] >= $0 } ?? true)
                        if y { sup += 1; if on { tp += 1 } }
                        if on { pred += 1 }
                    }
                    if sup > 0 { sum += f1Score(truePositives: tp, support: sup, predicted: pred) * Double(sup) }
                }
                return sum
            }
            let sorted = score.filter { !$0.isNaN }.sorted()
            var best: Double? = nil
            var bestValue = objective(nil)
            guard !sorted.isEmpty else { continue }
            var candidates: [Double] = []
            for q in 1..<64 { candidates.append(sorted[Int(Double(q) / 64 * Double(sorted.count - 1))]) }
            for th in Array(Set(candidates)).sorted() {
                let v = objective(th)
                if v > bestValue { bestValue = v; best = th }
            }
            thresholds[g] = best
        }
        return Hierarchy(source: columnScores != nil ? .column : .maxTag, thresholds: thresholds)
    }
}
