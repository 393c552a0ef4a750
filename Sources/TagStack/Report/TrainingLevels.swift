// Sections of the training page for the levels decided once for the whole label set and the out-of-fold
// probabilities: every level's candidates with their scores and the margin to beat, the blend's weight per
// network, the reliability diagram of the out-of-fold probabilities and F1 against threshold for a few tags.

import Foundation
import TagStackModel

extension TrainingPage {
    /// The margin band's legend: which candidates the margin binds and by how much.
    static func marginLabel(_ level: Level) -> String {
        guard let m = level.margin else { return "" }
        if level.marginRule != nil { return "margin \(fmt(m)) (band): binds one step only, see the caption" }
        return "margin \(fmt(m)) (band): a more complex candidate had to get past it"
    }

    static func levels(_ p: TrainingPage) -> ReportSection? {
        let r = p.result
        guard !r.levels.isEmpty else { return nil }
        var blocks: [ReportBlock] = []
        for level in r.levels {
            let scope = level.inSample ? "in-sample" : "out of fold"
            let plot = DotPlot(title: "\(capitalized(level.name)): \(level.inSample ? "in-sample" : "out-of-fold") \(level.metric)",
                               candidates: level.candidates, chosen: level.chosen, margin: level.margin, marginLabel: marginLabel(level),
                               lowerIsBetter: level.lowerIsBetter, axis: "\(level.metric) (\(scope))")
            let margin = level.margin.map { m in level.marginRule.map { " \(capitalized($0)) \(fmt(m)) (the band)." }
                ?? " A more complex candidate had to win by more than \(fmt(m)) (the band)." } ?? ""
            let better = level.lowerIsBetter ? "lower is better" : "higher is better"
            let note = level.note.map { " \(capitalized($0))." } ?? ""
            blocks.append(.figure(svg: plot.svg(), caption: "\(capitalized(level.name)), decided once for the whole label set (\(better); candidates simplest first, on an axis zoomed to their scores): \(level.chosen) chosen (red).\(margin)\(note)"))
        }
        let rows = r.levels.flatMap { level in
            level.candidates.map { c in [level.name, c.name, fmt(c.score), level.margin.map { fmt($0) } ?? "", c.name == level.chosen ? "chosen" : ""] }
        }
        blocks.append(.table(header: ["level", "candidate", "score", "margin", ""], rows: rows, numeric: [2, 3]))
        if let rule = r.levels.first(where: { $0.marginRule != nil }) {
            blocks.append(.paragraph("The \(rule.name) level's margin binds one step only: \(rule.marginRule!) \(fmt(rule.margin ?? 0))."))
        }
        if let w = r.blendWeights {
            let chart = BarChart(title: "Blend: one weight per network, shared by every tag", categories: w.map(\.0),
                                 series: [("weight", w.map(\.1))],
                                 y: PlotAxis("weight", unit: "on the network's logit", range: min(0, w.map(\.1).min() ?? 0)...max(0.1, (w.map(\.1).max() ?? 1) * 1.15)),
                                 xLabel: "network (primary first)", showValues: true)
            let used = r.model.base?.kind == .blend ? "The blend is the base score." : "The blend is a candidate base score; \(r.model.base?.kind.rawValue ?? "primary") was chosen, so these weights are not in the model."
            blocks.append(.figure(svg: chart.svg(), caption: "The learned blend's weights (L2-regularised, fitted on every training row): a network that carries nothing gets a weight near 0. \(used)"))
        }
        let title = r.model.oneLabel != nil ? "Decisions: one distribution a track, chosen once for the label set"
                                            : "Decisions at every level: base score, learner, decision rule, calibration"
        return ReportSection(id: "levels", title: title, blocks: blocks)
    }

