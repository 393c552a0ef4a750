// Choosing the decision rule on out-of-fold probabilities, and fitting the hierarchical rule's
// per-category thresholds.

import TagStackModel

enum DecisionSearch {
    /// The decision rule chosen, with the category thresholds of the hierarchical rule.
    struct Choice {
        var rule: DecisionRule
        var hierarchy: Hierarchy?
        var weightedF1: Double
    }

    /// Tries each rule on `run`'s out-of-fold probabilities (cross-fitted with folds, in-sample without) and
    /// keeps the best; a later rule replaces the incumbent only when it wins by more than `margin` (rules are
    /// listed simplest first). Returns the choice and every rule's score, in order.
    static func choose(_ rules: [DecisionRule], run: LearnerRun, data: TrainingData, fold: [Int]?, k: Int,
                       margin: Double = 0) -> (Choice, [(DecisionRule, Double)]) {
        var scores: [(DecisionRule, Double)] = []
        var chosen: Choice? = nil
        for rule in rules {
            let hierarchy = rule == .hierarchical ? fitHierarchy(data: data, probabilities: run.oof, tags: run.tags) : nil
            let f1 = fold.map { CrossFit.weightedF1(data: data, probabilities: run.oof, rule: rule, fold: $0, k: k) }
                ?? weightedF1(data: data, probabilities: run.oof, tags: run.tags, rule: rule, hierarchy: hierarchy)
            scores.append((rule, f1))
            if chosen == nil || f1 > chosen!.weightedF1 + margin { chosen = Choice(rule: rule, hierarchy: hierarchy, weightedF1: f1) }
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

    /// Row `i`'s decisions under `decider`: its probabilities gathered into `row`, and with `categoryColumns`
    /// its category scores from X into `catRow` (one per category).
    static func decide(_ decider: Decider, row i: Int, probabilities: ScoreColumns, x: FeatureTable, categoryColumns: [Int]?,
                       into row: inout [Double], _ catRow: inout [Double], _ out: inout [UInt8]) {
        if let categoryColumns { for (g, j) in categoryColumns.enumerated() { catRow[g] = x[i, j] } }
        row.withUnsafeMutableBufferPointer { pr in
            out.withUnsafeMutableBufferPointer { o in
                probabilities.row(i, into: pr)
                let p = UnsafeBufferPointer(pr)
                if categoryColumns != nil {
                    catRow.withUnsafeBufferPointer { cb in decider.decide(p, categoryScores: cb, into: o) }
                } else {
                    decider.decide(p, into: o)
                }
            }
        }
    }

    /// Weighted F1 of the decisions that `tags`' thresholds and `rule` give on `probabilities`.
    static func weightedF1(data: TrainingData, probabilities: ScoreColumns, tags: [TagModel], rule: DecisionRule, hierarchy: Hierarchy?) -> Double {
        let decider = Decider(thresholds: tags.map(\.threshold), rule: rule, labels: data.labels, hierarchy: hierarchy)
        let cats = decider.needsCategoryColumns ? categoryColumns(data) : nil
        let t = data.labels.count
        var counts = Counts(tags: t)
        var row = [Double](repeating: 0, count: t), out = [UInt8](repeating: 0, count: t)
        var catRow = [Double](repeating: 0, count: data.labels.categories.count)
        for i in 0..<data.x.rowCount {
            decide(decider, row: i, probabilities: probabilities, x: data.x, categoryColumns: cats, into: &row, &catRow, &out)
            counts.add(truth: data.labelColumns, row: i, decisions: out)
        }
        return counts.weightedF1
    }

    /// Per tag: true positives, predicted and support of 0/1 decisions, added row by row.
    struct Counts {
        var tp: [Int], predicted: [Int], support: [Int]

        init(tags t: Int) {
            tp = [Int](repeating: 0, count: t); predicted = tp; support = tp
        }

        /// Adds row `i`'s decisions (one per tag) against its truth (`y[tag][row]`).
        mutating func add(truth y: [[UInt8]], row i: Int, decisions d: [UInt8]) {
            for j in 0..<d.count {
                if y[j][i] != 0 { support[j] += 1; if d[j] != 0 { tp[j] += 1 } }
                if d[j] != 0 { predicted[j] += 1 }
            }
        }

        /// Σ_t support_t · F1_t / Σ_t support_t, as scikit-learn's `f1_score(average="weighted")`.
        var weightedF1: Double {
            let total = support.reduce(0, +)
            guard total > 0 else { return 0 }
            var sum = 0.0
            for j in support.indices where support[j] > 0 {
                sum += Double(support[j]) * f1Score(truePositives: tp[j], support: support[j], predicted: predicted[j])
            }
            return sum / Double(total)
        }
    }


    /// Per-category thresholds for the hierarchical rule. Each category's threshold maximises the
    /// support-weighted F1 of its own tags (categories do not interact under the rule), over `nil` (always
    /// on) and 64 quantiles of the category's score; ties keep the lower threshold (fewer tags removed).
    static func fitHierarchy(data: TrainingData, probabilities: ScoreColumns, tags: [TagModel], rows: [Int]? = nil) -> Hierarchy {
        let rows = rows ?? Array(0..<data.x.rowCount)
        let columnScores = categoryColumns(data)
        let groups = data.labels.tagIndicesByCategory
        let c = groups.count
        var thresholds = [Double?](repeating: nil, count: c)
        for (g, members) in groups.enumerated() {
            let score: [Double] = rows.map { i in
                if let cs = columnScores { return data.x[i, cs[g]] }
                return members.map { probabilities.value(i, $0) }.max()!
            }
            // Tag decisions before gating, and the truth, for this category's tags.
            let passes: [[Bool]] = members.map { k in
                rows.map { i in tags[k].threshold.map { probabilities.value(i, k) >= $0 } ?? false }
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
