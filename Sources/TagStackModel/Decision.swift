// Turning probabilities into 0/1 decisions: per-tag thresholds, then an optional at-least-one rule.

/// Applies per-tag thresholds and a decision rule to probabilities.
public struct Decider: Sendable {
    public let thresholds: [Double?]
    public let rule: DecisionRule
    /// Tag indices per class, used by `.atLeastOnePerClass`.
    public let classGroups: [[Int]]

    public init(thresholds: [Double?], rule: DecisionRule, labels: LabelSet) {
        precondition(thresholds.count == labels.count)
        self.thresholds = thresholds; self.rule = rule
        self.classGroups = labels.tagIndicesByClass
    }

    public init(model: StackerModel) {
        self.init(thresholds: model.tags.map(\.threshold), rule: model.decision, labels: model.labels)
    }

    /// Decisions for one track. `probabilities` has one entry per tag; `out` receives 0 or 1 per tag.
    ///
    /// A tag is predicted when `p >= threshold`; a tag whose threshold is nil never is. With an
    /// at-least-one rule, a group (class or track) where nothing passes gets the tag with the largest
    /// `p / threshold` (the MediaEval 2018 baseline), the first such tag on ties; tags that are never
    /// predicted are not candidates.
    public func decide(_ probabilities: UnsafeBufferPointer<Double>, into out: UnsafeMutableBufferPointer<UInt8>) {
        let n = thresholds.count
        for k in 0..<n {
            if let t = thresholds[k], probabilities[k] >= t { out[k] = 1 } else { out[k] = 0 }
        }
        switch rule {
        case .thresholds: return
        case .atLeastOnePerTrack: forceOne(Array(0..<n), probabilities, out)
        case .atLeastOnePerClass: for g in classGroups { forceOne(g, probabilities, out) }
        }
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

    /// Decisions for many tracks: `probabilities` is row-major rows × tags; returns the same shape.
    public func decide(rows: Int, probabilities: [Double]) -> [UInt8] {
        let n = thresholds.count
        precondition(probabilities.count == rows * n)
        var out = [UInt8](repeating: 0, count: rows * n)
        probabilities.withUnsafeBufferPointer { p in
            out.withUnsafeMutableBufferPointer { o in
                for i in 0..<rows {
                    decide(UnsafeBufferPointer(rebasing: p[(i * n)..<((i + 1) * n)]),
                           into: UnsafeMutableBufferPointer(rebasing: o[(i * n)..<((i + 1) * n)]))
                }
            }
        }
        return out
    }
}
