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
        let hierarchies = rules.map { $0.fitParameters(data: data, scores: run.oof, thresholds: [run.tags.map(\.threshold)], rows: [nil])[0] }
        let f1s = CrossFit.rulesF1(data: data, scores: run.oof, rules: rules, fold: fold, k: k, tags: run.tags, hierarchies: hierarchies,
                                   foldThresholds: run.foldThresholds)
        for (r, rule) in rules.enumerated() {
            let f1 = f1s[r]
            scores.append((rule, f1))
            if chosen == nil || f1 > chosen!.ruleF1 + margin { chosen = Choice(rule: rule, hierarchy: hierarchies[r], ruleF1: f1) }
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

    /// Per-category thresholds for the hierarchical rule, fitted on each row set `rows[s]` (nil: every row) given
    /// the per-tag thresholds `thresholds[s]`. Each category's threshold maximises the support-weighted F1 of its
    /// own tags (categories do not interact under the rule), over `nil` (always on) and 64 quantiles of the
    /// category's score; ties keep the lower threshold (fewer tags removed). One read of the scores serves every
    /// set: which rows pass each tag's threshold (a bit a row, tag and set) and, without category columns, each
    /// category's score (the highest of its tags'); then a tag's counts at a threshold are binary searches in
    /// the sorted category scores of its passing rows.
    static func fitHierarchies(data: TrainingData, scores: ScoreColumns, thresholds: [[Double?]], rows: [[Int]?]) -> [Hierarchy] {
        let n = data.x.rowCount, t = data.labels.count, words = (n + 63) / 64
        let columnScores = categoryColumns(data)
        let groups = data.labels.tagIndicesByCategory
        // [set][tag × words + word]: row passes the tag's threshold of the set.
        var passes = [[UInt64]](repeating: [UInt64](repeating: 0, count: t * words), count: thresholds.count)
        // Without category columns, [row × categories + category]: the highest score of the category's tags.
        var maxTag = [Double](repeating: 0, count: columnScores == nil ? n * groups.count : 0)
        scores.forEachRow(Array(0..<n)) { i, row in
            let bit = UInt64(1) << UInt64(i % 64), word = i / 64
            for (s, th) in thresholds.enumerated() {
                for j in 0..<t { if let v = th[j], row[j] >= v { passes[s][j * words + word] |= bit } }
            }
            guard columnScores == nil else { return }
            for (g, members) in groups.enumerated() {
                // `max()`'s order: a later value replaces the incumbent when the incumbent is less.
                var m = row[members[0]]
                for k in members.dropFirst() where m < row[k] { m = row[k] }
                maxTag[i * groups.count + g] = m
            }
        }
        return thresholds.indices.map { s in
            let setRows = rows[s] ?? Array(0..<n)
            let categoryThresholds = groups.indices.map { g -> Double? in
                func score(_ i: Int) -> Double { columnScores.map { data.x[i, $0[g]] } ?? maxTag[i * groups.count + g] }
                return categoryThreshold(members: groups[g], rows: setRows, score: score, labels: data.labelColumns) { j, i in
                    passes[s][j * words + i / 64] & (UInt64(1) << UInt64(i % 64)) != 0
                }
            }
            return Hierarchy(source: columnScores != nil ? .column : .maxTag, thresholds: categoryThresholds)
        }
    }

    /// One category's threshold (`fitHierarchies`) on `rows`: `score(row)` the category's, `passes(tag, row)`
    /// whether the tag's own threshold passes the row.
    static func categoryThreshold(members: [Int], rows: [Int], score: (Int) -> Double, labels: [[UInt8]],
                                  passes: (Int, Int) -> Bool) -> Double? {
        // Per member: its support, and the category scores (NaN left out: never at or above a threshold) of its
        // passing rows, and of those positive, sorted; with the counts of each, NaN included (no threshold).
        struct Member { var support = 0, passed = 0, hits = 0; var passedScores: [Double] = [], hitScores: [Double] = [] }
        let stats = members.map { j -> Member in
            var m = Member()
            for i in rows {
                let y = labels[j][i] != 0
                if y { m.support += 1 }
                guard passes(j, i) else { continue }
                let v = score(i)
                m.passed += 1
                if y { m.hits += 1 }
                if !v.isNaN { m.passedScores.append(v); if y { m.hitScores.append(v) } }
            }
            m.passedScores.sort(); m.hitScores.sort()
            return m
        }
        /// How many of `sorted` are at or above `th`.
        func atOrAbove(_ sorted: [Double], _ th: Double) -> Int {
            var lo = 0, hi = sorted.count
            while lo < hi { let mid = (lo + hi) / 2; if sorted[mid] < th { lo = mid + 1 } else { hi = mid } }
            return sorted.count - lo
        }
        func objective(_ th: Double?) -> Double {
            var sum = 0.0
            for m in stats where m.support > 0 {
                let tp = th.map { atOrAbove(m.hitScores, $0) } ?? m.hits, pred = th.map { atOrAbove(m.passedScores, $0) } ?? m.passed
                sum += f1Score(truePositives: tp, support: m.support, predicted: pred) * Double(m.support)
            }
            return sum
        }
        let sorted = rows.map(score).filter { !$0.isNaN }.sorted()
        guard !sorted.isEmpty else { return nil }
        var best: Double? = nil
        var bestValue = objective(nil)
        var candidates: [Double] = []
        for q in 1..<64 { candidates.append(sorted[Int(Double(q) / 64 * Double(sorted.count - 1))]) }
        for th in Array(Set(candidates)).sorted() {
            let v = objective(th)
            if v > bestValue { bestValue = v; best = th }
        }
        return best
    }
}
