// The test view (`tagstack evaluate --html`): headline metrics, per-tag F1 and PR-AUC (table and chart),
// precision-recall curves, a reliability diagram and tags per track predicted against true.

import Foundation

public struct EvaluationPage {
    public var truth: LabelMatrix
    public var decisions: LabelMatrix
    public var scores: [Double]?
    /// With per-tag rows (`Metrics.evaluate(..., perTag: true)`).
    public var report: MetricsReport
    public var files: (truth: String, decisions: String, scores: String?)

    public init(truth: LabelMatrix, decisions: LabelMatrix, scores: [Double]?, report: MetricsReport,
                files: (truth: String, decisions: String, scores: String?)) {
        self.truth = truth; self.decisions = decisions; self.scores = scores; self.report = report; self.files = files
    }

    /// The sections, in page order; each returns nil when it has nothing to show (e.g. no scores).
    public static let sections: [(EvaluationPage) -> ReportSection?] = [summary, confusion, curves, tagsPerTrack, perTag]

    public func page() -> ReportPage {
        ReportPage(title: "TagStack evaluation", facts: [
            ("truth", files.truth), ("decisions", files.decisions), ("scores", files.scores ?? "none"),
            ("tracks × tags", "\(report.rows) × \(report.tags)"),
        ], sections: Self.sections.compactMap { $0(self) })
    }

    var tagRows: [TagMetrics] { (report.perTag ?? []).sorted { $0.support != $1.support ? $0.support > $1.support : $0.tag < $1.tag } }

    static func summary(_ p: EvaluationPage) -> ReportSection? {
        let r = p.report
        var rows: [[String]] = [
            ["weighted F1 (challenge metric)", fmt(r.weightedF1)], ["macro F1", fmt(r.macroF1)], ["micro F1", fmt(r.microF1)],
            ["macro precision / recall", "\(fmt(r.macroPrecision)) / \(fmt(r.macroRecall))"],
            ["micro precision / recall", "\(fmt(r.microPrecision)) / \(fmt(r.microRecall))"],
        ]
        if p.scores != nil {
            rows += [["PR-AUC (macro, \(r.prAUCTags ?? 0) tags with a positive)", fmt(r.prAUC)],
                     ["ROC-AUC (macro, \(r.rocAUCTags ?? 0) tags)", fmt(r.rocAUC)], ["log loss (mean)", fmt(r.logLoss)]]
        }
        rows.append(["positives true / predicted", "\(r.support) / \(r.predicted)"])
        return ReportSection(id: "summary", title: "Summary", blocks: [
            .table(header: ["metric", "value"], rows: rows, numeric: [1]),
            .paragraph("Figures are computed as scikit-learn computes them (tested to 1e-9 against scikit-learn on MTG-Jamendo)."),
        ])
    }

    /// One label a track: accuracy, multiclass log loss, top-3 accuracy and the confusion matrix as a heat map
    /// (cells shaded by the share of the true label's tracks, rows normalised; counts written in).
    static func confusion(_ p: EvaluationPage) -> ReportSection? {
        guard let one = p.report.oneLabel else { return nil }
        let tags = p.truth.tags, t = tags.count
        let cell = t <= 20 ? 28.0 : t <= 60 ? 14.0 : 8.0, margin = 130.0
        let size = margin + cell * Double(t) + 10
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(coord(size)) \(coord(size))\" role=\"img\" aria-label=\"confusion matrix\">\n"
        svg += "<text x=\"\(coord(margin))\" y=\"12\" font-size=\"11\">decided label →  (rows: true label; shade: share of the row)</text>\n"
        let font = max(cell * 0.45, 4)
        for (k, tag) in tags.enumerated() {
            let y = margin + cell * Double(k)
            svg += "<text x=\"\(coord(margin - 4))\" y=\"\(coord(y + cell * 0.7))\" font-size=\"\(coord(font))\" text-anchor=\"end\">\(xmlEscape(tag))</text>\n"
            let x = margin + cell * Double(k)
            svg += "<text transform=\"translate(\(coord(x + cell * 0.7)),\(coord(margin - 4))) rotate(-90)\" font-size=\"\(coord(font))\">\(xmlEscape(tag))</text>\n"
        }
        for (r, row) in one.confusion.enumerated() {
            let total = max(row.reduce(0, +), 1)
            for (c, count) in row.enumerated() {
                let share = Double(count) / Double(total)
                let x = margin + cell * Double(c), y = margin + cell * Double(r)
                svg += "<rect x=\"\(coord(x))\" y=\"\(coord(y))\" width=\"\(coord(cell))\" height=\"\(coord(cell))\" fill=\"#1f77b4\" fill-opacity=\"\(String(format: "%.3f", share))\" stroke=\"#ddd\" stroke-width=\"0.5\"/>\n"
                if count > 0 {
                    svg += "<text x=\"\(coord(x + cell / 2))\" y=\"\(coord(y + cell * 0.65))\" font-size=\"\(coord(font * 0.9))\" text-anchor=\"middle\" fill=\"\(share > 0.5 ? "#fff" : "#000")\">\(count)</text>\n"
                }
            }
        }
        svg += "</svg>"
        var rows = [["accuracy", fmt(one.accuracy)]]
        if let l = one.logLoss { rows.append(["multiclass log loss", fmt(l)]) }
        if let a = one.top3Accuracy { rows.append(["top-3 accuracy", fmt(a)]) }
        rows += [["macro F1 of the decisions", fmt(p.report.macroF1)], ["weighted F1 of the decisions", fmt(p.report.weightedF1)]]
        return ReportSection(id: "one-label", title: "One label a track", blocks: [
            .table(header: ["metric", "value"], rows: rows, numeric: [1]),
            .figure(svg: svg, caption: "Confusion matrix: rows are the true labels, columns the decided ones; each cell's shade is its share of the row's tracks, its number the count."),
        ])
    }

