// Evaluation metrics for multi-label decisions and scores, computed exactly as scikit-learn 1.9.1 does.
// Scripts/sklearn_metrics.py computes the same numbers with scikit-learn; MetricsTests compares them.

import Foundation

// MARK: - Report types

/// Counts and scores of one tag.
public struct TagMetrics: Codable, Sendable, Equatable {
    public var tag: String
    /// Rows whose truth is 1 (tp + fn).
    public var support: Int
    /// Rows whose decision is 1 (tp + fp).
    public var predicted: Int
    public var tp: Int
    public var fp: Int
    public var fn: Int
    /// `tp / predicted`; 0 when nothing is predicted (scikit-learn's default `zero_division`).
    public var precision: Double
    /// `tp / support`; 0 when the tag has no support.
    public var recall: Double
    /// `2·tp / (support + predicted)`; 0 when both are 0.
    public var f1: Double
    /// ROC-AUC of the scores; nil without scores, or when the tag has no positive or no negative row.
    public var rocAUC: Double?
    /// Average precision of the scores; nil without scores, or when the tag has no positive row.
    public var prAUC: Double?
    /// Mean log loss of the scores (see `Metrics.logLoss`); nil without scores.
    public var logLoss: Double?

    enum CodingKeys: String, CodingKey {
        case tag, support, predicted, tp, fp, fn, precision, recall, f1
        case rocAUC = "roc_auc", prAUC = "pr_auc", logLoss = "log_loss"
    }
}

/// The single-label view (the FMA / WWW 2018 genre challenge's), when truth and decisions have exactly one
/// label a row. Macro and weighted F1 of the decisions are the report's own `macro_f1` and `weighted_f1` (with
/// one label a row, per-label counts are the multiclass ones: scikit-learn's `f1_score(y, d, average=...,
/// labels=every label)`), per-label precision and recall its `per_tag` rows.
///
/// JSON keys: `accuracy`, `confusion` (rows: true label, columns: decided label, in tag order), and with
/// scores `log_loss` (multiclass, `Metrics.multiclassLogLoss`) and `top_3_accuracy`.
public struct OneLabelMetrics: Codable, Sendable, Equatable {
    public var accuracy: Double
    public var top3Accuracy: Double?
    public var logLoss: Double?
    public var confusion: [[Int]]

    enum CodingKeys: String, CodingKey {
        case accuracy, top3Accuracy = "top_3_accuracy", logLoss = "log_loss", confusion
    }
}

/// Summary metrics of a set of multi-label decisions (and optionally scores).
///
/// JSON keys: `weighted_f1`, `macro_f1`, `micro_f1`, `macro_precision`, `macro_recall`, `micro_precision`,
/// `micro_recall`, `rows`, `tags`, `support` (total positive labels), `predicted` (total positive decisions);
/// with scores also `pr_auc`, `roc_auc`, `log_loss`, `pr_auc_tags`, `roc_auc_tags` (how many tags each AUC
/// averages over); and `per_tag` unless removed with `withoutPerTag()`. Keys whose value is nil are omitted.
public struct MetricsReport: Codable, Sendable, Equatable {
    public var weightedF1: Double
    public var macroF1: Double
    public var microF1: Double
    public var macroPrecision: Double
    public var macroRecall: Double
    public var microPrecision: Double
    public var microRecall: Double
    /// Macro average precision over tags with at least one positive; nil without scores or if no tag has one.
    public var prAUC: Double?
    /// Macro ROC-AUC over tags with at least one positive and one negative; nil without scores or if none.
    public var rocAUC: Double?
    /// Mean over all tags of the per-tag log loss; nil without scores.
    public var logLoss: Double?
    public var rows: Int
    public var tags: Int
    public var support: Int
    public var predicted: Int
    public var prAUCTags: Int?
    public var rocAUCTags: Int?
    public var perTag: [TagMetrics]?
    /// One label a track (every truth row and every decision row has exactly one 1), else nil.
    public var oneLabel: OneLabelMetrics? = nil

