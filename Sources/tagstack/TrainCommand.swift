import Foundation
import TagStack
import TagStackModel

enum TrainCommand {
    static let help = """
    USAGE: tagstack train --data DIR --model OUT.json [options]

    Fits a model on DIR/labels.csv, DIR/train_X.csv and DIR/train_y.csv (or the files named below) and
    writes it atomically as versioned JSON. Rows of one group (DIR/train_groups.csv, or --groups) never
    straddle cross-validation folds.

    DATA:
      --data DIR              Folder with the Mewo files (default: Data)
      --labels FILE           labels.csv (default: DIR/labels.csv)
      --train-x FILE          Training features, .csv or .npy (default: DIR/train_X.csv)
      --train-y FILE          Training targets, .csv or .npy (default: DIR/train_y.csv)
      --groups FILE           Groups file: ChallengeID then group columns (default: DIR/train_groups.csv if present)
      --group-column NAME     Use only this column of the groups file (default: all; rows sharing any value
                              in any column stay together)
      --no-groups             Ignore the groups file (plain K-fold)
      --allow-missing         Read empty cells and NaN in X as missing values instead of failing
    MODEL:
      --model FILE            Where to write the model (required)
      --learner NAME          auto | gbdt | pooled | logistic | thresholds | constant, or a comma-separated
                              list to choose from by out-of-fold weighted F1 (e.g. logistic,pooled,gbdt)
                              (default: auto = thresholds,logistic,pooled)
      --max-trees-per-track N  When choosing, leave out learners whose model walks more than N trees to score
                              a track (about 17 ns each; 0: no limit) (default: 10000, ~200 µs a track)
      --pooled-pairs N        pooled: train on every positive (track, tag) pair and a weighted sample of
                              negative pairs, about N pairs in all; 0 keeps every pair (default: 500000)
      --features MODE         own | all: per-tag row statistics only, or also every input column (default: own)
      --folds K               Cross-validation folds (default: 5); 0 turns CV off: rounds fixed by --rounds,
                              thresholds fitted on training scores
      --rounds N              Most boosting rounds early stopping may choose (without CV: the rounds) (default: 300)
      --leaves N              Leaves per tree, every boosted learner (default: 15 per tag, 63 pooled)
      --learning-rate X       Shrinkage, every boosted learner (default: 0.05 per tag, 0.1 pooled)
      --pooled-leaves N       Leaves per tree of the pooled model only (default: --leaves if given, else 63)
      --pooled-learning-rate X  Shrinkage of the pooled model only (default: --learning-rate if given, else 0.1)
      --min-data-in-leaf N    (default: 20)
      --feature-fraction X    Features drawn per tree (default: 0.8)
      --lambda-l2 X           L2 on leaf values (default: 1)
      --final HOW             refit | average: the final boosted model is refitted on all rows with the mean
                              best round count, or the average of the fold models (default: refit)
      --margin X              A tag keeps its stacked score only when its out-of-fold F1 beats the raw
                              score's by more than X (default: 0.005)
      --confidence P          ...and wins in at least this share of a paired bootstrap over groups of its
                              out-of-fold decisions (default: 0.9; 0 turns the test off)
      --decision RULE         auto | thresholds | class | track | hierarchical (default: auto for stacking
                              learners, thresholds for the thresholds and constant learners)
      --at-least-one RULE     class | track | none: shorthand for --decision class|track|thresholds
    RUN:
      --threads N             Worker threads (default: all cores); results do not depend on it
      --seed N                Seed for every random choice (default: 1)
      --report FILE           Per-tag CSV: support, out-of-fold F1 raw vs stacked, threshold, path, rounds
      --html FILE             Self-contained HTML report of the out-of-fold view (learners, decision rules,
                              per tag raw vs final F1 and path, per class and category)
      --columns FILE          Names of an .npy X's columns, one per line or one comma-separated line (a CSV
                              header works); default: the tags, then the categories
      --quiet                 No progress on stderr
    """

    enum AtLeastOne: String, CaseIterable { case none, `class`, track }

