// What each tag's model learned from which input (`train --importance FILE`, the LightGBM export's
// `feature_importances:`), read from the model file itself, so it is exactly what a scorer runs:
// - `split`: per input, the number of splits on it in the tag's trees (LightGBM's importance_type='split'); a
//   pooled tag reports the shared pooled ensemble's (the same for every pooled tag), over the pooled vector:
//   the per-tag features, then the tag-level values (`tag:<name>`);
// - `gain`: per input, the sum of the gains of those splits (LightGBM's importance_type='gain'), as the trainer
//   measured them (`TrainedBooster.gainImportance`; the pooled model's on its weighted sample of pairs). The
//   model file does not hold gains: they come from training (`StackerResult.gainImportance`), and a model
//   averaged over folds (`--final average`) has none;
// - `coefficient`: a logistic tag's weight on the standardised input (comparable across inputs, as scikit-learn's
//   `coef_` on standardised features), and `coefficient_per_unit`: the same per unit of the input (weight / scale).
// The tag `(all tags)` sums `split` and `gain` over every per-tag ensemble and the pooled one (counted once), and gives
// each input's mean absolute `coefficient` over the logistic tags (`mean_abs_coefficient`).

import TagStackModel

public enum Importance {
    public struct Row: Equatable, Sendable {
        public var tag: String
        public var input: String
        public var kind: String
        public var value: Double
    }

    public static let allTags = "(all tags)"

    /// Per feature index, the number of internal nodes splitting on it.
    public static func splitCounts(_ e: TreeEnsemble, featureCount: Int) -> [Int] {
        var counts = [Int](repeating: 0, count: featureCount)
        for t in e.trees { for f in t.splitFeature where Int(f) < featureCount && f >= 0 { counts[Int(f)] += 1 } }
        return counts
    }

    /// Every row, tags in the model's order, inputs in the feature vector's order, then the `(all tags)` rows.
    public static func rows(model: StackerModel, gain: [String: [Double]] = [:], pooledGain: [Double]? = nil) -> [Row] {
        let set = model.features ?? FeatureSet(kinds: [])
        let names = set.names
        let pooledNames = names + (model.pooled?.tagFeatures.map { "tag:" + $0 } ?? [])
        let pooledSplits = model.pooled.map { splitCounts($0.booster, featureCount: pooledNames.count) }
        var rows: [Row] = []
        var totalSplits = [Int](repeating: 0, count: pooledNames.count)
        var totalGain = [Double](repeating: 0, count: pooledNames.count), anyGain = false
        var absCoefficients = [Double](repeating: 0, count: names.count), logisticTags = 0
        for t in model.tags {
            switch t.form {
            case let .boosted(b, _):
                let s = splitCounts(b, featureCount: names.count)
                let g = gain[t.name].flatMap { $0.count == names.count ? $0 : nil }
                for (j, n) in names.enumerated() {
                    rows.append(Row(tag: t.name, input: n, kind: "split", value: Double(s[j])))
                    totalSplits[j] += s[j]
                    if let g { rows.append(Row(tag: t.name, input: n, kind: "gain", value: g[j])); totalGain[j] += g[j]; anyGain = true }
                }
            case let .linear(l):
                logisticTags += 1
                for (j, n) in names.enumerated() where j < l.weights.count {
                    rows.append(Row(tag: t.name, input: n, kind: "coefficient", value: l.weights[j]))
                    rows.append(Row(tag: t.name, input: n, kind: "coefficient_per_unit", value: l.weights[j] / l.scales[j]))
                    absCoefficients[j] += abs(l.weights[j])
                }
            case .pooled:
                if let s = pooledSplits {
                    let g = pooledGain.flatMap { $0.count == pooledNames.count ? $0 : nil }
                    for (j, n) in pooledNames.enumerated() {
                        rows.append(Row(tag: t.name, input: n, kind: "split", value: Double(s[j])))
                        if let g { rows.append(Row(tag: t.name, input: n, kind: "gain", value: g[j])) }
                    }
                }
            case .raw:
                break
            }
        }
        if let s = pooledSplits, model.tags.contains(where: { $0.path == .pooled }) {
            for j in 0..<s.count { totalSplits[j] += s[j] }
            if let g = pooledGain, g.count == s.count { for j in 0..<s.count { totalGain[j] += g[j] }; anyGain = true }
        }
        let boosted = model.tags.contains { $0.booster != nil || $0.path == .pooled }
        if boosted {
            let width = model.tags.contains { $0.path == .pooled } ? pooledNames.count : names.count
            for j in 0..<width {
                rows.append(Row(tag: allTags, input: pooledNames[j], kind: "split", value: Double(totalSplits[j])))
                if anyGain { rows.append(Row(tag: allTags, input: pooledNames[j], kind: "gain", value: totalGain[j])) }
            }
        }
        if logisticTags > 0 {
            for (j, n) in names.enumerated() {
                rows.append(Row(tag: allTags, input: n, kind: "mean_abs_coefficient", value: absCoefficients[j] / Double(logisticTags)))
            }
        }
        return rows
    }

    /// LightGBM's `feature_importances:` lines for an ensemble: `name=count` for every feature split on, most
    /// splits first, ties in feature order (LightGBM's `SaveModelToString`: split importance, stable sort).
    public static func lightGBMLines(_ e: TreeEnsemble, featureNames: [String]) -> [String] {
        let counts = splitCounts(e, featureCount: featureNames.count)
        let order = counts.indices.filter { counts[$0] > 0 }
        let sorted = order.enumerated().sorted { a, b in
            counts[a.element] != counts[b.element] ? counts[a.element] > counts[b.element] : a.offset < b.offset
        }.map(\.element)
        return sorted.map { "\(featureNames[$0])=\(counts[$0])" }
    }
}
