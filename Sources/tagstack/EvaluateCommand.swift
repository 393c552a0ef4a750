import Foundation
import TagStack
import TagStackModel

enum EvaluateCommand {
    static let help = """
    USAGE: tagstack evaluate --truth Y.csv --decisions D.csv [--scores P.csv] [--json] [--per-tag] [--html FILE]

    Scores 0/1 decisions (and probabilities) against the truth, exactly as scikit-learn computes them:
    weighted F1 (the challenge metric: per-tag F1 weighted by the tag's support), macro and micro
    precision / recall / F1; with --scores, macro ROC-AUC and PR-AUC (average precision) over tags with a
    positive, and mean log loss. Tags are the truth file's columns; the other files are matched to it by
    column name and ChallengeID.

    Each file may also be a MediaEval .npy matrix (tracks × tags; truth and decisions bool, integer or
    float 0/1, scores float): its rows are paired with the truth's by position and its columns are the
    tags in the order of --labels (labels.csv) when given, else in the truth's order. A truth .npy needs
    .npy decisions and scores; with --labels its tags are named, else they are numbered.

    OPTIONS:
      --truth FILE       Ground truth in the y layout, .csv or .npy (required)
      --decisions FILE   Decisions in the y layout, .csv or .npy (required)
      --scores FILE      Probabilities in the y layout, .csv or .npy (every value in [0, 1])
      --labels FILE      labels.csv: the tags (in order) of the .npy files' columns
      --json             Print one JSON object (weighted_f1, macro_f1, micro_f1, macro_precision,
                         macro_recall, micro_precision, micro_recall, and pr_auc, roc_auc, log_loss)
      --per-tag          Also print a per-tag table
      --html FILE        Also write a self-contained HTML report (per-tag F1 and PR-AUC, precision-recall
                         curves, a reliability diagram, tags per track predicted vs true; with one label a
                         track, the confusion matrix as a heat map)
      --confusion FILE   With one label a track: write the confusion matrix as CSV (rows: true label,
                         columns: decided label, counts)

    ONE LABEL A TRACK: when every truth row and every decision row has exactly one label, also multiclass
    log loss (scikit-learn's log_loss) and top-3 accuracy (with --scores), accuracy and the confusion matrix
    (JSON key one_label); macro and weighted F1 and the per-tag precision and recall are then the multiclass ones.
    """

