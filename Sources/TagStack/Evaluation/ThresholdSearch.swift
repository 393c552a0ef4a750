// Per-tag decision thresholds that maximise F1, and the descending score curve that both the search and the
// ranking metrics (ROC-AUC, average precision in Metrics.swift) are built on.
//
// Notes (hot loop):
// - Inputs (`scores`, `labels`) are read-only; each call keys one tag's scores as integers in descending score
//   order (`DescendingCurve.descendingKey`), sorts the positives' and the negatives' keys apart (a radix sort,
//   RadixSort.swift) and merges them once into groups (O(n)).
// - NaN scores (missing values read with --allow-missing, or a learner's output on extreme inputs) never trap:
//   they rank below every other score (one group at the end of the curve), and no threshold includes them
//   (`NaN >= t` is false), so they count as "not predicted" in every F1. ±infinity is allowed.
//   Equal scores (`==`, so -0.0 and +0.0 are equal: one group, scored +0.0) form one group: a cut never
//   separates them, so the result does not depend on row order or on how the sort orders ties.
// - Counts are exact integers; F1 values are compared exactly by cross-multiplication in Int, never as
//   rounded Doubles. The reported F1 is `2·tp / (support + predicted)` in Double, the same expression
//   scikit-learn evaluates, so it is bit-identical to `f1_score` on the resulting decisions.
// - The plain O(n²) twin that tests compare with is `bruteForceBest` in ThresholdSearchTests.swift.

// MARK: - Descending score curve

/// Cumulative counts at each distinct score, from the highest score down.
///
/// Group `k` holds every row whose score equals `scores[k]`; `tps[k]` and `fps[k]` count the positive and
/// negative rows whose score is `>= scores[k]`. This is scikit-learn's `_binary_clf_curve` (without weights):
/// one point per distinct score, ties moving together.
struct DescendingCurve {
    /// Distinct scores, strictly decreasing.
    var scores: [Double] = []
    /// Positives with score `>= scores[k]`.
    var tps: [Int] = []
    /// Negatives with score `>= scores[k]`.
    var fps: [Int] = []

    /// Total positives (0 when the column has none).
    var positives: Int { tps.last ?? 0 }
    /// Total negatives.
    var negatives: Int { fps.last ?? 0 }

    /// Builds the curve of one column. `labels` are 0/1; any non-zero value counts as positive.
    /// NaN scores form one last group (score NaN) below every other score.
    /// - Precondition: `scores.count == labels.count`.
    init<S: Collection, L: Collection>(scores: S, labels: L) where S.Element == Double, L.Element == UInt8 {
        precondition(scores.count == labels.count, "DescendingCurve: \(scores.count) scores vs \(labels.count) labels")
        // Positive and negative rows' scores as integer keys in descending score order, each set sorted
        // on its own, then merged group by group: a plain integer sort, no comparator on (score, label)
        // pairs. NaN scores are counted apart and form the last group.
        var pos: [UInt64] = [], neg: [UInt64] = []
        neg.reserveCapacity(scores.count)
        var nanPos = 0, nanNeg = 0
        for (s, y) in zip(scores, labels) {
            if s.isNaN { if y != 0 { nanPos += 1 } else { nanNeg += 1 }; continue }
            if y != 0 { pos.append(Self.descendingKey(s)) } else { neg.append(Self.descendingKey(s)) }
        }
        RadixSort.sort(&pos); RadixSort.sort(&neg)
        self.scores.reserveCapacity(min(scores.count, 1 << 16))
        var tp = 0, fp = 0, i = 0, j = 0
        while i < pos.count || j < neg.count {
            let k = j >= neg.count || (i < pos.count && pos[i] <= neg[j]) ? pos[i] : neg[j]
            while i < pos.count && pos[i] == k { tp += 1; i += 1 }
            while j < neg.count && neg[j] == k { fp += 1; j += 1 }
            self.scores.append(Self.score(ofKey: k))
            tps.append(tp)
            fps.append(fp)
        }
        if nanPos + nanNeg > 0 {
            self.scores.append(.nan)
            tps.append(tp + nanPos)
            fps.append(fp + nanNeg)
        }
    }

