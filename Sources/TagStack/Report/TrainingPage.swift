// The out-of-fold view (`tagstack train --html`), built from what `Stacker.train` returns (`StackerResult`):
// every level's candidates (base score, learner, decision rule, calibration) as dots on a zoomed axis with the
// margin as a band,
// the blend's weights, a reliability diagram and F1-against-threshold curves of the out-of-fold scores
// (TrainingLevels.swift), what the models learned from (TrainingImportance.swift), per tag the out-of-fold F1 of
// the base score (the model's path `raw`) against the final one with its path
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
    public static let sections: [Section] = [summary, levels, reliability, thresholdCurves, importance, permutation, perClass, perTag]

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
        let truth = LabelMatrix(ids: ids, tags: tags, values: o.labels)
        let decisions = LabelMatrix(ids: ids, tags: tags, values: decided)
        let report: MetricsReport
        do {
            report = try Metrics.evaluate(truth: truth, decisions: decisions, scores: o.probabilities)
        } catch {
            // The matrices share rows and tags by construction; what `evaluate` refuses (a NaN probability) is said.
            return ReportSection(id: "one-label-out-of-fold", title: "Out of fold",
                                 blocks: [.paragraph("The out-of-fold figures could not be computed: \(error)")])
        }
        guard report.oneLabel != nil,
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
    static func finalF1(_ r: TagReport) -> Double { r.path == .raw ? r.baseF1 : (r.stackedF1 ?? r.baseF1) }

    static func supportWeightedMean(_ reports: [TagReport], _ f: (TagReport) -> Double) -> Double {
        let s = reports.reduce(0) { $0 + $1.support }
        return s == 0 ? 0 : reports.reduce(0.0) { $0 + Double($1.support) * f($1) } / Double(s)
    }

    /// The base score in words: what every tag starts from (the page's "base score", the model's path `raw`).
    var baseDescription: String {
        guard let b = result.model.base else { return "primary: the tag's own network score" }
        let n = b.networks.count + 1
        switch b.kind {
        case .primary: return "primary: the tag's own network score"
        case .mean: return "mean: the mean of \(n) networks' scores for the tag"
        case .logitMean: return "logit_mean: σ of the mean of \(n) networks' logits for the tag"
        case .blend: return "blend: σ(intercept + a learned weight per network × its logit), \(n) networks"
        }
    }

    /// A path as the page names it: `raw` is the base score.
    static func pathName(_ path: TagPath) -> String { path == .raw ? "base score" : path.rawValue }

    /// Counts of tags per path, as train's summary line gives them.
    static func pathCounts(_ reports: [TagReport]) -> String {
        TagPath.allCases.map { path in "\(reports.filter { $0.path == path }.count) \(path == .raw ? "on the base score" : path.rawValue)" }.joined(separator: ", ")
    }

    static func summary(_ p: TrainingPage) -> ReportSection? {
        let r = p.result, reports = r.reports
        return ReportSection(id: "summary", title: "Summary", blocks: [
            .table(header: ["", "value"], rows: [
                ["base score (every tag starts from it)", p.baseDescription],
                ["chosen learner", r.chosenLearner],
                ["decision rule", r.model.decision.rawValue],
                ["tags by path", pathCounts(reports)],
                ["support-weighted out-of-fold F1, base score (per-tag thresholds)", fmt(supportWeightedMean(reports) { $0.baseF1 })],
                ["support-weighted out-of-fold F1, final scores (per-tag thresholds)", fmt(supportWeightedMean(reports, finalF1))],
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
        var gainSeries: [PlotSeries] = []
        let supports = reports.map { Double(max($0.support, 1)) }
        let gains = reports.map { finalF1($0) - $0.baseF1 }
        for (k, path) in TagPath.allCases.enumerated() {
            let members = reports.indices.filter { reports[$0].path == path }
            guard !members.isEmpty else { continue }
            let name = "\(pathName(path)) (\(members.count) tags)"
            series.append(PlotSeries(name, members.map { (x: reports[$0].baseF1, y: finalF1(reports[$0])) }, style: .points, color: plotColors[k]))
            gainSeries.append(PlotSeries(name, members.map { (x: supports[$0], y: gains[$0]) }, style: .points, color: plotColors[k]))
        }
        let hi = min(1, max(0.1, reports.map { max($0.baseF1, finalF1($0)) }.max() ?? 1) * 1.05)
        let scatter = LinePlot(title: "Per tag: final against base-score out-of-fold F1", x: PlotAxis("base score F1", unit: "out of fold", range: 0...hi),
                               y: PlotAxis("final F1", unit: "out of fold", range: 0...hi), series: series, diagonal: true)
        let g = max(0.01, gains.map(abs).max() ?? 0.01) * 1.1
        let gainPlot = LinePlot(title: "F1 gain against support", x: .log10("support", unit: "positive training tracks, log scale", range: 1...(supports.max() ?? 10)),
                                y: PlotAxis("final − base score F1", unit: "out of fold", range: -g...g), series: gainSeries)
        let byClass = Dictionary(uniqueKeysWithValues: p.labels.tags.enumerated().map { ($1, $0) })
        let tagModels = Dictionary(p.result.model.tags.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let rows = reports.sorted { $0.support != $1.support ? $0.support > $1.support : $0.tag < $1.tag }.map { r -> [String] in
            let k = byClass[r.tag]
            let gain = finalF1(r) - r.baseF1
            let reason = r.path == .raw ? reasonText(r, margin: p.margin) : String(format: "%@: %+.4f out of fold over the base score", r.reason, gain)
            return [r.tag, k.map { p.labels.tagClasses[$0] } ?? "", k.map { p.labels.tagCategories[$0] } ?? "", String(r.support),
                    fmt(r.baseF1), fmt(r.stackedF1), fmt(finalF1(r)), pathName(r.path),
                    r.threshold == nil ? "never" : tagModels[r.tag]?.probabilityThreshold.map { fmt($0) } ?? "n/a", r.threshold.map { fmt($0) } ?? "never",
                    r.rounds.map(String.init) ?? "", reason]
        }
        return ReportSection(id: "per-tag", title: "Per tag (by support)", blocks: [
            .figure(svg: scatter.svg(), caption: "Each point a tag: out-of-fold F1 of its final score (y) against its base score (x: \(p.baseDescription)), each with its own F1-maximising threshold; above the dashed line, stacking helped."),
            .figure(svg: gainPlot.svg(), caption: "Out-of-fold F1 gain of each tag's final path over its base score against its support (number of positive training tracks, log scale): rare tags are where stacking is riskiest. A tag on the base score gains 0."),
            .table(header: ["tag", "class", "category", "support", "base score F1", "stacked F1", "final F1", "path", "threshold_probability",
                            "threshold_score", "rounds", "reason"],
                   rows: rows, numeric: [3, 4, 5, 6, 8, 9, 10]),
            .paragraph("Path: base score (the model file's path raw: \(p.baseDescription)), stacked (the tag's own model) or pooled (the shared pooled model). threshold_probability is each tag's threshold on the probabilities predict --scores writes (the model file's calibration.threshold): a tag is predicted when its probability is at least this. threshold_score is the same threshold on the score before calibration, which decisions compare; calibration never moves a decision. n/a: an uncalibrated tag whose score threshold is outside (0, 1] (a mean of networks can score below 0) writes its score clamped to [0, 1], so no threshold on the probabilities gives its decisions."),
        ])
    }

    /// Why a tag stayed on its base score, in words (TagReport.reason's codes).
    static func reasonText(_ r: TagReport, margin: Double) -> String {
        switch r.reason {
        case "base": return "kept: no per-tag model tried"
        case "margin": return "kept: the learned score did not beat it by the margin (--margin \(PlotAxis.format(margin)))"
        case "learned": return "kept: the learner's whole-label-set choice"
        case "no skill": return "kept: the learned score had no skill out of fold"
        case "average precision lower": return "kept: the learned score's average precision was lower"
        default: return "kept: \(r.reason)"
        }
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
            let count = { (path: TagPath) in String(g.1.filter { $0.path == path }.count) }
            return [g.0, String(g.1.count), count(.raw), count(.stacked), count(.pooled), String(g.1.reduce(0) { $0 + $1.support }),
                    fmt(supportWeightedMean(g.1) { $0.baseF1 }), fmt(supportWeightedMean(g.1, finalF1))]
        }
        let chartGroups = classes.count > 1 || categories.count <= 1 ? classes : categories
        let chart = BarChart(title: "Per \(chartGroups.count == classes.count ? "class" : "category"): support-weighted out-of-fold F1",
                             categories: chartGroups.map(\.0),
                             series: [("base score", chartGroups.map { supportWeightedMean($0.1) { $0.baseF1 } }), ("final", chartGroups.map { supportWeightedMean($0.1, finalF1) })],
                             y: PlotAxis("weighted F1", unit: "out of fold, 0–1", range: 0...1), xLabel: chartGroups.count == classes.count ? "class" : "category")
        let header = ["", "tags", "on the base score", "stacked", "pooled", "support", "base score F1", "final F1"]
        return ReportSection(id: "per-class", title: "Per class and category", blocks: [
            .figure(svg: chart.svg(), caption: "Support-weighted out-of-fold F1 of the base score and the final scores (per-tag thresholds), per group of tags."),
            .paragraph("Tags per path, as the summary counts them: \(pathCounts(reports))."),
            .table(header: ["class"] + header.dropFirst(), rows: classes.map(row), numeric: Set(1...7)),
            .table(header: ["category"] + header.dropFirst(), rows: categories.map(row), numeric: Set(1...7)),
        ])
    }
}
