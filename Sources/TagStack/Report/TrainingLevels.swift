// Sections of the training page for the levels decided once for the whole label set and the out-of-fold
// probabilities: every level's candidates with their scores and the margin to beat, the blend's weight per
// network, the reliability diagram of the out-of-fold probabilities and F1 against threshold for a few tags.

import Foundation
import TagStackModel

extension TrainingPage {
    static func levels(_ p: TrainingPage) -> ReportSection? {
        let r = p.result
        guard !r.levels.isEmpty else { return nil }
        var blocks: [ReportBlock] = []
        for level in r.levels {
            let scores = level.candidates.map(\.score)
            let top = max(0.05, scores.max() ?? 1)
            let chart = BarChart(title: "\(capitalized(level.name)): \(level.inSample ? "in-sample" : "out-of-fold") \(level.metric)",
                                 categories: level.candidates.map(\.name), series: [(level.metric, scores)],
                                 y: PlotAxis(level.metric, unit: level.inSample ? "in-sample" : "out of fold", range: 0...(top * 1.15)),
                                 xLabel: "candidate (simplest first)", showValues: true)
            let margin = level.margin.map { " A more complex candidate had to win by more than \(fmt($0))." } ?? ""
            let better = level.lowerIsBetter ? "lower is better" : "higher is better"
            blocks.append(.figure(svg: chart.svg(), caption: "\(capitalized(level.name)), decided once for the whole label set (\(better)): \(level.chosen) chosen.\(margin)"))
        }
        let rows = r.levels.flatMap { level in
            level.candidates.map { c in [level.name, c.name, fmt(c.score), level.margin.map { fmt($0) } ?? "", c.name == level.chosen ? "chosen" : ""] }
        }
        blocks.append(.table(header: ["level", "candidate", "score", "margin", ""], rows: rows, numeric: [2, 3]))
        if let w = r.blendWeights {
            let chart = BarChart(title: "Blend: one weight per network, shared by every tag", categories: w.map(\.0),
                                 series: [("weight", w.map(\.1))],
                                 y: PlotAxis("weight", unit: "on the network's logit", range: min(0, w.map(\.1).min() ?? 0)...max(0.1, (w.map(\.1).max() ?? 1) * 1.15)),
                                 xLabel: "network (primary first)", showValues: true)
            blocks.append(.figure(svg: chart.svg(), caption: "The learned blend's weights (L2-regularised, fitted on every training row): a network that carries nothing gets a weight near 0."))
        }
        let title = r.model.oneLabel != nil ? "Decisions: one distribution a track, chosen once for the label set"
                                            : "Decisions at every level: base score, learner, decision rule, calibration"
        return ReportSection(id: "levels", title: title, blocks: blocks)
    }

    static func reliability(_ p: TrainingPage) -> ReportSection? {
        guard let o = p.result.outOfFold, o.rows > 0 else { return nil }
        let after = ReliabilityBins(zip(o.probabilities, o.labels))
        let before = ReliabilityBins(zip(o.scores.map(rawProbability), o.labels))
        let plot = LinePlot(title: p.folds == 0 ? "Reliability of the in-sample probabilities" : "Reliability of the out-of-fold probabilities",
                            x: PlotAxis("mean predicted probability", unit: "per bin", range: 0...1),
                            y: PlotAxis("observed frequency", unit: "share of pairs true", range: 0...1),
                            series: [PlotSeries("written probability (calibrated)", after.points, style: .linePoints),
                                     PlotSeries("score before calibration", before.points, style: .linePoints, dashed: true)],
                            diagonal: true)
        let scope = p.folds == 0 ? "in-sample" : "out of fold (each fold calibrated on the others)"
        return ReportSection(id: "reliability", title: "Calibration", blocks: [
            .figure(svg: plot.svg(), caption: "Observed share of true (track, tag) pairs against the mean probability, ten bins of width 0.1, \(scope); dashed line: perfect calibration. Calibration moves probabilities, never decisions."),
        ])
    }

    static func thresholdCurves(_ p: TrainingPage) -> ReportSection? {
        guard let o = p.result.outOfFold, o.rows > 0 else { return nil }
        let tags = p.result.model.tags
        let order = p.result.reports.enumerated().sorted { $0.element.support > $1.element.support }.prefix(4).map(\.offset)
        var series: [PlotSeries] = []
        for (c, k) in order.enumerated() {
            let s = (0..<o.rows).map { o.scores[$0 * o.tags + k] }, y = (0..<o.rows).map { o.labels[$0 * o.tags + k] }
            let pts: [(x: Double, y: Double)] = stride(from: 0.0, through: 1.0, by: 0.02).map { (th: Double) in
                (x: th, y: ThresholdSearch.f1(scores: s, labels: y, threshold: th))
            }
            series.append(PlotSeries("\(tags[k].name) (threshold \(tags[k].threshold.map { fmt($0, 3) } ?? "never"))", pts, color: plotColors[c % plotColors.count]))
        }
        let plot = LinePlot(title: "F1 against threshold, the most frequent tags", x: PlotAxis("threshold", unit: "on the tag's score", range: 0...1),
                            y: PlotAxis("F1", unit: p.folds == 0 ? "in-sample" : "out of fold", range: 0...1), series: series)
        return ReportSection(id: "thresholds", title: "F1 against threshold", blocks: [
            .figure(svg: plot.svg(), caption: p.folds == 0
                ? "Each tag's F1 on the training rows' in-sample scores (--folds 0) as its threshold moves; the legend gives the threshold the model uses."
                : "Each tag's F1 on the training rows' out-of-fold scores as its threshold moves; the legend gives the threshold the model uses (fitted on the out-of-fold scores)."),
        ])
    }
}

/// "base score" → "Base score".
func capitalized(_ s: String) -> String { s.prefix(1).uppercased() + s.dropFirst() }
