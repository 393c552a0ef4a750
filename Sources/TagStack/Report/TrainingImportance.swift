// The training page's "what the models learned from" section, from the same rows `train --importance` writes
// (Export/Importance.swift): over all tags, each input's share of the importance and each input group's (own
// score, row statistics, category score, each other network, tag-level values of the pooled model), and per
// tag, for the most frequent tags off the base score, the top inputs. Then "what stacking learned from": the
// out-of-fold permutation importance of each input group (`train --permutation-repeats N`), or how to get it.

import Foundation
import TagStackModel

extension TrainingPage {
    /// The input group of a feature-vector name: own score, row statistics, category score, one network, etc.
    static func inputGroup(_ input: String) -> String { PermutationImportance.group(of: input) }

    /// The kind a page shows for a set of rows: gain when training measured it, else splits, else coefficients.
    static func preferredKind(_ kinds: Set<String>) -> String? {
        ["gain", "split", "mean_abs_coefficient", "coefficient"].first { kinds.contains($0) }
    }

    static func importance(_ p: TrainingPage) -> ReportSection? {
        let rows = Importance.rows(model: p.result.model, gain: p.result.gainImportance, pooledGain: p.result.pooledGainImportance)
        let all = rows.filter { $0.tag == Importance.allTags }
        let kind = preferredKind(Set(all.map(\.kind))) ?? ""
        let chosen = all.filter { $0.kind == kind }.map { (input: $0.input, value: abs($0.value)) }
        let total = chosen.reduce(0) { $0 + $1.value }
        guard total > 0 else {
            return ReportSection(id: "importance", title: "What the models learned from", blocks: [
                .paragraph("No tag has a model of its own: the chosen learner (\(p.result.chosenLearner)) keeps every tag on its base score (\(p.baseDescription)) with a threshold. What the base score draws on is in the base score level above\(p.result.blendWeights != nil ? " (and the blend's weight per network)" : "")."),
            ])
        }
        let ranked = chosen.sorted { $0.value != $1.value ? $0.value > $1.value : $0.input < $1.input }
        let shown = Array(ranked.prefix(20))
        let what = kind == "gain" ? "gain (sum of the split gains, LightGBM's 'gain')"
            : kind == "split" ? "splits (LightGBM's 'split')" : "mean absolute coefficient on the standardised input"
        let chart = BarChart(title: "Over all tags: each input's share of the \(kind == "gain" ? "gain" : kind == "split" ? "splits" : "coefficients")",
                             categories: shown.map(\.input), series: [("share", shown.map { $0.value / total })],
                             y: PlotAxis("share", unit: "of the total \(kind == "mean_abs_coefficient" ? "|coefficient|" : kind)", range: 0...min(1, max(0.05, (shown.first?.value ?? 0) / total * 1.15))),
                             xLabel: "input (most important first)", showValues: true)
        var groups: [String: Double] = [:]
        for r in chosen { groups[inputGroup(r.input), default: 0] += r.value }
        let groupRows = groups.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
            .map { [$0.key, String(format: "%.1f%%", 100 * $0.value / total)] }

        // Per tag: the most frequent tags off the base score, their top five inputs.
        let support = Dictionary(p.result.reports.map { ($0.tag, $0.support) }, uniquingKeysWith: { a, _ in a })
        let byTag = Dictionary(grouping: rows.filter { $0.tag != Importance.allTags }, by: \.tag)
        let paths = Dictionary(p.result.model.tags.map { ($0.name, $0.path) }, uniquingKeysWith: { a, _ in a })
        // Pooled tags share one model and so one importance: one row for all of them, then the tags' own models.
        let pooledTags = byTag.keys.filter { paths[$0] == .pooled }
        let own = byTag.keys.filter { paths[$0] != .pooled }.sorted { (support[$0] ?? 0, $1) > (support[$1] ?? 0, $0) }
        let learned = (pooledTags.isEmpty ? [] : [pooledTags.min { (support[$0] ?? 0, $1) > (support[$1] ?? 0, $0) }!]) + own.prefix(12)
        let tagRows = learned.compactMap { tag -> [String]? in
            let r = byTag[tag] ?? []
            guard let k = preferredKind(Set(r.map(\.kind))) else { return nil }
            let values = r.filter { $0.kind == k }.map { (input: $0.input, value: abs($0.value)) }
            let sum = values.reduce(0) { $0 + $1.value }
            guard sum > 0 else { return nil }
            let top = values.sorted { $0.value != $1.value ? $0.value > $1.value : $0.input < $1.input }.prefix(5)
                .map { "\($0.input) \(String(format: "%.0f%%", 100 * $0.value / sum))" }
            let name = paths[tag] == .pooled ? "the pooled model (\(pooledTags.count) tags, e.g. \(tag))" : tag
            let sup = paths[tag] == .pooled ? pooledTags.reduce(0) { $0 + (support[$1] ?? 0) } : support[tag] ?? 0
            return [name, String(sup), paths[tag].map(pathName) ?? "", k == "coefficient" ? "|coefficient|" : k, top.joined(separator: ", ")]
        }
        let pooled = p.result.model.tags.contains { $0.path == .pooled }
        var blocks: [ReportBlock] = [
            .figure(svg: chart.svg(), caption: "Each input's share of the \(what), summed over every tag's model\(pooled ? " and the pooled model (counted once)" : ""): the \(shown.count) largest of \(ranked.count) inputs. net:NAME is another network's score for the tag; tag:… are the pooled model's tag-level values."),
            .table(header: ["input group", "share of the \(kind == "mean_abs_coefficient" ? "|coefficients|" : kind)"], rows: groupRows, numeric: [1]),
        ]
        if !tagRows.isEmpty {
            blocks.append(.table(header: ["tag", "support", "path", "measure", "top inputs (share of the tag's total)"], rows: tagRows, numeric: [1]))
        }
        blocks.append(.paragraph("Own score: the tag's score and its logit; row statistics: the tag's rank and z-score in its class, the class's max and mean, the gap to the max, the category's other tags; category score: the category's own column. "
            + (pooled ? "Pooled tags share one model, so they share its importance. " : "")
            + "Tags on the base score have no model and no row. The same figures, per tag and input, are in train --importance FILE."))
        return ReportSection(id: "importance", title: "What the models learned from", blocks: blocks)
    }
}

extension TrainingPage {
    /// What the chosen model loses out of fold when each input group is shuffled (`--permutation-repeats`): the
    /// one figure that says whether stacking earned its keep, and from what; how to get it when absent.
    static func permutation(_ p: TrainingPage) -> ReportSection? {
        let title = "What stacking learned from (out-of-fold permutation importance)"
        guard let r = p.result.permutation else {
            let learner = LearnerKind(rawValue: p.result.chosenLearner)
            if learner?.isBaseline ?? true {
                return ReportSection(id: "permutation", title: title, blocks: [
                    .paragraph("The learner level kept \(p.result.chosenLearner): no tag has a model of its own, so there is no input to permute. On this data stacking did not earn its keep; the learner level above shows by how much each stacking learner fell short out of fold."),
                ])
            }
            guard p.result.folds > 0 else {
                return ReportSection(id: "permutation", title: title, blocks: [
                    .paragraph("No cross-validation (--folds 0): no score is out of fold, so there is nothing to permute the inputs of."),
                ])
            }
            return ReportSection(id: "permutation", title: title, blocks: [
                .paragraph("Not computed for this run. Train again with --permutation-repeats 5 to see how much the \(p.result.chosenLearner) model's out-of-fold log loss and weighted F1 suffer when each input group (own score, row statistics, category score, each other network) is shuffled across the held-out rows: it fits the chosen learner's fold models once more (no final refit) and scores them 5 times per group."),
            ])
        }
        let stats = r.groups.indices.map { g in (group: r.groups[g], ll: PermutationImportance.meanStd(r.logLossDrop[g]),
                                                 f1: PermutationImportance.meanStd(r.weightedF1Drop[g])) }
        let ranked = stats.sorted { $0.ll.mean != $1.ll.mean ? $0.ll.mean > $1.ll.mean : $0.group < $1.group }
        // Bars in percent of the unshuffled log loss, so that small rises stay readable.
        let percent = ranked.map { 100 * $0.ll.mean / max(r.logLoss, 1e-12) }
        let chart = BarChart(title: "Rise of the out-of-fold log loss when one input group is shuffled",
                             categories: ranked.map { $0.group }, series: [("log loss rise", percent)],
                             y: PlotAxis("rise of the mean log loss", unit: "% of \(String(format: "%.4f", r.logLoss)) unshuffled",
                                         range: min(0, percent.min() ?? 0)...max(1, (percent.max() ?? 0) * 1.15)),
                             xLabel: "input group (largest first)", showValues: true, height: 300)
        let rows = ranked.map { s in
            [s.group, String(format: "%+.5f ± %.5f", s.ll.mean, s.ll.std), String(format: "%+.4f ± %.4f", s.f1.mean, s.f1.std)]
        }
        let own = stats.first { $0.group == PermutationImportance.ownScore }?.ll.mean ?? 0
        let beyond = stats.filter { $0.group != PermutationImportance.ownScore }.max { $0.ll.mean < $1.ll.mean }
        let verdict: String
        if let b = beyond, b.ll.mean > 0 {
            verdict = String(format: "Beyond the own score, the model leans most on %@ (log loss +%.5f when shuffled, %.0f%% of the own score's +%.5f).", b.group, b.ll.mean, own > 0 ? 100 * b.ll.mean / own : 0, own)
        } else {
            verdict = "No group beyond the own score moves the out-of-fold log loss: stacking learned nothing from the other inputs here."
        }
        return ReportSection(id: "permutation", title: title, blocks: [
            .paragraph("\(r.learnedTags.count) of \(r.tagCount) tags have a model of their own (\(r.learner)). Each fold's model is scored on its held-out rows with one group's columns shuffled across those rows (one order for the whole group), \(r.repeats) times; the figure is the rise of the mean out-of-fold log loss over every tag (tags on the base score do not move), as scikit-learn's permutation_importance with n_repeats=\(r.repeats). " + verdict),
            .figure(svg: chart.svg(), caption: String(format: "Out-of-fold log loss unshuffled: %.5f (mean over every tag, scores before calibration); weighted F1 at the model's thresholds: %.4f. Own score: the tag's score and logit and, for boosted and pooled models, the base score's logit their trees start from. Fold models fitted again and scored in %.1f s%@.", r.logLoss, r.weightedF1, r.seconds, r.reproduced ? ", reproducing training's out-of-fold scores exactly" : "; they did NOT reproduce training's out-of-fold scores (a defect: report it)")),
            .table(header: ["input group", "log loss rise (mean ± std over repeats)", "weighted F1 fall at the thresholds"], rows: rows, numeric: [1, 2]),
        ])
    }
}