    enum CodingKeys: String, CodingKey {
        case weightedF1 = "weighted_f1", macroF1 = "macro_f1", microF1 = "micro_f1"
        case macroPrecision = "macro_precision", macroRecall = "macro_recall"
        case microPrecision = "micro_precision", microRecall = "micro_recall"
        case prAUC = "pr_auc", rocAUC = "roc_auc", logLoss = "log_loss"
        case rows, tags, support, predicted
        case prAUCTags = "pr_auc_tags", rocAUCTags = "roc_auc_tags"
        case perTag = "per_tag"
        case oneLabel = "one_label"
    }

    /// The same report without the per-tag rows (for a compact JSON summary).
    public func withoutPerTag() -> MetricsReport {
        var r = self
        r.perTag = nil
        return r
    }

    /// A fixed-width text table of the per-tag rows (for `--per-tag`), one line per tag after a header.
    /// AUC and log-loss columns appear only when the report has scores; a missing AUC prints as `-`.
    public func perTagTable() -> String {
        guard let rows = perTag else { return "" }
        let withScores = logLoss != nil
        let width = max(3, rows.map { $0.tag.count }.max() ?? 0)
        func pad(_ s: String, _ w: Int, left: Bool = false) -> String {
            let fill = String(repeating: " ", count: max(0, w - s.count))
            return left ? s + fill : fill + s
        }
        func num(_ x: Double?) -> String { x.map { String(format: "%.4f", $0) } ?? "-" }
        var header = pad("tag", width, left: true) + "  " +
            ["support", "tp", "fp", "fn"].map { pad($0, 7) }.joined(separator: " ") + " " +
            ["prec", "recall", "f1"].map { pad($0, 7) }.joined(separator: " ")
        if withScores { header += " " + ["roc_auc", "pr_auc", "logloss"].map { pad($0, 7) }.joined(separator: " ") }
        var lines = [header]
        for r in rows {
            var line = pad(r.tag, width, left: true) + "  " +
                [r.support, r.tp, r.fp, r.fn].map { pad(String($0), 7) }.joined(separator: " ") + " " +
                [r.precision, r.recall, r.f1].map { pad(num($0), 7) }.joined(separator: " ")
            if withScores { line += " " + [r.rocAUC, r.prAUC, r.logLoss].map { pad(num($0), 7) }.joined(separator: " ") }
            lines.append(line)
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

/// A reason the metrics cannot be computed. Each case carries the offending value.
public enum MetricsError: Error, Equatable, CustomStringConvertible {
    /// An array does not have `rows × tags` entries.
    case shapeMismatch(what: String, expected: Int, found: Int)
    /// Truth and decisions name different tags (or in a different order); `index` is the first difference.
    case tagMismatch(index: Int, truth: String?, decisions: String?)
    /// Truth and decisions list different row ids; `index` is the first difference.
    case rowMismatch(index: Int, truth: String?, decisions: String?)
    /// A label or decision that is neither 0 nor 1.
    case notBinary(what: String, row: Int, tag: Int, value: UInt8)
    /// A NaN score.
    case nanScore(row: Int, tag: Int)
    /// No rows or no tags: every average would be undefined (scikit-learn refuses empty input too).
    case empty(rows: Int, tags: Int)

    public var description: String {
        switch self {
        case let .shapeMismatch(what, expected, found):
            return "\(what) has \(found) values, expected \(expected) (rows × tags)"
        case let .tagMismatch(i, t, d):
            return "tag \(i + 1) differs: truth has \(t.map { "'\($0)'" } ?? "no tag"), decisions have \(d.map { "'\($0)'" } ?? "no tag")"
        case let .rowMismatch(i, t, d):
            return "row \(i + 1) differs: truth has \(t.map { "'\($0)'" } ?? "no row"), decisions have \(d.map { "'\($0)'" } ?? "no row")"
        case let .notBinary(what, row, tag, value):
            return "\(what) row \(row + 1), tag \(tag + 1): value \(value) is not 0 or 1"
        case let .nanScore(row, tag): return "score at row \(row + 1), tag \(tag + 1) is NaN"
        case let .empty(rows, tags): return "cannot evaluate \(rows) rows × \(tags) tags"
        }
    }
}

// MARK: - Metrics

/// Multi-label evaluation metrics, as scikit-learn 1.9.1 computes them with its defaults.
///
/// From truth `y` and decisions `d` (0/1, `rows × tags`), per tag: `tp`, `fp`, `fn`, support = tp + fn,
/// predicted = tp + fp, precision = tp / predicted, recall = tp / support, F1 = 2·tp / (support + predicted).
/// A zero denominator gives 0 (scikit-learn's `zero_division="warn"` returns 0): precision is 0 for a tag never
/// predicted, recall is 0 for a tag with no support, F1 is 0 when both are 0. (A tag with no support but
/// some predictions has F1 = 0 too, and a tag with support but no predictions has F1 = 0.)
/// - `macro_*`: plain mean over all tags, tags with no support or no predictions included (as 0).
/// - `micro_*`: the same formulas on tp, fp, fn summed over all tags.
/// - `weighted_f1`: `Σ support_j · F1_j / Σ support_j`; tags with no support have weight 0. If no tag has any
///   support, scikit-learn falls back to the plain mean of the F1s, which are then all 0: the result is 0.
///
/// With scores `s` (row-major, same shape; any finite or infinite value, not NaN):
/// - `roc_auc`: mean over tags with at least one positive and one negative of `roc_auc_score(y_j, s_j)`, the
///   trapezoidal area under the ROC curve with one point per distinct score (tied scores move together, so a
///   tie between a positive and a negative counts one half). Computed exactly in integers:
///   `Σ_k (fp_k − fp_{k−1})·(tp_k + tp_{k−1}) / (2·P·N)`.
/// - `pr_auc`: mean over tags with at least one positive of `average_precision_score(y_j, s_j)`:
///   `Σ_k (R_k − R_{k−1})·P_k` over distinct scores from the highest down, where `R_k = tp_k / P` and
///   `P_k = tp_k / (tp_k + fp_k)` count all rows with score `>= s_k` (tied scores form one step; no
///   interpolation).
/// - `log_loss`: mean over all tags (tags with no positive included) of
///   `log_loss(y_j, s_j, labels=[0, 1])`, which is the mean over rows of `−log(clip(s, ε, 1−ε))` when y = 1
///   and `−log(clip(1 − s, ε, 1−ε))` when y = 0, with ε = `Double.ulpOfOne` (2.22e−16, numpy's float64
///   `eps`); `1 − s` is formed before clipping, as scikit-learn does. Scores outside [0, 1] (which
///   scikit-learn refuses) are clipped the same way.
///
/// Sums are plain Double sums in row/tag order (scikit-learn uses numpy's pairwise sums), so results agree
/// with scikit-learn to about 1e−15 relative, not bit for bit.
public enum Metrics {
    /// Metrics of `decisions` (and `scores`) against `truth`, which must list the same rows and tags in the same
    /// order. `scores`, if given, is row-major `truth.rowCount × truth.tags.count`.
    /// - Throws: `MetricsError` when ids, tags or shapes differ, a value is not 0/1, a score is NaN, or the
    ///   matrices are empty.
    public static func evaluate(truth: LabelMatrix, decisions: LabelMatrix, scores: [Double]? = nil,
                                perTag: Bool = true) throws -> MetricsReport {
        for i in 0..<max(truth.tags.count, decisions.tags.count) {
            let t = i < truth.tags.count ? truth.tags[i] : nil
            let d = i < decisions.tags.count ? decisions.tags[i] : nil
            if t != d { throw MetricsError.tagMismatch(index: i, truth: t, decisions: d) }
        }
        for i in 0..<max(truth.ids.count, decisions.ids.count) {
            let t = i < truth.ids.count ? truth.ids[i] : nil
            let d = i < decisions.ids.count ? decisions.ids[i] : nil
            if t != d { throw MetricsError.rowMismatch(index: i, truth: t, decisions: d) }
        }
        return try evaluate(truth: truth.values, decisions: decisions.values, scores: scores,
                            rowCount: truth.rowCount, tags: truth.tags, perTag: perTag)
    }

    /// Metrics from plain row-major arrays of `rowCount × tags.count` values.
    /// - Parameter perTag: whether the report carries the per-tag rows.
    /// - Throws: `MetricsError` on a shape mismatch, a value other than 0/1, a NaN score, or empty input.
    public static func evaluate(truth: [UInt8], decisions: [UInt8], scores: [Double]? = nil,
                                rowCount: Int, tags: [String], perTag: Bool = true) throws -> MetricsReport {
        let t = tags.count, n = rowCount
        try check(truth: truth, decisions: decisions, scores: scores, rowCount: n, tags: t)
        let rows = tagRows(truth: truth, decisions: decisions, scores: scores, rowCount: n, tags: tags)
        let tpSum = rows.reduce(0) { $0 + $1.tp }, fpSum = rows.reduce(0) { $0 + $1.fp }, fnSum = rows.reduce(0) { $0 + $1.fn }
        let micro = prf(tp: tpSum, fp: fpSum, fn: fnSum)
        var pSum = 0.0, rSum = 0.0, fSum = 0.0
        for row in rows { pSum += row.precision; rSum += row.recall; fSum += row.f1 }
        let supportSum = tpSum + fnSum
        let weighted = TagCounts.weightedF1(rows.map { TagCounts(truePositives: $0.tp, support: $0.support, predicted: $0.predicted) })

        var report = MetricsReport(
            weightedF1: weighted, macroF1: fSum / Double(t), microF1: micro.f1,
            macroPrecision: pSum / Double(t), macroRecall: rSum / Double(t),
            microPrecision: micro.precision, microRecall: micro.recall,
            prAUC: nil, rocAUC: nil, logLoss: nil,
            rows: n, tags: t, support: supportSum, predicted: tpSum + fpSum,
            prAUCTags: nil, rocAUCTags: nil, perTag: perTag ? rows : nil)
        report.oneLabel = oneLabel(truth: truth, decisions: decisions, scores: scores, rowCount: n, tags: t)
        if scores != nil {
            let pr = rows.compactMap(\.prAUC), roc = rows.compactMap(\.rocAUC)
            report.prAUC = pr.isEmpty ? nil : pr.reduce(0, +) / Double(pr.count)
            report.rocAUC = roc.isEmpty ? nil : roc.reduce(0, +) / Double(roc.count)
            report.prAUCTags = pr.count
            report.rocAUCTags = roc.count
            report.logLoss = rows.reduce(0.0) { $0 + $1.logLoss! } / Double(t)
        }
        return report
    }

    /// Throws `MetricsError` on empty input, a shape mismatch, a value other than 0/1 or a NaN score.
    static func check(truth: [UInt8], decisions: [UInt8], scores: [Double]?, rowCount n: Int, tags t: Int) throws {
        guard n > 0 && t > 0 else { throw MetricsError.empty(rows: n, tags: t) }
        if truth.count != n * t { throw MetricsError.shapeMismatch(what: "truth", expected: n * t, found: truth.count) }
        if decisions.count != n * t {
            throw MetricsError.shapeMismatch(what: "decisions", expected: n * t, found: decisions.count)
        }
        if let s = scores, s.count != n * t {
            throw MetricsError.shapeMismatch(what: "scores", expected: n * t, found: s.count)
        }
        for (what, a) in [("truth", truth), ("decisions", decisions)] {
            if let k = a.firstIndex(where: { $0 > 1 }) {
                throw MetricsError.notBinary(what: what, row: k / t, tag: k % t, value: a[k])
            }
        }
        if let s = scores, let k = s.firstIndex(where: { $0.isNaN }) {
            throw MetricsError.nanScore(row: k / t, tag: k % t)
        }
    }

    /// Per tag: its counts, precision, recall and F1, and with `scores` its ROC-AUC, average precision and log loss.
    static func tagRows(truth: [UInt8], decisions: [UInt8], scores: [Double]?, rowCount n: Int, tags: [String]) -> [TagMetrics] {
        let t = tags.count
        var tpv = [Int](repeating: 0, count: t), fpv = tpv, fnv = tpv
        for i in 0..<n {
            let base = i * t
            for j in 0..<t {
                let y = truth[base + j], d = decisions[base + j]
                if d == 1 { if y == 1 { tpv[j] += 1 } else { fpv[j] += 1 } } else if y == 1 { fnv[j] += 1 }
            }
        }

        var rows: [TagMetrics] = []
        rows.reserveCapacity(t)
        for j in 0..<t {
            let tp = tpv[j], fp = fpv[j], fn = fnv[j]
            let (p, r, f) = prf(tp: tp, fp: fp, fn: fn)
            var row = TagMetrics(tag: tags[j], support: tp + fn, predicted: tp + fp, tp: tp, fp: fp, fn: fn,
                                 precision: p, recall: r, f1: f, rocAUC: nil, prAUC: nil, logLoss: nil)
            if let s = scores {
                let sc = StrideColumn(base: s, column: j, stride: t, count: n)
                let yc = StrideColumn(base: truth, column: j, stride: t, count: n)
                let curve = DescendingCurve(scores: sc, labels: yc)
                row.rocAUC = rocAUC(curve)
                row.prAUC = averagePrecision(curve)
                row.logLoss = logLoss(labels: yc, scores: sc)
            }
            rows.append(row)
        }
        return rows
    }

    // MARK: Per-tag primitives

    /// Precision, recall and F1 from counts, with 0 for a zero denominator (scikit-learn's default).
    static func prf(tp: Int, fp: Int, fn: Int) -> (precision: Double, recall: Double, f1: Double) {
        let predicted = tp + fp, support = tp + fn
        let p = predicted > 0 ? Double(tp) / Double(predicted) : 0
        let r = support > 0 ? Double(tp) / Double(support) : 0
        let f = f1Score(truePositives: tp, support: support, predicted: predicted)
        return (p, r, f)
    }

    /// scikit-learn's `roc_auc_score(labels, scores)` for one binary column.
    /// - Returns: nil when the column has no positive or no negative (scikit-learn returns NaN and warns).
    /// - Precondition: equal lengths; no NaN score.
    public static func rocAUC<S: Collection, L: Collection>(labels: L, scores: S) -> Double?
    where S.Element == Double, L.Element == UInt8 {
        rocAUC(DescendingCurve(scores: scores, labels: labels))
    }

    static func rocAUC(_ c: DescendingCurve) -> Double? {
        let p = c.positives, n = c.negatives
        guard p > 0 && n > 0 else { return nil }
        // Twice the trapezoid area in units of one positive × one negative; exact in Int.
        var twiceArea = 0, prevTP = 0, prevFP = 0
        for k in 0..<c.scores.count {
            twiceArea += (c.fps[k] - prevFP) * (c.tps[k] + prevTP)
            prevTP = c.tps[k]; prevFP = c.fps[k]
        }
        return Double(twiceArea) / (2 * Double(p) * Double(n))
    }

    /// scikit-learn's `average_precision_score(labels, scores)` for one binary column.
    /// - Returns: nil when the column has no positive (scikit-learn warns and returns a meaningless value).
    /// - Precondition: equal lengths; no NaN score.
    public static func averagePrecision<S: Collection, L: Collection>(labels: L, scores: S) -> Double?
    where S.Element == Double, L.Element == UInt8 {
        averagePrecision(DescendingCurve(scores: scores, labels: labels))
    }

    static func averagePrecision(_ c: DescendingCurve) -> Double? {
        let p = c.positives
        guard p > 0 else { return nil }
        let pd = Double(p)
        var sum = 0.0, prevRecall = 0.0
        for k in 0..<c.scores.count {
            let tp = c.tps[k]
            let recall = Double(tp) / pd
            if recall != prevRecall {
                sum += (recall - prevRecall) * (Double(tp) / Double(tp + c.fps[k]))
                prevRecall = recall
            }
        }
        return max(0, sum)
    }

    /// scikit-learn's `log_loss(labels, scores, labels=[0, 1])` for one binary column: the mean over rows of
    /// `−log(clip(s, ε, 1−ε))` for a positive and `−log(clip(1 − s, ε, 1−ε))` for a negative, with
    /// ε = `Double.ulpOfOne`.
    /// - Returns: nil for an empty column (scikit-learn refuses it).
    /// - Precondition: equal lengths; no NaN score.
    public static func logLoss<S: Collection, L: Collection>(labels: L, scores: S) -> Double?
    where S.Element == Double, L.Element == UInt8 {
        precondition(labels.count == scores.count, "Metrics.logLoss: \(labels.count) labels vs \(scores.count) scores")
        guard !scores.isEmpty else { return nil }
        var sum = 0.0
        for (y, s) in zip(labels, scores) { sum += logLossTerm(label: y, probability: s) }
        return sum / Double(scores.count)
    }

    /// One row's term of `logLoss`: −log of the probability given to its label, clipped to [ε, 1 − ε].
    @inline(__always) static func logLossTerm(label y: UInt8, probability s: Double) -> Double {
        let eps = Double.ulpOfOne, hi = 1 - eps
        let q = y != 0 ? s : 1 - s
        return -Foundation.log(min(max(q, eps), hi))
    }

    /// The one-label metrics of rows × tags 0/1 truth and decisions (and scores), nil unless every truth row
    /// and every decision row has exactly one 1.
    public static func oneLabel(truth: [UInt8], decisions: [UInt8], scores: [Double]?, rowCount n: Int, tags t: Int) -> OneLabelMetrics? {
        func classes(_ m: [UInt8]) -> [Int32]? {
            var out = [Int32](repeating: 0, count: n)
            for i in 0..<n {
                let row = m[(i * t)..<((i + 1) * t)]
                guard row.reduce(0, { $0 + Int($1) }) == 1 else { return nil }
                out[i] = Int32(row.firstIndex(of: 1)! - i * t)
            }
            return out
        }
        guard n > 0, let y = classes(truth), let d = classes(decisions) else { return nil }
        var confusion = [[Int]](repeating: [Int](repeating: 0, count: t), count: t)
        for i in 0..<n { confusion[Int(y[i])][Int(d[i])] += 1 }
        let correct = (0..<n).filter { y[$0] == d[$0] }.count
        var m = OneLabelMetrics(accuracy: Double(correct) / Double(n), top3Accuracy: nil, logLoss: nil, confusion: confusion)
        if let s = scores {
            m.logLoss = multiclassLogLoss(probabilities: s, labels: t, classes: y)
            m.top3Accuracy = topKAccuracy(scores: s, labels: t, classes: y, k: 3)
        }
        return m
    }

    /// Share of rows whose class is among the `k` highest scores, ties ranked as scikit-learn's
    /// `top_k_accuracy_score` ranks them (a stable ascending sort reversed: among equal scores, the higher
    /// label index first).
    public static func topKAccuracy(scores: [Double], labels t: Int, classes: [Int32], k: Int) -> Double {
        guard !classes.isEmpty else { return 0 }
        var hits = 0
        for (i, c) in classes.enumerated() {
            let y = Int(c), sy = scores[i * t + y]
            var rank = 0
            for j in 0..<t where scores[i * t + j] > sy || (scores[i * t + j] == sy && j > y) { rank += 1 }
            if rank < k { hits += 1 }
        }
        return Double(hits) / Double(classes.count)
    }

    /// Mean multiclass log loss, as scikit-learn's `log_loss` computes it: `−mean_i log p[i, class_i]`, each
    /// probability clipped to `[ε, 1 − ε]` (ε = `Double.ulpOfOne`). `probabilities` is rows × `labels`,
    /// row-major; `classes` one label index per row. 0 rows give 0.
    public static func multiclassLogLoss(probabilities: [Double], labels: Int, classes: [Int32]) -> Double {
        precondition(probabilities.count == classes.count * labels, "Metrics.multiclassLogLoss: \(probabilities.count) probabilities for \(classes.count) rows × \(labels) labels")
        guard !classes.isEmpty else { return 0 }
        let eps = Double.ulpOfOne
        var sum = 0.0
        for (i, y) in classes.enumerated() { sum += -Foundation.log(min(max(probabilities[i * labels + Int(y)], eps), 1 - eps)) }
        return sum / Double(classes.count)
    }
}