    static func reliability(_ p: TrainingPage) -> ReportSection? {
        guard let o = p.result.outOfFold, o.rows > 0 else { return nil }
        let after = ReliabilityBins(zip(o.probabilities, o.labels))
        let before = ReliabilityBins(zip(o.scores.map(rawProbability), o.labels))
        func radii(_ b: ReliabilityBins) -> [Double] {
            let most = Double(b.count.max() ?? 1)
            return b.used.map { 3 + 7 * (Double(b.count[$0]) / most).squareRoot() }
        }
        let plot = LinePlot(title: p.folds == 0 ? "Reliability of the in-sample probabilities" : "Reliability of the out-of-fold probabilities",
                            x: PlotAxis("mean predicted probability", unit: "per bin", range: 0...1),
                            y: PlotAxis("observed frequency", unit: "share of pairs true", range: 0...1),
                            series: [PlotSeries("written probability (calibrated; dot area ∝ pairs)", after.points, style: .linePoints, radii: radii(after)),
                                     PlotSeries("score before calibration (base or learned)", before.points, style: .linePoints, radii: radii(before), dashed: true)],
                            diagonal: true)
        let scope = p.folds == 0 ? "in-sample" : "out of fold (each fold calibrated on the others)"
        var blocks: [ReportBlock] = [
            .figure(svg: plot.svg(), caption: "Observed share of true (track, tag) pairs against the mean probability, ten bins of width 0.1, \(scope); grey dashes: perfect calibration. Expected calibration error \(fmt(after.expectedCalibrationError)) calibrated, \(fmt(before.expectedCalibrationError)) before. Calibration moves probabilities, never decisions."),
        ]
        let bins = (0..<10).filter { after.count[$0] > 0 || before.count[$0] > 0 }
        func cell(_ b: ReliabilityBins, _ k: Int) -> [String] {
            b.count[k] == 0 ? ["0", "–", "–"] : [String(b.count[k]), fmt(b.sum[k] / Double(b.count[k])), fmt(b.hits[k] / Double(b.count[k]))]
        }
        blocks.append(.table(header: ["probability bin", "pairs (calibrated)", "mean predicted", "observed", "pairs (before)", "mean score", "observed"],
                             rows: bins.map { k in [String(format: "%.1f–%.1f", Double(k) / 10, Double(k + 1) / 10)] + cell(after, k) + cell(before, k) },
                             numeric: Set(1...6)))
        if let level = p.result.levels.first(where: { $0.name == "calibration" }) {
            let scores = level.candidates.map { "\($0.name) \(fmt($0.score))" }.joined(separator: ", ")
            blocks.append(.paragraph("Calibration schemes, \(level.inSample ? "in-sample" : "cross-fitted") mean log loss over tags: \(scores) → \(level.chosen). "
                + "none writes the base or stacked score clamped to [0, 1]; platt fits σ(a·logit(score) + b) per tag; shared fits one slope for every tag with an intercept per tag, "
                + "so it loses to platt where tags' scores are on different scales (a mean of networks, a tag's stacked model). "
                + (level.marginRule.map { "\(capitalized($0)) \(fmt(level.margin ?? 0))." } ?? "")))
        }
        return ReportSection(id: "reliability", title: "Calibration", blocks: blocks)
    }

    static func thresholdCurves(_ p: TrainingPage) -> ReportSection? {
        guard let o = p.result.outOfFold, o.rows > 0 else { return nil }
        let tags = p.result.model.tags
        let order = p.result.reports.enumerated().sorted { $0.element.support > $1.element.support }.prefix(4).map(\.offset)
        let columns = order.map { k in ((0..<o.rows).map { o.scores[$0 * o.tags + k] }, (0..<o.rows).map { o.labels[$0 * o.tags + k] }) }
        // Zoom to where the decisions happen: up to the 99th percentile of the shown tags' scores (or past the
        // farthest threshold), from 0 or the lowest threshold below it.
        let finite = columns.flatMap { $0.0.filter(\.isFinite) }.sorted()
        let thresholds = order.compactMap { tags[$0].threshold }
        let q99 = finite.isEmpty ? 1 : finite[min(finite.count - 1, Int(Double(finite.count) * 0.99))]
        let hiRaw = min(finite.last ?? 1, max(q99, (thresholds.max() ?? 0) * 1.5, 0.01))
        let loRaw = min(0, thresholds.min() ?? 0)
        // Widen to whole ticks, so the axis ends on a labelled value.
        let ticks = PlotAxis.niceTicks(loRaw...hiRaw)
        let step = ticks.count > 1 ? ticks[1] - ticks[0] : 0
        let lo = step > 0 ? (loRaw / step).rounded(.down) * step : loRaw
        let hi = step > 0 ? min(max(1, hiRaw), (hiRaw / step - 1e-9).rounded(.up) * step) : hiRaw
        var series: [PlotSeries] = []
        var marks: [PlotSeries] = []
        for (c, k) in order.enumerated() {
            let (s, y) = columns[c]
            let color = plotColors[c % plotColors.count]
            let pts: [(x: Double, y: Double)] = (0...120).map { i in
                let th = lo + (hi - lo) * Double(i) / 120
                return (x: th, y: ThresholdSearch.f1(scores: s, labels: y, threshold: th))
            }
            series.append(PlotSeries("\(tags[k].name): threshold \(tags[k].threshold.map { fmt($0, 3) } ?? "never")", pts, color: color))
            if let th = tags[k].threshold {
                marks.append(PlotSeries("", [(x: th, y: ThresholdSearch.f1(scores: s, labels: y, threshold: th))], style: .points, radii: [5], color: color))
            }
        }
        let top = series.flatMap { $0.points.map(\.y) }.max() ?? 1
        let plot = LinePlot(title: "F1 against threshold, the most frequent tags",
                            x: PlotAxis("threshold_score", unit: "on the score before calibration", range: lo...hi),
                            y: PlotAxis("F1", unit: p.folds == 0 ? "in-sample" : "out of fold", range: 0...min(1, max(0.1, top * 1.1))), series: series + marks)
        let zoom = hi < 0.999 ? " The axis stops at \(PlotAxis.format(hi)): 99% of these tags' scores lie below it." : ""
        return ReportSection(id: "thresholds", title: "F1 against threshold", blocks: [
            .figure(svg: plot.svg(), caption: (p.folds == 0
                ? "Each tag's F1 on the training rows' in-sample scores (--folds 0) as its threshold moves; the dot marks the threshold the model uses."
                : "Each tag's F1 on the training rows' out-of-fold scores as its threshold moves; the dot marks the threshold the model uses (fitted on the out-of-fold scores).")
                + " Thresholds here are on the score before calibration (the report's threshold_score); the per-tag table gives both scales." + zoom),
        ])
    }
}

/// "base score" → "Base score".
func capitalized(_ s: String) -> String { s.prefix(1).uppercased() + s.dropFirst() }
