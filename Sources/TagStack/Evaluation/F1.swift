// One tag's F1 from counts: the single place every F1 in TagStack is computed from (threshold search,
// cross-fitting, the bootstrap, decision-rule search, the metrics of `evaluate`).

/// F1 of binary decisions from their counts: `2·tp / (support + predicted)` in Double, the expression
/// scikit-learn's `f1_score` evaluates, and 0 when `support + predicted == 0` (its default `zero_division`).
@inline(__always)
func f1Score(truePositives tp: Int, support: Int, predicted: Int) -> Double {
    let den = support + predicted
    return den == 0 ? 0 : Double(2 * tp) / Double(den)
}

/// F1 of binary decisions from true positives, false positives and false negatives (`f1Score` above).
@inline(__always)
func f1Score(tp: Int, fp: Int, fn: Int) -> Double {
    f1Score(truePositives: tp, support: tp + fn, predicted: tp + fp)
}