    static func run(_ args: inout Arguments) throws {
        let truthPath = try args.requiredPath("--truth")
        let decisionsPath = try args.requiredPath("--decisions")
        let scoresPath = try args.path("--scores")
        let labelsPath = try args.path("--labels")
        let htmlPath = try args.path("--html")
        let json = args.flag("--json")
        let perTag = args.flag("--per-tag")
        let confusionPath = try args.path("--confusion")
        args.printsToStandardOutput = true
        try args.finish()
        if let htmlPath { try AtomicFileWriter.checkWritable(htmlPath) }
        if let confusionPath { try AtomicFileWriter.checkWritable(confusionPath) }

        let input = try read(truthPath: truthPath, decisionsPath: decisionsPath, scoresPath: scoresPath, labelsPath: labelsPath, args: args)
        let report = try Metrics.evaluate(truth: input.truth, decisions: input.decisions, scores: input.scores,
                                          perTag: perTag || htmlPath != nil)
        // Both files complete before either replaces anything (commitAll).
        var outputs: [AtomicFileWriter] = []
        if let confusionPath {
            guard let one = report.oneLabel else {
                throw DataError(.badArgument, file: decisionsPath, "--confusion needs one label a track: every row of the truth and of the decisions with exactly one 1")
            }
            var text = MewoIO.csvRow(["truth \\ decision"] + input.truth.tags)
            for (k, row) in one.confusion.enumerated() { text += MewoIO.csvRow([input.truth.tags[k]] + row.map(String.init)) }
            let w = try AtomicFileWriter(path: confusionPath)
            try w.write(bytes: Array(text.utf8))
            outputs.append(w)
        }
        if let htmlPath {
            let page = EvaluationPage(truth: input.truth, decisions: input.decisions, scores: input.scores, report: report,
                                      files: (truthPath, decisionsPath, scoresPath)).page()
            let w = try AtomicFileWriter(path: htmlPath)
            try w.write(bytes: Array(page.html().utf8))
            outputs.append(w)
        }
        try commitAll(outputs)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            print(String(decoding: try encoder.encode(perTag ? report : report.withoutPerTag()), as: UTF8.self))
            return
        }
        if perTag { print(report.perTagTable()) }
        printSummary(report, scored: input.scores != nil)
    }

    /// The metrics as text on stdout.
    static func printSummary(_ report: MetricsReport, scored: Bool) {
        func f(_ v: Double?) -> String { v.map { String(format: "%.6f", $0) } ?? "-" }
        print("rows \(report.rows), tags \(report.tags), support \(report.support), predicted \(report.predicted)")
        print("weighted F1     \(f(report.weightedF1))")
        print("macro  P/R/F1   \(f(report.macroPrecision)) \(f(report.macroRecall)) \(f(report.macroF1))")
        print("micro  P/R/F1   \(f(report.microPrecision)) \(f(report.microRecall)) \(f(report.microF1))")
        if scored {
            print("PR-AUC (macro)  \(f(report.prAUC))  over \(report.prAUCTags ?? 0) tags with a positive")
            print("ROC-AUC (macro) \(f(report.rocAUC))  over \(report.rocAUCTags ?? 0) tags")
            print("log loss (mean) \(f(report.logLoss))")
        }
        if let one = report.oneLabel {
            print("one label a track: accuracy \(f(one.accuracy))" + (one.logLoss.map { "  multiclass log loss \(f($0))" } ?? "")
                  + (one.top3Accuracy.map { "  top-3 accuracy \(f($0))" } ?? ""))
        }
    }

    struct Input { var truth: LabelMatrix; var decisions: LabelMatrix; var scores: [Double]? }

    /// Reads the three files (CSV or .npy) aligned to the truth's rows and tags.
    static func read(truthPath: String, decisionsPath: String, scoresPath: String?, labelsPath: String?,
                     args: Arguments) throws -> Input {
        let npyOrder = try labelsPath.map { try MewoIO.readLabels(path: $0).tags }
        let truth = try readTruth(truthPath, others: [decisionsPath, scoresPath], npyOrder: npyOrder, labelsPath: labelsPath, args: args)
        let tagSet = try LabelSet(tags: truth.tags, categories: truth.tags.map { _ in "" }, classes: truth.tags.map { _ in "" })
        let t = truth.tags.count, n = truth.rowCount
        // For an .npy file: truth column of each of its columns.
        let npyColumn = try npyColumns(truth: truth, truthPath: truthPath, npyOrder: npyOrder, labelsPath: labelsPath)
        func npy(_ path: String) throws -> NPYMatrix {
            // The transposition check reads the file once on its own; a file it cannot read is reported by
            // `readMatrix` below, with the expected shape.
            if DataFiles.isNPY(truthPath), npyOrder == nil, let m = try? NPY.read(path: path), m.rows == t, m.columns == n, n != t {
                // Truth and this file are each other's transpose: the one with more columns than rows is
                // probably tags × tracks.
                let (bad, shape) = n < t ? (truthPath, (n, t)) : (path, (m.rows, m.columns))
                throw DataError(.badNPY, file: bad, "shape \(shape) looks transposed (tags × tracks; \(bad == truthPath ? path : truthPath) is its transpose): MediaEval matrices are tracks × tags, save it as `np.save(path, m.T)`")
            }
            let m = try DataFiles.readMatrix(path: path, columns: t, rows: n,
                                             what: "one row per track of the truth, one column per tag\(npyOrder == nil ? " in the truth's order" : " of \(labelsPath!)")",
                                             rowsSource: "the truth \(truthPath)")
            if npyColumn == Array(0..<t) { return m }
            var v = [Double](repeating: 0, count: m.values.count)
            for i in 0..<n { for j in 0..<t { v[i * t + npyColumn[j]] = m.values[i * t + j] } }
            return NPYMatrix(rows: n, columns: t, values: v)
        }
        let decisions: LabelMatrix
        if DataFiles.isNPY(decisionsPath) {
            decisions = try DataFiles.binary(try npy(decisionsPath), path: decisionsPath, ids: truth.ids, tags: truth.tags)
        } else {
            decisions = try MewoIO.readLabelMatrix(path: decisionsPath, labels: tagSet, alignTo: truth.ids, idsSource: truthPath,
                                                   unknownTagNote: "not a column of the truth file \(truthPath)")
        }
        let scores = try scoresPath.map { path in
            try DataFiles.isNPY(path) ? npyScores(npy(path), path: path, tags: truth.tags)
                                      : csvScores(path, truth: truth, truthPath: truthPath, tagSet: tagSet)
        }
        return Input(truth: truth, decisions: decisions, scores: scores)
    }

    /// The truth: an .npy matrix (rows by position; every other file .npy too), or a CSV whose header defines the tags.
    static func readTruth(_ truthPath: String, others: [String?], npyOrder: [String]?, labelsPath: String?, args: Arguments) throws -> LabelMatrix {
        guard DataFiles.isNPY(truthPath) else {
            // The truth file defines the tags: read its header, then read every file against those tags.
            let header = try MewoIO.readHeaderOnly(path: truthPath)
            let tags = try LabelSet(tags: header, categories: header.map { _ in "" }, classes: header.map { _ in "" })
            return try MewoIO.readLabelMatrix(path: truthPath, labels: tags, alignTo: nil)
        }
        for case let p? in others where !DataFiles.isNPY(p) {
            throw args.fail("--truth \(truthPath) is .npy (rows by position, no ChallengeID): give the decisions and scores as .npy too (\(p) is not)")
        }
        let m = try DataFiles.readRows(path: truthPath)
        if let npyOrder, m.columns != npyOrder.count {
            _ = try DataFiles.readMatrix(path: truthPath, columns: npyOrder.count, rows: nil,
                                         what: "one column per tag of \(labelsPath!)", rowsSource: "")
        }
        let tags = npyOrder ?? (0..<m.columns).map { "tag \($0)" }
        return try DataFiles.binary(m, path: truthPath, ids: (0..<m.rows).map(String.init), tags: tags)
    }

    /// For an .npy decisions or scores file read against a CSV truth with --labels: the truth column of each of
    /// its columns (the labels file's order); else the identity.
    static func npyColumns(truth: LabelMatrix, truthPath: String, npyOrder: [String]?, labelsPath: String?) throws -> [Int] {
        let t = truth.tags.count
        guard let npyOrder, !DataFiles.isNPY(truthPath) else { return Array(0..<t) }
        var index: [String: Int] = [:]
        for (k, tag) in truth.tags.enumerated() { index[tag] = k }
        let missing = npyOrder.filter { index[$0] == nil }
        if !missing.isEmpty || npyOrder.count != t {
            throw DataError(.missingColumn, file: truthPath, line: 1,
                            "its columns are not the tags of \(labelsPath!): \(missing.isEmpty ? "\(t) columns for \(npyOrder.count) tags" : "no column for " + missing.prefix(5).map { "'\($0)'" }.joined(separator: ", "))")
        }
        return npyOrder.map { index[$0]! }
    }

    /// An .npy scores file's values, refused unless every one is a probability.
    static func npyScores(_ m: NPYMatrix, path: String, tags: [String]) throws -> [Double] {
        let t = tags.count
        if let k = m.values.firstIndex(where: { !$0.isFinite }) {
            throw DataError(.nonFinite, file: path, "non-finite score \(m.values[k]) at row \(k / t), column \(k % t) ('\(tags[k % t])')")
        }
        if let k = m.values.firstIndex(where: { !($0 >= 0 && $0 <= 1) }) {
            throw DataError(.notAProbability, file: path, "score \(m.values[k]) at row \(k / t), column \(k % t) ('\(tags[k % t])') is not a probability in [0, 1]")
        }
        return m.values
    }

    /// A CSV scores file in the truth's layout, aligned to the truth's rows and tags.
    static func csvScores(_ path: String, truth: LabelMatrix, truthPath: String, tagSet: LabelSet) throws -> [Double] {
        let t = truth.tags.count, n = truth.rowCount
        let p = try MewoIO.readFeatures(path: path, options: FeatureReadOptions(probabilities: true))
        let cols = try TrainingData.requireTagColumns(x: p, labels: tagSet, path: path, source: "the truth file")
        // Probabilities are written in the truth's layout: another column means another kind of file
        // (an X file's category or network columns).
        let tagNames = Set(tagSet.tags)
        let extra = p.columns.filter { !tagNames.contains($0) }
        if !extra.isEmpty {
            throw DataError(.unknownColumn, file: path, line: 1,
                            "has \(extra.count) column(s) that are not tags of the truth file \(truthPath) (\(MewoIO.listNames(extra, limit: 4))): scores are written in the truth's layout, one column per tag; is this an X file?")
        }
        let order = try MewoIO.alignRows(fileIDs: p.ids, fileLines: [:], path: path, to: truth.ids, idsSource: truthPath)
        var s = [Double](repeating: 0, count: n * t)
        for (i, src) in order.enumerated() {
            for (k, c) in cols.enumerated() { s[i * t + k] = p[src, c] }
        }
        return s
    }
}