    /// An integer increasing as `s` decreases (not NaN); -0.0 is keyed as +0.0 (they are equal scores).
    @inline(__always) static func descendingKey(_ s: Double) -> UInt64 {
        let b = (s == 0 ? 0.0 : s).bitPattern
        return b & (1 << 63) != 0 ? b : ~(b | (1 << 63))
    }

    /// The score of a key (`descendingKey`'s inverse; +0.0 for a zero).
    @inline(__always) static func score(ofKey k: UInt64) -> Double {
        Double(bitPattern: k & (1 << 63) != 0 ? k : ~k & ~(1 << 63))
    }
}

// MARK: - Threshold search

/// The F1-maximising threshold of one tag.
public struct TagThreshold: Sendable, Equatable, Codable {
    /// Predict the tag when `score >= threshold`. `nil` means "never predict" (the tag had no positive row);
    /// a model file stores it as JSON `null`.
    public var threshold: Double?
    /// F1 on the data the threshold was fitted on (0 when `threshold` is nil).
    public var f1: Double
    /// Rows predicted positive at this threshold (0 when `threshold` is nil).
    public var predicted: Int
    /// True positives among them.
    public var truePositives: Int

    public init(threshold: Double?, f1: Double, predicted: Int, truePositives: Int) {
        self.threshold = threshold; self.f1 = f1; self.predicted = predicted; self.truePositives = truePositives
    }

    enum CodingKeys: String, CodingKey {
        case threshold, f1, predicted
        case truePositives = "true_positives"
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(threshold, forKey: .threshold)   // writes `null` for "never", rather than omitting the key
        try c.encode(f1, forKey: .f1)
        try c.encode(predicted, forKey: .predicted)
        try c.encode(truePositives, forKey: .truePositives)
    }
}

/// Per-tag F1-maximising thresholds.
///
/// Decision rule: a row is predicted positive when `score >= threshold`.
///
/// Candidate cuts: only cuts between distinct scores are considered, so rows with equal scores are always
/// predicted together. Including the `k` highest distinct scores gives the threshold
/// - the midpoint of the lowest included score `a` and the next lower distinct score `b`, computed as
///   `a/2 + b/2`; if rounding puts that midpoint outside `(b, a]` (adjacent doubles, or an infinity) the
///   threshold is `a` itself. A midpoint leaves a margin on both sides for scores seen later (out-of-fold or
///   new data) that fall between the two training scores;
/// - the lowest score itself when every row is included.
///
/// Ties in F1: when several cuts give exactly the same F1 (compared as exact fractions), the highest threshold
/// wins, i.e. the fewest predicted positives. Rationale: it is the conservative choice (fewer false positives
/// for the same F1), it is unique, and it is what a descending sweep that keeps the first maximum gives.
///
/// No positive: a tag with no positive row gets `threshold == nil` ("never predict") and `f1 == 0`. Every cut
/// would give F1 = 0 (scikit-learn's default `zero_division`), and never predicting also gives 0, with no
/// false positives. `nil` rather than `+infinity` because JSON has no infinity and because `score >= +inf`
/// would still be true for a score of `+inf`. An empty column is treated the same way.
///
/// When the tag has at least one positive the best F1 is > 0, so "predict nothing" (F1 = 0) never wins.
public enum ThresholdSearch {
    /// The F1-maximising threshold for one tag.
    /// - Parameters:
    ///   - scores: one score per row; a NaN score is never predicted (and counts as a miss if positive).
    ///   - labels: one 0/1 label per row (non-zero counts as positive).
    public static func best<S: Collection, L: Collection>(scores: S, labels: L) -> TagThreshold
    where S.Element == Double, L.Element == UInt8 {
        let curve = DescendingCurve(scores: scores, labels: labels)
        let p = curve.positives
        guard p > 0 else { return TagThreshold(threshold: nil, f1: 0, predicted: 0, truePositives: 0) }
        // F1 of the cut after group k is 2·tp / (tp + fp + p); keep the first strict maximum.
        var bestK = -1
        var bestTP = 0, bestDen = 1   // F1 numerator/2 and denominator/1 of the incumbent: starts at 0/1
        // A NaN group (always the last) is never a cut: no threshold includes a NaN score.
        for k in 0..<curve.scores.count where !curve.scores[k].isNaN {
            let tp = curve.tps[k]
            let den = tp + curve.fps[k] + p
            if tp * bestDen > bestTP * den {   // tp/den > bestTP/bestDen, exactly
                bestK = k; bestTP = tp; bestDen = den
            }
        }
        // Every positive has a NaN score: no cut predicts one, so never predict.
        guard bestK >= 0 else { return TagThreshold(threshold: nil, f1: 0, predicted: 0, truePositives: 0) }
        let a = curve.scores[bestK]
        var t = a
        if bestK + 1 < curve.scores.count && !curve.scores[bestK + 1].isNaN {
            let b = curve.scores[bestK + 1]
            let mid = a / 2 + b / 2
            if mid > b && mid <= a { t = mid }
        }
        let predicted = curve.tps[bestK] + curve.fps[bestK]
        return TagThreshold(threshold: t, f1: f1Score(truePositives: bestTP, support: p, predicted: predicted),
                            predicted: predicted, truePositives: bestTP)
    }