    static func perTag(_ p: EvaluationPage) -> ReportSection? {
        let rows = p.tagRows
        guard !rows.isEmpty else { return nil }
        let shown = Array(rows.prefix(60))
        var series: [(name: String, values: [Double])] = [("F1", shown.map(\.f1))]
        if p.scores != nil { series.append(("PR-AUC", shown.map { $0.prAUC ?? 0 })) }
        let chart = BarChart(title: "Per-tag F1\(p.scores != nil ? " and PR-AUC" : "")", categories: shown.map(\.tag), series: series,
                             y: PlotAxis("score", unit: "0–1", range: 0...1), xLabel: "tag (most frequent first)")
        let table = rows.map { m -> [String] in
            [m.tag, String(m.support), String(m.predicted), fmt(m.precision), fmt(m.recall), fmt(m.f1), fmt(m.prAUC), fmt(m.rocAUC)]
        }
        return ReportSection(id: "per-tag", title: "Per tag", blocks: [
            .figure(svg: chart.svg(), caption: "F1 of the decisions\(p.scores != nil ? " and average precision (PR-AUC) of the scores" : "") per tag, \(shown.count == rows.count ? "all \(rows.count) tags" : "the \(shown.count) most frequent of \(rows.count) tags"), sorted by support in the truth."),
            .table(header: ["tag", "support", "predicted", "precision", "recall", "F1", "PR-AUC", "ROC-AUC"], rows: table, numeric: Set(1...7)),
        ])
    }

    /// Precision and recall at every cut of `scores` (descending), thinned to at most `limit` points.
    static func prCurve(labels: [UInt8], scores: [Double], limit: Int = 200) -> [(x: Double, y: Double)] {
        let order = scores.indices.sorted { scores[$0] > scores[$1] }
        let positives = labels.reduce(0) { $0 + Int($1) }
        guard positives > 0 else { return [] }
        var tp = 0, fp = 0
        var points: [(x: Double, y: Double)] = []
        var k = 0
        while k < order.count {
            let s = scores[order[k]]
            while k < order.count && scores[order[k]] == s { if labels[order[k]] == 1 { tp += 1 } else { fp += 1 }; k += 1 }
            points.append((Double(tp) / Double(positives), Double(tp) / Double(tp + fp)))
        }
        if points.count <= limit { return points }
        let step = Double(points.count - 1) / Double(limit - 1)
        return (0..<limit).map { points[Int((Double($0) * step).rounded())] }
    }

