import Foundation
import TagStack
import TagStackModel

enum EvaluateCommand {
    static let help = """
    USAGE: tagstack evaluate --truth Y.csv --decisions D.csv [--scores P.csv] [--json] [--per-tag]

    Scores 0/1 decisions (and probabilities) against the truth, exactly as scikit-learn computes them:
    weighted F1 (the challenge metric: per-tag F1 weighted by the tag's support), macro and micro
    precision / recall / F1; with --scores, macro ROC-AUC and PR-AUC (average precision) over tags with a
    positive, and mean log loss. Tags are the truth file's columns; the other files are matched to it by
    column name and ChallengeID.

    OPTIONS:
      --truth FILE       Ground truth in the y layout (required)
      --decisions FILE   Decisions in the y layout (required)
      --scores FILE      Probabilities in the y layout (every value in [0, 1])
      --json             Print one JSON object (weighted_f1, macro_f1, micro_f1, macro_precision,
                         macro_recall, micro_precision, micro_recall, and pr_auc, roc_auc, log_loss)
      --per-tag          Also print a per-tag table
    """

    static func run(_ args: inout Arguments) throws {
        let truthPath = try args.required("--truth")
        let decisionsPath = try args.required("--decisions")
        let scoresPath = try args.string("--scores")
        let json = args.flag("--json")
        let perTag = args.flag("--per-tag")
        try args.finish()

        // The truth file defines the tags: read its header, then read every file against those tags.
        let header = try MewoIO.readHeaderOnly(path: truthPath)
        let tags = try LabelSet(tags: header, categories: header.map { _ in "" }, classes: header.map { _ in "" })
        let truth = try MewoIO.readLabelMatrix(path: truthPath, labels: tags, alignTo: nil)
        let decisions = try MewoIO.readLabelMatrix(path: decisionsPath, labels: tags, alignTo: truth.ids, idsSource: truthPath)
        var scores: [Double]? = nil
        if let scoresPath {
            let p = try MewoIO.readFeatures(path: scoresPath, options: FeatureReadOptions(probabilities: true))
            let cols = try TrainingData.requireTagColumns(x: p, labels: tags, path: scoresPath)
            let order = try MewoIO.alignRows(fileIDs: p.ids, fileLines: [:], path: scoresPath, to: truth.ids, idsSource: truthPath)
            var s = [Double](repeating: 0, count: truth.rowCount * tags.count)
            for (i, src) in order.enumerated() {
                for (k, c) in cols.enumerated() { s[i * tags.count + k] = p[src, c] }
            }
            scores = s
        }
        let report = try Metrics.evaluate(truth: truth, decisions: decisions, scores: scores, perTag: perTag)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            print(String(decoding: try encoder.encode(perTag ? report : report.withoutPerTag()), as: UTF8.self))
            return
        }
        if perTag { print(report.perTagTable()) }
        func f(_ v: Double?) -> String { v.map { String(format: "%.6f", $0) } ?? "-" }
        print("rows \(report.rows), tags \(report.tags), support \(report.support), predicted \(report.predicted)")
        print("weighted F1     \(f(report.weightedF1))")
        print("macro  P/R/F1   \(f(report.macroPrecision)) \(f(report.macroRecall)) \(f(report.macroF1))")
        print("micro  P/R/F1   \(f(report.microPrecision)) \(f(report.microRecall)) \(f(report.microF1))")
        if scores != nil {
            print("PR-AUC (macro)  \(f(report.prAUC))  over \(report.prAUCTags ?? 0) tags with a positive")
            print("ROC-AUC (macro) \(f(report.rocAUC))  over \(report.rocAUCTags ?? 0) tags")
            print("log loss (mean) \(f(report.logLoss))")
        }
    }
}