    /// The F1-maximising threshold of every tag of a row-major `rowCount × tagCount` score matrix.
    /// - Precondition: `scores.count == labels.count == rowCount * tagCount`.
    public static func best(scores: [Double], labels: [UInt8], rowCount: Int, tagCount: Int) -> [TagThreshold] {
        precondition(scores.count == rowCount * tagCount && labels.count == rowCount * tagCount,
                     "ThresholdSearch: scores/labels do not match \(rowCount) rows × \(tagCount) tags")
        return (0..<tagCount).map { j in
            best(scores: StrideColumn(base: scores, column: j, stride: tagCount, count: rowCount),
                 labels: StrideColumn(base: labels, column: j, stride: tagCount, count: rowCount))
        }
    }

    /// F1 of the decisions `score >= threshold` (`threshold == nil`: no row predicted), as scikit-learn's
    /// `f1_score` computes it for one binary column: `2·tp / (support + predicted)`, and 0 when both are 0.
    public static func f1<S: Collection, L: Collection>(scores: S, labels: L, threshold: Double?) -> Double
    where S.Element == Double, L.Element == UInt8 {
        precondition(scores.count == labels.count, "ThresholdSearch.f1: \(scores.count) scores vs \(labels.count) labels")
        var tp = 0, support = 0, predicted = 0
        for (s, y) in zip(scores, labels) {
            let yes = threshold.map { s >= $0 } ?? false
            if y != 0 { support += 1 }
            if yes { predicted += 1; if y != 0 { tp += 1 } }
        }
        return f1Score(truePositives: tp, support: support, predicted: predicted)
    }

    /// Row-major 0/1 decisions `score >= thresholds[tag]` (`nil`: never).
    /// - Precondition: `scores.count == rowCount * thresholds.count`.
    public static func decisions(scores: [Double], thresholds: [Double?], rowCount: Int) -> [UInt8] {
        let t = thresholds.count
        precondition(scores.count == rowCount * t, "ThresholdSearch.decisions: scores do not match \(rowCount) rows × \(t) tags")
        var out = [UInt8](repeating: 0, count: scores.count)
        for j in 0..<t {
            guard let th = thresholds[j] else { continue }
            for i in 0..<rowCount where scores[i * t + j] >= th { out[i * t + j] = 1 }
        }
        return out
    }
}

// MARK: - Strided column view

/// A read-only view of one column of a row-major matrix, without copying it.
struct StrideColumn<Element>: RandomAccessCollection {
    let base: [Element]
    let column: Int
    let stride: Int
    let count: Int
    var startIndex: Int { 0 }
    var endIndex: Int { count }
    subscript(i: Int) -> Element { base[i * stride + column] }
}
