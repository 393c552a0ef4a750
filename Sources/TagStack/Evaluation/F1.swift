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

/// One tag's counts of 0/1 decisions against its labels: true positives, positives (support) and positive
/// decisions (predicted). Every weighted F1 in TagStack is `TagCounts.weightedF1` of these.
struct TagCounts {
    var truePositives = 0, support = 0, predicted = 0

    init() {}

    init(truePositives: Int, support: Int, predicted: Int) {
        self.truePositives = truePositives; self.support = support; self.predicted = predicted
    }

    /// The counts of decisions `d` against labels `y` (non-zero: positive).
    init(decisions d: [Bool], labels y: [UInt8]) {
        for (on, l) in zip(d, y) {
            if l != 0 { support += 1; if on { truePositives += 1 } }
            if on { predicted += 1 }
        }
    }

    /// Adds one decision against its label.
    @inline(__always)
    mutating func add(decision on: Bool, label positive: Bool) {
        if positive { support += 1; if on { truePositives += 1 } }
        if on { predicted += 1 }
    }

    var f1: Double { f1Score(truePositives: truePositives, support: support, predicted: predicted) }

    /// Σ support_t · F1_t / Σ support_t over tags, as scikit-learn's `f1_score(average="weighted")`; 0 when no
    /// tag has support (its F1s are then all 0).
    static func weightedF1(_ tags: [TagCounts]) -> Double {
        let total = tags.reduce(0) { $0 + $1.support }
        guard total > 0 else { return 0 }
        var sum = 0.0
        for c in tags where c.support > 0 { sum += Double(c.support) * c.f1 }
        return sum / Double(total)
    }
}
