// Turning scores into 0/1 decisions: per-tag thresholds, then an optional rule (at least one tag per class or
// per track, or the hierarchical category-first strategy). Decisions compare each tag's score before
// calibration (what `ModelScorer` returns as `scores`) with its threshold; calibration only changes the
// probabilities written out.

/// Applies per-tag thresholds and a decision rule to scores (before calibration).
public struct Decider: Sendable {
    public let thresholds: [Double?]
    public let rule: DecisionRule
    public let hierarchy: Hierarchy?
    /// Tag indices per class, used by `.atLeastOnePerClass`.
    let classGroups: [[Int]]
    /// Tag indices per category and each tag's category index, used by `.hierarchical`.
    let categoryGroups: [[Int]]
    let categoryOf: [Int]
    /// One label a track (`StackerModel.oneLabel`): the decision is the argmax of the probabilities (the first
    /// tag on ties); thresholds and the rule are not read.
    public var argmax = false

    public init(thresholds: [Double?], rule: DecisionRule, labels: LabelSet, hierarchy: Hierarchy? = nil) {
        precondition(thresholds.count == labels.count)
        precondition(rule != .hierarchical || hierarchy?.thresholds.count == labels.categories.count,
                     "Decider: the hierarchical rule needs one threshold per category")
        self.thresholds = thresholds; self.rule = rule; self.hierarchy = hierarchy
        classGroups = labels.tagIndicesByClass
        categoryGroups = labels.tagIndicesByCategory
        let index = Dictionary(uniqueKeysWithValues: labels.categories.enumerated().map { ($1, $0) })
        categoryOf = labels.tagCategories.map { index[$0]! }
    }

    public init(model: StackerModel) {
        self.init(thresholds: model.tags.map(\.threshold), rule: model.decision, labels: model.labels, hierarchy: model.hierarchy)
        argmax = model.oneLabel != nil
    }

    /// Whether the hierarchical rule reads category columns (then `decide` needs `categoryScores`).
    public var needsCategoryColumns: Bool { rule == .hierarchical && hierarchy?.source == .column }

    /// Decisions for one track. `scores` has one entry per tag; `out` receives 0 or 1 per tag.
    ///
    /// A tag is predicted when `p >= threshold`; a tag whose threshold is nil never is. With an
    /// at-least-one rule, a group (class or track) where nothing passes gets the tag with the largest
    /// `p / threshold` (the MediaEval 2018 baseline), the first such tag on ties; tags that are never
    /// predicted are not candidates. With the hierarchical rule, category `g` is on when its score (the
    /// category column from `categoryScores`, or the largest score of its tags) is `>=` its
    /// threshold (always on when that is nil), and a tag is predicted only if it passes and its category is on.
    public func decide(_ scores: UnsafeBufferPointer<Double>, categoryScores: UnsafeBufferPointer<Double>? = nil,
                       into out: UnsafeMutableBufferPointer<UInt8>) {
        let n = thresholds.count
        if argmax {
            var best = 0
            for k in 0..<n { out[k] = 0; if scores[k] > scores[best] { best = k } }
            if n > 0 { out[best] = 1 }
            return
        }
        for k in 0..<n {
            if let t = thresholds[k], scores[k] >= t { out[k] = 1 } else { out[k] = 0 }
        }
        switch rule {
        case .thresholds: return
        case .atLeastOnePerTrack: forceOne(Array(0..<n), scores, out)
        case .atLeastOnePerClass: for g in classGroups { forceOne(g, scores, out) }
        case .hierarchical:
            let h = hierarchy!
            for (g, members) in categoryGroups.enumerated() {
                guard let t = h.thresholds[g] else { continue }
                let score: Double
                if h.source == .column, let c = categoryScores { score = c[g] }
                else { score = members.map { scores[$0] }.max()! }
                if !(score >= t) { for k in members { out[k] = 0 } }
            }
        }
    }

    @available(*, deprecated, renamed: "decide(rows:scores:categoryScores:)", message: "decisions compare scores before calibration")
    public func decide(rows: Int, probabilities: [Double], categoryScores: [Double]? = nil) -> [UInt8] {
        decide(rows: rows, scores: probabilities, categoryScores: categoryScores)
    }

    private func forceOne(_ group: [Int], _ p: UnsafeBufferPointer<Double>, _ out: UnsafeMutableBufferPointer<UInt8>) {
        var best = -1
        var bestRatio = -Double.infinity
        for k in group {
            if out[k] == 1 { return }
            guard let t = thresholds[k] else { continue }
            let ratio = t > 0 ? p[k] / t : (p[k] >= t ? .infinity : -.infinity)
            if ratio > bestRatio { bestRatio = ratio; best = k }
        }
        if best >= 0 { out[best] = 1 }
    }

    /// Decisions for many tracks: `scores` (before calibration) is row-major rows × tags (and `categoryScores`,
    /// when the rule reads category columns, rows × categories); returns rows × tags.
    public func decide(rows: Int, scores: [Double], categoryScores: [Double]? = nil) -> [UInt8] {
        let n = thresholds.count, c = categoryGroups.count
        precondition(scores.count == rows * n)
        var out = [UInt8](repeating: 0, count: rows * n)
        scores.withUnsafeBufferPointer { p in
            out.withUnsafeMutableBufferPointer { o in
                for i in 0..<rows {
                    let pr = UnsafeBufferPointer(rebasing: p[(i * n)..<((i + 1) * n)])
                    let orow = UnsafeMutableBufferPointer(rebasing: o[(i * n)..<((i + 1) * n)])
                    if let cs = categoryScores {
                        cs.withUnsafeBufferPointer { cb in decide(pr, categoryScores: UnsafeBufferPointer(rebasing: cb[(i * c)..<((i + 1) * c)]), into: orow) }
                    } else {
                        decide(pr, into: orow)
                    }
                }
            }
        }
        return out
    }
}