    static func curves(_ p: EvaluationPage) -> ReportSection? {
        guard let scores = p.scores else {
            return ReportSection(id: "curves", title: "Precision–recall and reliability", blocks: [
                .paragraph("No --scores given: precision–recall curves and the reliability diagram need probabilities."),
            ])
        }
        let t = p.truth.tags.count, n = p.truth.rowCount
        var series: [PlotSeries] = [PlotSeries("all tags (micro)", prCurve(labels: p.truth.values, scores: scores), color: "#222222")]
        let tagIndex = Dictionary(uniqueKeysWithValues: p.truth.tags.enumerated().map { ($1, $0) })
        for m in p.tagRows.prefix(5) where m.support > 0 {
            let k = tagIndex[m.tag]!
            let labels = (0..<n).map { p.truth.values[$0 * t + k] }, s = (0..<n).map { scores[$0 * t + k] }
            series.append(PlotSeries("\(m.tag) (AP \(fmt(m.prAUC, 3)))", prCurve(labels: labels, scores: s)))
        }
        let pr = LinePlot(title: "Precision–recall curves", x: PlotAxis("recall", unit: "share of true tags found", range: 0...1),
                          y: PlotAxis("precision", unit: "share of predictions correct", range: 0...1), series: series)
        // Reliability: ten equal-width bins of the predicted probability over every (track, tag) pair.
        let bins = ReliabilityBins(zip(scores, p.truth.values))
        let (sum, hits, count, used) = (bins.sum, bins.hits, bins.count, bins.used)
        let maxCount = Double(count.max() ?? 1), ece = bins.expectedCalibrationError, points = bins.points
        let reliability = LinePlot(title: "Reliability diagram", x: PlotAxis("mean predicted probability", unit: "per bin", range: 0...1),
                                   y: PlotAxis("observed frequency", unit: "share of pairs true", range: 0...1),
                                   series: [PlotSeries("bins (area ∝ pairs)", points, style: .linePoints,
                                                       radii: used.map { 3 + 9 * (Double(count[$0]) / maxCount).squareRoot() })],
                                   diagonal: true)
        let binTable = used.map { b in [String(format: "%.1f–%.1f", Double(b) / 10, Double(b + 1) / 10), String(count[b]),
                                        fmt(sum[b] / Double(count[b])), fmt(hits[b] / Double(count[b]))] }
        return ReportSection(id: "curves", title: "Precision–recall and reliability", blocks: [
            .figure(svg: pr.svg(), caption: "Precision against recall as the threshold falls, over every (track, tag) pair (micro) and for the five most frequent tags."),
            .figure(svg: reliability.svg(), caption: "Observed share of true pairs against the mean predicted probability, in ten bins of width 0.1 (dashed: perfect calibration). Expected calibration error \(fmt(ece)) over \(scores.count) pairs."),
            .table(header: ["probability bin", "pairs", "mean predicted", "observed"], rows: binTable, numeric: [1, 2, 3]),
        ])
    }

    static func tagsPerTrack(_ p: EvaluationPage) -> ReportSection? {
        let t = p.truth.tags.count, n = p.truth.rowCount
        func counts(_ m: LabelMatrix) -> [Int] { (0..<n).map { i in (0..<t).reduce(0) { $0 + Int(m.values[i * t + $1]) } } }
        let truthCounts = counts(p.truth), decidedCounts = counts(p.decisions)
        let cap = min(15, max(truthCounts.max() ?? 0, decidedCounts.max() ?? 0))
        func histogram(_ c: [Int]) -> [Double] {
            var h = [Double](repeating: 0, count: cap + 1)
            for v in c { h[min(v, cap)] += 1 }
            return h
        }
        let ht = histogram(truthCounts), hd = histogram(decidedCounts)
        let mean = { (c: [Int]) in Double(c.reduce(0, +)) / Double(max(n, 1)) }
        let chart = BarChart(title: "Tags per track: predicted vs true",
                             categories: (0...cap).map { $0 == cap && cap == 15 ? "15+" : String($0) },
                             series: [("true", ht), ("predicted", hd)],
                             y: PlotAxis("tracks", unit: "count", range: 0...max(1, (ht + hd).max() ?? 1)), xLabel: "tags on a track")
        return ReportSection(id: "tags-per-track", title: "Tags per track", blocks: [
            .figure(svg: chart.svg(), caption: "How many tracks carry 0, 1, 2, … tags: in the truth and in the decisions."),
            .paragraph(String(format: "Mean tags per track: %.2f predicted against %.2f true; %d of %d tracks get no predicted tag.",
                              mean(decidedCounts), mean(truthCounts), decidedCounts.filter { $0 == 0 }.count, n)),
        ])
    }
}