    static func run(_ args: inout Arguments) throws {
        let dir = try args.string("--data") ?? "Data"
        var files = TrainingFiles(directory: dir)
        if let v = try args.string("--labels") { files.labels = v }
        if let v = try args.string("--train-x") { files.x = v }
        if let v = try args.string("--train-y") { files.y = v }
        let noGroups = args.flag("--no-groups")
        if let v = try args.string("--groups") { files.groups = v }
        else if !noGroups, FileManager.default.fileExists(atPath: dir + "/train_groups.csv") { files.groups = dir + "/train_groups.csv" }
        let groupColumn = try args.string("--group-column")
        if groupColumn != nil && files.groups == nil { throw args.fail("--group-column needs a groups file (--groups FILE)") }
        let modelPath = try args.required("--model")
        var o = StackerOptions()
        // --learner NAME, or a comma-separated list for auto to choose from.
        if let text = try args.string("--learner"), text.contains(",") {
            o.learner = .auto
            o.candidates = try text.split(separator: ",", omittingEmptySubsequences: false).map { item in
                guard let k = LearnerKind(rawValue: String(item)), k != .auto else {
                    throw args.fail("--learner list items must be among \(LearnerKind.allCases.filter { $0 != .auto }.map(\.rawValue).joined(separator: "|")), got '\(item)'")
                }
                return k
            }
        } else if let text = try args.string("--learner") {
            guard let k = LearnerKind(rawValue: text) else {
                throw args.fail("--learner must be one of \(LearnerKind.allCases.map(\.rawValue).joined(separator: "|")) or a comma-separated list, got '\(text)'")
            }
            o.learner = k
        }
        o.features = try args.choice("--features", default: .own)
        o.folds = try args.int("--folds", default: 5, in: 0...100)
        if o.folds == 1 { throw args.fail("--folds=1 is not allowed: use 0 (no cross-validation) or at least 2") }
        o.rounds = try args.int("--rounds", default: o.rounds, in: 0...100_000)
        // --leaves / --learning-rate set every boosted learner; --pooled-* then override the pooled model's.
        if let v = try args.optionalInt("--leaves", in: 2...65_536) { o.leaves = v; o.pooledLeaves = v }
        if let v = try args.optionalDouble("--learning-rate", in: 1e-6...10) { o.learningRate = v; o.pooledLearningRate = v }
        o.pooledLeaves = try args.int("--pooled-leaves", default: o.pooledLeaves, in: 2...65_536)
        o.pooledLearningRate = try args.double("--pooled-learning-rate", default: o.pooledLearningRate, in: 1e-6...10)
        o.minDataInLeaf = try args.int("--min-data-in-leaf", default: o.minDataInLeaf, in: 1...1_000_000)
        o.featureFraction = try args.double("--feature-fraction", default: o.featureFraction, in: 1e-6...1)
        o.lambdaL2 = try args.double("--lambda-l2", default: o.lambdaL2, in: 0...1e12)
        o.margin = try args.double("--margin", default: o.margin, in: -1...1)
        o.confidence = try args.double("--confidence", default: o.confidence, in: 0...1)
        o.final = try args.choice("--final", default: .refit)
        o.pooledPairs = try args.int("--pooled-pairs", default: o.pooledPairs, in: 0...1_000_000_000)
        o.maxTreesPerTrack = try args.int("--max-trees-per-track", default: o.maxTreesPerTrack, in: 0...1_000_000_000)
        let decision: DecisionChoice? = try args.string("--decision").map { text in
            guard let d = DecisionChoice(rawValue: text) else {
                throw args.fail("--decision must be one of \(DecisionChoice.allCases.map(\.rawValue).joined(separator: "|")), got '\(text)'")
            }
            return d
        }
        let atLeastOne: AtLeastOne? = try args.string("--at-least-one").map { text in
            guard let a = AtLeastOne(rawValue: text) else { throw args.fail("--at-least-one must be one of class|track|none, got '\(text)'") }
            return a
        }
        if decision != nil && atLeastOne != nil { throw args.fail("give --decision or --at-least-one, not both") }
        let baseline = o.learner == .thresholds || o.learner == .constant
        o.decision = decision ?? atLeastOne.map { a -> DecisionChoice in a == .none ? .thresholds : (a == .class ? .class : .track) }
            ?? (baseline ? .thresholds : .auto)
        o.threads = try args.int("--threads", default: defaultThreadCount, in: 1...1024)
        o.seed = UInt64(try args.int("--seed", default: 1, in: 0...Int.max))
        let reportPath = try args.string("--report")
        let htmlPath = try args.string("--html")
        if let v = try args.string("--columns") { files.xColumns = try DataFiles.readColumnNames(path: v) }
        let allowMissing = args.flag("--allow-missing")
        let quiet = args.flag("--quiet")
        try args.finish()

        let started = Date()
        var data = try TrainingData.load(files, options: FeatureReadOptions(allowMissing: allowMissing))
        if let groupColumn, let g = data.groups {
            guard let j = g.columns.firstIndex(of: groupColumn) else {
                throw DataError(.missingColumn, file: files.groups!, line: 1,
                                "no group column '\(groupColumn)' (columns: \(g.columns.joined(separator: ", ")))")
            }
            data.groups = GroupTable(ids: g.ids, columns: [groupColumn], values: [g.values[j]])
        }
        // Check the outputs before the long part, so an unwritable path fails fast; create them only once the
        // model exists, so a run killed while training leaves no temporary file behind.
        try AtomicFileWriter.checkWritable(modelPath)
        if let reportPath { try AtomicFileWriter.checkWritable(reportPath) }
        if let htmlPath { try AtomicFileWriter.checkWritable(htmlPath) }
        if !quiet { let p = Progress(started: started); o.progress = { p.update(done: $0, total: $1) } }
        let result = try Stacker.train(data: data, options: o, training: [
            "rows": String(data.x.rowCount), "seed": String(o.seed), "features": o.features.rawValue,
            "groups": groupsDescription(data.groups, file: files.groups),
        ])
        let modelOut = try AtomicFileWriter(path: modelPath)
        let reportOut = try reportPath.map { try AtomicFileWriter(path: $0) }
        try modelOut.write(bytes: [UInt8](try result.model.encoded()))
        if let reportOut {
            try reportOut.write("tag,support,oof_f1_raw,oof_f1_stacked,threshold,path,rounds\n")
            for r in result.reports {
                let cells = [r.tag, String(r.support), MewoIO.formatNumber(r.rawF1), r.stackedF1.map(MewoIO.formatNumber) ?? "",
                             r.threshold.map(MewoIO.formatNumber) ?? "never", r.path.rawValue, r.rounds.map(String.init) ?? ""]
                try reportOut.write(cells.map { $0.contains(",") ? "\"\($0)\"" : $0 }.joined(separator: ",") + "\n")
            }
        }
        try commitAll([modelOut] + (reportOut.map { [$0] } ?? []))
        if let htmlPath { try writeTrainingHTML(result, data: data, files: files, options: o, model: modelPath, to: htmlPath) }
        if !quiet {
            let stacked = result.model.tags.filter { $0.path != .raw }.count
            let limit = result.learnerScores.count > 1 && o.maxTreesPerTrack > 0 ? o.maxTreesPerTrack : Int.max
            let scores = zip(result.learnerScores, result.treesPerTrack).map { s, trees in
                "\(s.0.rawValue) \(String(format: "%.4f", s.1))" + (trees > limit ? " (\(trees) trees a track > --max-trees-per-track \(limit): not chosen)" : "")
            }.joined(separator: ", ")
            note("out-of-fold weighted F1: \(scores)")
            note("learner \(result.chosenLearner.rawValue): \(stacked) tag(s) stacked, \(data.labels.count - stacked) raw; decision \(result.model.decision.rawValue)")
            note(String(format: "trained on %d rows × %d tags in %.1f s → %@", data.x.rowCount, data.labels.count,
                        Date().timeIntervalSince(started), modelPath))
        }
    }
}

/// Progress on stderr: tags done / total, elapsed, ETA; silent for the first two seconds. On a terminal one
/// line is rewritten at most twice a second; otherwise (logs, CI) a plain line is printed every ten seconds.
final class Progress: @unchecked Sendable {
    let started: Date
    let lock = NSLock()
    var last = Date.distantPast
    let terminal = isatty(2) != 0
    init(started: Date) { self.started = started }

    func update(done: Int, total: Int) {
        lock.lock(); defer { lock.unlock() }
        let now = Date(), elapsed = now.timeIntervalSince(started)
        let interval: TimeInterval = terminal ? 0.5 : 10
        guard elapsed > 2, now.timeIntervalSince(last) > interval || done == total else { return }
        last = now
        let eta = done > 0 ? elapsed / Double(done) * Double(total - done) : 0
        let text = String(format: "tags %d/%d  elapsed %.0fs  ETA %.0fs", done, total, elapsed, eta)
        let line = terminal ? "\r  " + text + "   " + (done == total ? "\n" : "") : "  " + text + "\n"
        FileHandle.standardError.write(line.data(using: .utf8)!)
    }
}
