// The out-of-fold view (`tagstack train --html`), built from what `Stacker.train` returns (`StackerResult`):
// every level's candidates (base score, learner, decision rule, calibration) with their scores and margins,
// the blend's weights, a reliability diagram and F1-against-threshold curves of the out-of-fold scores
// (TrainingLevels.swift), per tag the out-of-fold F1 of the base score against the final one with its path
// and reason, and a summary per class and category.
//
// Adding a section: write a `static func NAME(_ p: TrainingPage) -> ReportSection?` (nil: nothing to show)
// in an extension of `TrainingPage`, and list it in `TrainingPage.sections` below (page order). Everything a
// section may read is a stored property here; a new input (say out-of-fold probabilities, once
// `StackerResult` carries them) becomes a new stored property, filled in by `TrainCommand`.

import Foundation
import TagStackModel

public struct TrainingPage {
    public var result: StackerResult
    /// Label → value lines under the title: the data files, rows, options.
    public var facts: [(String, String)]
    /// `--margin`: how much a stacked tag must win by.
    public var margin: Double
    /// `--folds`: 0 means no cross-validation, so every score on the page is in-sample.
    public var folds: Int

    public init(result: StackerResult, facts: [(String, String)], margin: Double, folds: Int) {
        self.result = result; self.facts = facts; self.margin = margin; self.folds = folds
    }

    public typealias Section = (TrainingPage) -> ReportSection?

    /// The page's sections, in order. Add yours here.
    public static let sections: [Section] = [summary, levels, reliability, thresholdCurves, perClass, perTag]

    /// The sections of a one-label model's page (`StackerModel.oneLabel`): the level's candidates, then the
    /// chosen distribution's out-of-fold figures and confusion matrix, as `evaluate` shows a test set.
    public static let oneLabelSections: [Section] = [levels, oneLabelEvaluation]

    public func page() -> ReportPage {
        ReportPage(title: folds == 0 ? "TagStack training (in-sample: --folds 0)" : "TagStack training (out of fold)", facts: facts,
                   sections: (result.model.oneLabel != nil ? Self.oneLabelSections : Self.sections).compactMap { $0(self) })
    }

    /// One label a track: the chosen stage's cross-fitted distributions judged as `evaluate --html` judges a test
    /// set (multiclass log loss, accuracy, top-3 accuracy, the confusion matrix with rows normalised).
    static func oneLabelEvaluation(_ p: TrainingPage) -> ReportSection? {
        guard let o = p.result.outOfFold, o.rows > 0 else { return nil }
        let ids = (0..<o.rows).map(String.init), tags = p.labels.tags
        var decided = [UInt8](repeating: 0, count: o.rows * o.tags)
        for i in 0..<o.rows {
            var best = 0
            for k in 1..<o.tags where o.probabilities[i * o.tags + k] > o.probabilities[i * o.tags + best] { best = k }
            decided[i * o.tags + best] = 1
        }
        // The matrices share rows and tags by construction, so `evaluate` has nothing to refuse here.
        let truth = LabelMatrix(ids: ids, tags: tags, values: o.labels)
        let decisions = LabelMatrix(ids: ids, tags: tags, values: decided)
        guard let report = try? Metrics.evaluate(truth: truth, decisions: decisions, scores: o.probabilities), report.oneLabel != nil,
              var section = EvaluationPage.confusion(EvaluationPage(truth: truth, decisions: decisions, scores: o.probabilities, report: report,
                                                                    files: ("training labels", "argmax", "out of fold")))
        else { return nil }
        section.title = (p.folds == 0 ? "In-sample" : "Out of fold") + ": " + section.title
        section.blocks.insert(.paragraph(p.folds == 0
            ? "Trained with --folds 0: these figures are in-sample and flatter the model."
            : "Each training row's distribution comes from the stage fitted on the other \(p.folds - 1) folds (grouped), as the level chose with it; the decision is its argmax."), at: 0)
        return section
    }

    var labels: LabelSet { result.model.labels }

    /// The tag's out-of-fold F1 on its final path (the stacked score's when stacked, else the raw score's).
    static func finalF1(_ r: TagReport) -> Double { r.path == .raw ? r.rawF1 : (r.stackedF1 ?? r.rawF1) }

    static func weighted(_ reports: [TagReport], _ f: (TagReport) -> Double) -> Double {
        let s = reports.reduce(0) { $0 + $1.support }
        return s == 0 ? 0 : reports.reduce(0.0) { $0 + Double($1.support) * f($1) } / Double(s)
    }

    static func summary(_ p: TrainingPage) -> ReportSection? {
        let r = p.result, reports = r.reports
        let paths = TagPath.allCases.map { path in "\(reports.filter { $0.path == path }.count) \(path.rawValue)" }.joined(separator: ", ")
        return ReportSection(id: "summary", title: "Summary", blocks: [
            .table(header: ["", "value"], rows: [
                ["chosen learner", r.chosenLearner],
                ["decision rule", r.model.decision.rawValue],
                ["tags by path", paths],
                ["support-weighted out-of-fold F1, raw scores (per-tag thresholds)", fmt(weighted(reports) { $0.rawF1 })],
                ["support-weighted out-of-fold F1, final scores (per-tag thresholds)", fmt(weighted(reports, finalF1))],
            ], numeric: []),
            .paragraph(p.folds == 0
                ? "Trained with --folds 0: no cross-validation, so every figure on this page (labelled out of fold) is in-sample and flatters the model. The weighted F1 here applies per-tag thresholds alone; the decision rule's score is in the next section."
                : "Every figure on this page is out of fold (\(p.folds)-fold, cross-fitted), as training chose with it. The weighted F1 here applies per-tag thresholds alone; the decision rule's score is in the next section."),
        ])
    }

    static func perTag(_ p: TrainingPage) -> ReportSection? {
        let reports = p.result.reports
        guard !reports.isEmpty else { return nil }
        var series: [PlotSeries] = []
        for (k, path) in TagPath.allCases.enumerated() {
            let pts = reports.filter { $0.path == path }.map { (x: $0.rawF1, y: finalF1($0)) }
            if !pts.isEmpty { series.append(PlotSeries("\(path.rawValue) (\(pts.count) tags)", pts, style: .points, color: plotColors[k])) }
        }
        let hi = min(1, max(0.1, reports.map { max($0.rawF1, finalF1($0)) }.max() ?? 1) * 1.05)
        let scatter = LinePlot(title: "Per tag: final against raw out-of-fold F1", x: PlotAxis("raw score F1", unit: "out of fold", range: 0...hi),
                               y: PlotAxis("final F1", unit: "out of fold", range: 0...hi), series: series, diagonal: true)
        let supports = reports.map { Double(max($0.support, 1)) }
        let logMax = log10(supports.max() ?? 10) + 0.1
        let gains = reports.map { finalF1($0) - $0.rawF1 }
        let g = max(0.01, gains.map(abs).max() ?? 0.01) * 1.1
        let gainPlot = LinePlot(title: "F1 gain against support", x: PlotAxis("support", unit: "log10 of positive tracks", range: 0...max(1, logMax)),
                                y: PlotAxis("final − raw F1", unit: "out of fold", range: -g...g),
                                series: [PlotSeries("tags", zip(supports, gains).map { (x: log10($0), y: $1) }, style: .points)])
        let byClass = Dictionary(uniqueKeysWithValues: p.labels.tags.enumerated().map { ($1, $0) })
        let tagModels = Dictionary(p.result.model.tags.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let rows = reports.sorted { $0.support != $1.support ? $0.support > $1.support : $0.tag < $1.tag }.map { r -> [String] in
            let k = byClass[r.tag]
            let gain = finalF1(r) - r.rawF1
            let reason = r.path == .raw ? "base: \(r.reason)" : String(format: "%@ (%@): %+.4f out of fold", r.path.rawValue, r.reason, gain)
            return [r.tag, k.map { p.labels.tagClasses[$0] } ?? "", k.map { p.labels.tagCategories[$0] } ?? "", String(r.support),
                    fmt(r.rawF1), fmt(r.stackedF1), fmt(finalF1(r)), r.path.rawValue,
                    r.threshold == nil ? "never" : tagModels[r.tag]?.probabilityThreshold.map { fmt($0) } ?? "n/a", r.threshold.map { fmt($0) } ?? "never",
                    r.rounds.map(String.init) ?? "", reason]
        }
        return ReportSection(id: "per-tag", title: "Per tag (by support)", blocks: [
            .figure(svg: scatter.svg(), caption: "Each point a tag: out-of-fold F1 of its final score (y) against the network's raw score (x), each with its own F1-maximising threshold; above the dashed line, stacking helped."),
            .figure(svg: gainPlot.svg(), caption: "Out-of-fold F1 gain of each tag's final path against its support (number of positive training tracks, log scale): rare tags are where stacking is riskiest."),
            .table(header: ["tag", "class", "category", "support", "raw F1", "stacked F1", "final F1", "path", "threshold_probability",
                            "threshold_score", "rounds", "reason"],
                   rows: rows, numeric: [3, 4, 5, 6, 8, 9, 10]),
            .paragraph("threshold_probability is each tag's threshold on the probabilities predict --scores writes (the model file's calibration.threshold): a tag is predicted when its probability is at least this. threshold_score is the same threshold on the score before calibration, which decisions compare; calibration never moves a decision. n/a: an uncalibrated tag whose score threshold is outside (0, 1] (a mean of networks can score below 0) writes its score clamped to [0, 1], so no threshold on the probabilities gives its decisions."),
        ])
    }

    static func perClass(_ p: TrainingPage) -> ReportSection? {
        let reports = p.result.reports
        guard !reports.isEmpty else { return nil }
        let index = Dictionary(uniqueKeysWithValues: p.labels.tags.enumerated().map { ($1, $0) })
        func groups(_ key: (Int) -> String) -> [(String, [TagReport])] {
            var order: [String] = [], members: [String: [TagReport]] = [:]
            for r in reports {
                guard let k = index[r.tag] else { continue }
                let g = key(k)
                if members[g] == nil { order.append(g) }
                members[g, default: []].append(r)
            }
            return order.map { ($0, members[$0]!) }
        }
        let classes = groups { p.labels.tagClasses[$0].isEmpty ? "(none)" : p.labels.tagClasses[$0] }
        let categories = groups { p.labels.tagCategories[$0].isEmpty ? "(none)" : p.labels.tagCategories[$0] }
        func row(_ g: (String, [TagReport])) -> [String] {
            let stacked = g.1.filter { $0.path != .raw }.count
            return [g.0, String(g.1.count), String(stacked), String(g.1.reduce(0) { $0 + $1.support }),
                    fmt(weighted(g.1) { $0.rawF1 }), fmt(weighted(g.1, finalF1))]
        }
        let chartGroups = classes.count > 1 || categories.count <= 1 ? classes : categories
        let chart = BarChart(title: "Per \(chartGroups.count == classes.count ? "class" : "category"): support-weighted out-of-fold F1",
                             categories: chartGroups.map(\.0),
                             series: [("raw", chartGroups.map { weighted($0.1) { $0.rawF1 } }), ("final", chartGroups.map { weighted($0.1, finalF1) })],
                             y: PlotAxis("weighted F1", unit: "out of fold, 0–1", range: 0...1), xLabel: chartGroups.count == classes.count ? "class" : "category")
        let header = ["", "tags", "stacked", "support", "raw F1", "final F1"]
        return ReportSection(id: "per-class", title: "Per class and category", blocks: [
            .figure(svg: chart.svg(), caption: "Support-weighted out-of-fold F1 of the raw and the final scores (per-tag thresholds), per group of tags."),
            .table(header: ["class"] + header.dropFirst(), rows: classes.map(row), numeric: [1, 2, 3, 4, 5]),
            .table(header: ["category"] + header.dropFirst(), rows: categories.map(row), numeric: [1, 2, 3, 4, 5]),
        ])
    }
}
