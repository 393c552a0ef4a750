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
      --labels-per-track N    auto | any | one: one label a track gives probabilities that sum to one and one
                              decision a track (the argmax), chosen by cross-fitted multiclass log loss; every
                              training row must then have exactly one label (default: auto = one when every
                              row of the training labels has exactly one)
      --learner NAME          auto | \(LearnerKind.allCases.map(\.rawValue).joined(separator: " | ")), or a comma-separated
                              list to choose from by out-of-fold weighted F1 (e.g. logistic,pooled,gbdt)
                              (default: auto = \(StackerOptions().candidates.map(\.rawValue).joined(separator: ",")))
      --max-trees-per-track N  When choosing, leave out learners whose model costs more than N trees to score
                              a track (about 10 ns each; a pooled tag and tree counts 0.41; 0: no limit)
                              (default: 20000, ~200 µs a track)
      --pooled-pairs N        pooled: train on every positive (track, tag) pair and a weighted sample of
                              negative pairs, about N pairs in all; 0 keeps every pair (default: 500000)
      --base KIND             auto | primary | mean | logit-mean | blend: the score every tag starts from, decided
                              once for all tags; auto picks by cross-fitted weighted F1, simplest first, each
                              step by --base-margin (default: auto; primary for the thresholds and constant learners)
      --base-margin X         A mean must beat the primary network, and the blend the incumbent, by more than X
                              (default: 0.0075)
      --blend-lambda X        L2 on the blend's shared network weights (default: 1)
      --calibration HOW       auto | none | platt | shared: how every tag's score becomes its probability, decided
                              once for all tags by cross-fitted log loss (default: auto); decisions never change
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
      --gradient-bins N       Quantized training: gradients rounded to N levels a round (e.g. 4), integer
                              histograms, leaf values from exact gradients; 0: exact gradients
                              (default: 4 with --features all, else 0)
      --threshold-step-rows N With --gradient-bins: small leaves try every s-th threshold, s (a power of two
                              up to 8) giving about N rows a step; 0: every threshold (default: 8)
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
      --report FILE           Per-tag CSV: support, out-of-fold F1 base vs stacked, threshold_probability (on the
                              probabilities predict --scores writes; n/a when none gives the decisions),
                              threshold_score (on the score before calibration, which decisions compare), path,
                              rounds, reason
      --importance FILE       What each tag's model learned from which input, a long-format CSV (tag, input,
                              kind, value): split counts and gains of boosted and pooled trees (a pooled tag:
                              the shared model's), logistic coefficients (standardised and per unit), (all tags) totals
      --html FILE             Self-contained HTML report of the out-of-fold view (learners, decision rules,
                              per tag raw vs final F1 and path, per class and category)
      --columns FILE          Names of an .npy X's columns, one per line or one comma-separated line (a CSV
                              header works); default: the tags, then the categories
      --quiet                 No progress on stderr (shown only on a terminal, unless --progress)
      --progress              Progress on stderr even when it is not a terminal (a line every ten seconds)
      --json                  The result summary as one JSON object on stdout instead of the text (model,
                              rows, tags, folds, groups, levels with candidates, scores, margins and choices,
                              blend weights, learner, base, decision, paths, calibrated tags, seconds)

    OUTPUT: the result summary (what each level chose and why) on stdout; progress and notes on stderr.
    """

    static func run(_ args: inout Arguments) throws {
        let read = try dataFiles(&args), groupColumn = read.groupColumn
        var files = read.files
        let modelPath = try args.requiredPath("--model")
        var o = try stackerOptions(&args)
        let reportPath = try args.path("--report")
        let htmlPath = try args.path("--html")
        let importancePath = try args.path("--importance")
        let columnsPath = try args.path("--columns")
        let allowMissing = args.flag("--allow-missing")
        let quiet = args.flag("--quiet"), forceProgress = args.flag("--progress"), json = args.flag("--json")
        if quiet && forceProgress { throw args.fail("--quiet and --progress contradict each other: give one") }
        args.printsToStandardOutput = true   // the result summary (text or --json)
        try args.finish()
        if let columnsPath {
            guard DataFiles.isNPY(files.x) else {
                throw args.fail("--columns names an .npy X's columns; \(files.x) is a CSV file, whose header names them")
            }
            files.xColumns = try DataFiles.readColumnNames(path: columnsPath)
        }
        let started = Date()
        let data = try load(files, groupColumn: groupColumn, options: o, allowMissing: allowMissing)
        // Check the outputs before the long part, so an unwritable path fails fast; create them only once the
        // model exists, so a run killed while training leaves no temporary file behind.
        try AtomicFileWriter.checkWritable(modelPath)
        if let reportPath { try AtomicFileWriter.checkWritable(reportPath) }
        if let htmlPath { try AtomicFileWriter.checkWritable(htmlPath) }
        if let importancePath { try AtomicFileWriter.checkWritable(importancePath) }
        // Progress on stderr when it is a terminal (or --progress), never with --quiet.
        if !quiet && (forceProgress || isatty(2) != 0) {
            let p = Progress(started: started)
            o.progress = { p.update(done: $0, total: $1) }
            o.roundProgress = { p.update(done: $0, total: $1, unit: "rounds") }
            o.stage = { p.begin(learner: $0, index: $1, count: $2) }
        }
        o.keepOutOfFold = htmlPath != nil   // the report's out-of-fold view: two rows × tags matrices
        let result = try Stacker.train(data: data, options: o, training: [
            "rows": String(data.x.rowCount), "seed": String(o.seed), "features": o.features.rawValue,
            "groups": groupsDescription(data.groups, file: files.groups),
        ])
        let modelOut = try AtomicFileWriter(path: modelPath)
        let reportOut = try reportPath.map { try AtomicFileWriter(path: $0) }
        try modelOut.write(bytes: [UInt8](try result.model.encoded()))
        if let reportOut { try writeReport(result, to: reportOut) }
        let importanceOut = try importancePath.map { try importanceCSV(result, to: $0) }
        try commitAll([modelOut] + (reportOut.map { [$0] } ?? []) + (importanceOut.map { [$0] } ?? []))
        if let htmlPath { try writeTrainingHTML(result, data: data, files: files, options: o, model: modelPath, to: htmlPath) }
        if json { print(try TrainSummaryJSON(result, data: data, modelPath: modelPath, started: started).text()) }
        else { summary(result, data: data, groupsFile: files.groups, xFile: files.x, options: o, started: started, modelPath: modelPath) }
    }

    /// The DATA options: the training files (defaults under --data) and the group column asked for.
    static func dataFiles(_ args: inout Arguments) throws -> (files: TrainingFiles, groupColumn: String?) {
        let dirGiven = try args.path("--data")
        let dir = dirGiven ?? "Data"
        var files = TrainingFiles(directory: dir)
        if let v = try args.path("--labels") { files.labels = v } else { args.declare("--labels", defaultPath: files.labels) }
        if let v = try args.path("--train-x") { files.x = v } else { args.declare("--train-x", defaultPath: files.x) }
        if let v = try args.path("--train-y") { files.y = v } else { args.declare("--train-y", defaultPath: files.y) }
        let noGroups = args.flag("--no-groups")
        if let v = try args.path("--groups") {
            if noGroups { throw args.fail("--groups \(v) and --no-groups contradict each other: give one") }
            files.groups = v
        } else if !noGroups, FileManager.default.fileExists(atPath: dir + "/train_groups.csv") {
            files.groups = dir + "/train_groups.csv"
            args.declare("--groups", defaultPath: dir + "/train_groups.csv")
        }
        let groupColumn = try args.string("--group-column")
        if groupColumn != nil && files.groups == nil { throw args.fail("--group-column needs a groups file (--groups FILE)") }
        return (files, groupColumn)
    }

    /// The MODEL and RUN options that become `StackerOptions`, read in the order the help lists them.
    static func stackerOptions(_ args: inout Arguments) throws -> StackerOptions {
        var o = StackerOptions()
        try readLearner(&args, into: &o)
        o.labelsPerTrack = try args.choice("--labels-per-track", default: .auto)
        let baseGiven = try args.string("--base")
        let calibration: CalibrationOption = try args.choice("--calibration", default: .auto)
        o.calibration = calibration
        o.selection.baseMargin = try args.double("--base-margin", default: o.selection.baseMargin, in: -1...1)
        o.blendLambda = try args.double("--blend-lambda", default: o.blendLambda, in: 0...1e12)
        o.features = try args.choice("--features", default: .own)
        o.folds = try args.int("--folds", default: 5, in: 0...100)
        if o.folds == 1 { throw args.fail("--folds=1 is not allowed: use 0 (no cross-validation) or at least 2") }
        o.boosting.rounds = try args.int("--rounds", default: o.boosting.rounds, in: 0...100_000)
        // --leaves / --learning-rate set every boosted learner; --pooled-* then override the pooled model's.
        if let v = try args.optionalInt("--leaves", in: 2...65_536) { o.boosting.leaves = v; o.pooled.leaves = v }
        if let v = try args.optionalDouble("--learning-rate", in: 1e-6...10) { o.boosting.learningRate = v; o.pooled.learningRate = v }
        o.pooled.leaves = try args.int("--pooled-leaves", default: o.pooled.leaves, in: 2...65_536)
        o.pooled.learningRate = try args.double("--pooled-learning-rate", default: o.pooled.learningRate, in: 1e-6...10)
        o.boosting.minDataInLeaf = try args.int("--min-data-in-leaf", default: o.boosting.minDataInLeaf, in: 1...1_000_000)
        o.boosting.featureFraction = try args.double("--feature-fraction", default: o.boosting.featureFraction, in: 1e-6...1)
        o.boosting.lambdaL2 = try args.double("--lambda-l2", default: o.boosting.lambdaL2, in: 0...1e12)
        if let v = try args.optionalInt("--gradient-bins", in: 0...65_536) { o.boosting.gradientBins = v }
        if o.boosting.gradientBins == 1 { throw args.fail("--gradient-bins=1: use 0 (exact gradients) or at least 2 levels") }
        o.boosting.thresholdStepRows = try args.int("--threshold-step-rows", default: o.boosting.thresholdStepRows, in: 0...1_000_000)
        o.guards.margin = try args.double("--margin", default: o.guards.margin, in: -1...1)
        o.guards.confidence = try args.double("--confidence", default: o.guards.confidence, in: 0...1)
        o.final = try args.choice("--final", default: .refit)
        o.pooled.pairs = try args.int("--pooled-pairs", default: o.pooled.pairs, in: 0...1_000_000_000)
        o.selection.maxTreesPerTrack = try args.int("--max-trees-per-track", default: o.selection.maxTreesPerTrack, in: 0...1_000_000_000)
        // --decision auto|RULE, or its shorthand --at-least-one class|track|none (none: thresholds alone).
        let decisionNames = ["auto"] + DecisionRule.allCases.map(\.optionName)
        let decisionText = try args.string("--decision"), atLeastOneText = try args.string("--at-least-one")
        if let text = decisionText, !decisionNames.contains(text) {
            throw args.fail("--decision must be one of \(decisionNames.joined(separator: "|")), got '\(text)'")
        }
        if let text = atLeastOneText, !["class", "track", "none"].contains(text) {
            throw args.fail("--at-least-one must be one of class|track|none, got '\(text)'")
        }
        if decisionText != nil && atLeastOneText != nil { throw args.fail("give --decision or --at-least-one, not both") }
        let baseline = o.learner?.isBaseline ?? false
        if let baseGiven {
            guard let b = BaseOption(rawValue: baseGiven) else {
                throw args.fail("--base must be one of \(BaseOption.allCases.map(\.rawValue).joined(separator: "|")), got '\(baseGiven)'")
            }
            o.base = b
        } else if baseline { o.base = .primary }
        let decisionName = decisionText ?? atLeastOneText.map { $0 == "none" ? DecisionRule.thresholds.optionName : $0 }
        if let name = decisionName { o.decision = DecisionRule(optionName: name) }   // auto: nil
        else { o.decision = baseline ? .thresholds : nil }
        o.threads = try args.int("--threads", default: defaultThreadCount, in: 1...1024)
        o.seed = UInt64(try args.int("--seed", default: 1, in: 0...Int.max))
        return o
    }

    /// --learner NAME (auto: nil), or a comma-separated list of learners for auto to choose from.
    static func readLearner(_ args: inout Arguments, into o: inout StackerOptions) throws {
        if let text = try args.string("--learner"), text.contains(",") {
            o.learner = nil
            o.candidates = try text.split(separator: ",", omittingEmptySubsequences: false).map { item in
                guard let k = LearnerKind(rawValue: String(item)) else {
                    throw args.fail("--learner list items must be among \(LearnerKind.allCases.map(\.rawValue).joined(separator: "|")), got '\(item)'")
                }
                return k
            }
        } else if let text = try args.string("--learner") {
            guard text == "auto" || LearnerKind(rawValue: text) != nil else {
                throw args.fail("--learner must be one of \((["auto"] + LearnerKind.allCases.map(\.rawValue)).joined(separator: "|")) or a comma-separated list, got '\(text)'")
            }
            o.learner = LearnerKind(rawValue: text)   // auto: nil
        }
    }

    /// The training data, cut to --group-column, refused when --labels-per-track one meets a row without
    /// exactly one label (naming the row in the labels file).
    static func load(_ files: TrainingFiles, groupColumn: String?, options o: StackerOptions, allowMissing: Bool) throws -> TrainingData {
        var data = try TrainingData.load(files, options: FeatureReadOptions(allowMissing: allowMissing))
        if let groupColumn, let g = data.groups {
            guard let j = g.columns.firstIndex(of: groupColumn) else {
                throw DataError(.missingColumn, file: files.groups!, line: 1,
                                "no group column '\(groupColumn)' (columns: \(g.columns.joined(separator: ", ")))")
            }
            data.groups = GroupTable(ids: g.ids, columns: [groupColumn], values: [g.values[j]])
        }
        if o.labelsPerTrack == .one, let bad = data.firstRowNotOneLabel {
            let id = data.x.ids[bad.row]
            let at = try DataFiles.labelRowLocation(path: files.y, labels: data.labels, id: id, rowInX: bad.row)
            throw DataError(.notBinary, file: files.y, line: at.line,
                            "\(at.text) ('\(id)') has \(bad.labels == 0 ? "no label" : "\(bad.labels) labels"): --labels-per-track one needs exactly one a row")
        }
        return data
    }

    /// The `--report` CSV: a row per tag.
    static func writeReport(_ result: StackerResult, to reportOut: AtomicFileWriter) throws {
        // Thresholds on both scales: threshold_probability on the probabilities `predict --scores` writes (the
        // model's calibration.threshold), threshold_score on the score before calibration, which decisions compare.
        try reportOut.write(MewoIO.csvRow(["tag", "support", "oof_f1_raw", "oof_f1_stacked", "threshold_probability", "threshold_score",
                                           "path", "rounds", "reason"]))
        let tagModels = Dictionary(result.model.tags.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        for r in result.reports {
            let cells = [r.tag, String(r.support), MewoIO.formatNumber(r.rawF1), r.stackedF1.map(MewoIO.formatNumber) ?? "",
                         r.threshold == nil ? "never" : tagModels[r.tag]?.probabilityThreshold.map(MewoIO.formatNumber) ?? "n/a",
                         r.threshold.map(MewoIO.formatNumber) ?? "never", r.path.rawValue, r.rounds.map(String.init) ?? "", r.reason]
            try reportOut.write(MewoIO.csvRow(cells))
        }
    }
}

extension TrainCommand {
    /// What training decided and why, the command's result, on stdout: folds and groups, every level's candidates
    /// with their scores and the margin to beat, the blend's weights, the calibration, the path counts.
    static func summary(_ r: StackerResult, data: TrainingData, groupsFile: String?, xFile: String, options o: StackerOptions,
                        started: Date, modelPath: String) {
        func note(_ line: String) { print(line) }   // the result on stdout (progress and notes stay on stderr)
        let f4 = { (v: Double) in String(format: "%.4f", v) }
        if r.model.oneLabel != nil {
            note(o.labelsPerTrack == .auto ? "labels a track: one (every row of the training labels has exactly one; --labels-per-track any to stack per tag)"
                                           : "labels a track: one (--labels-per-track one)")
        }
        if r.folds > 0 {
            if let g = data.groups {
                let groups = Folds.groupCount(g)
                let byPosition = groupsFile.map { TrainingData.groupsByPosition(groups: $0, x: xFile) } ?? false
                let ungrouped = (0..<g.ids.count).filter { i in g.values.allSatisfy { Folds.namesNoGroup($0[i]) } }.count
                note("folds: \(r.folds), grouped by \(groupsFile ?? "the groups file") (\(g.columns.joined(separator: ", ")): \(groups) groups of rows)"
                     + (byPosition ? ", paired with X's rows by position" : "")
                     + (ungrouped > 0 ? "; \(ungrouped) row(s) with only empty group cells belong to no group and are assigned alone" : ""))
            } else {
                note("folds: \(r.folds), rows assigned at random (no groups file; rows of one artist may straddle folds)")
            }
        } else {
            note("no cross-validation (--folds 0, or too few groups for the baselines or one label a track): every score below is in-sample")
        }
        let scope = { (l: Level) in l.inSample ? "in-sample" : "out-of-fold" }
        let limit = r.learnerScores.count > 1 && o.selection.maxTreesPerTrack > 0 ? o.selection.maxTreesPerTrack : Int.max
        for level in r.levels {
            var items: [String] = []
            for c in level.candidates {
                var item = "\(c.name) \(f4(c.score))"
                if let trees = level.treesPerTrack[c.name], trees > limit {
                    item += " (\(trees) trees a track > --max-trees-per-track \(limit): not chosen)"
                }
                items.append(item)
            }
            let margin = level.margin.map { ", \(level.marginRule ?? "a more complex one must win by") > \(f4($0))" } ?? ""
            let better = level.lowerIsBetter ? "lower is better" : "higher is better"
            note("\(level.name) (\(scope(level)) \(level.metric), \(better)\(margin)): \(items.joined(separator: ", ")) → \(level.chosen)"
                 + (level.note.map { " (\($0))" } ?? ""))
            if r.model.oneLabel != nil {
                note("  (a later candidate replaces the incumbent only when lower by more than the margin and than the standard error of the paired difference, rows clustered by the folds' groups)")
            }
            if level.kind == .base, let w = r.blendWeights {
                note("  blend weights (one per network, shared by every tag): " + w.map { "\($0.0) \(String(format: "%.3f", $0.1))" }.joined(separator: ", "))
            }
        }
        if let stage = r.model.oneLabel {
            note("one label a track: \(describe(stage, base: r.model.base)); decision: the argmax of the probabilities")
            note(String(format: "trained on %d rows × %d labels in %.1f s → %@", data.x.rowCount, data.labels.count,
                        Date().timeIntervalSince(started), modelPath))
            return
        }
        var paths: [TagPath: Int] = [:]
        for t in r.model.tags { paths[t.path, default: 0] += 1 }
        let calibrated = r.model.tags.filter { $0.calibration != nil }.count
        let base = r.model.base?.kind.rawValue ?? "primary"
        note("paths: " + TagPath.allCases.compactMap { p in paths[p].map { "\($0) \(p == .raw ? "on the \(base) base score" : p.rawValue)" } }.joined(separator: ", ")
             + "; \(calibrated) of \(r.model.tags.count) tag(s) calibrated; decision \(r.model.decision.rawValue)")
        note(String(format: "trained on %d rows × %d tags in %.1f s → %@", data.x.rowCount, data.labels.count,
                    Date().timeIntervalSince(started), modelPath))
    }
}

extension TrainCommand {
    /// The one-label stage in words: what it reads and its fitted numbers.
    static func describe(_ stage: OneLabelStage, base: BaseScore?) -> String {
        let b = base?.kind.rawValue ?? "primary"
        let f = { (v: Double) in String(format: "%.3f", v) }
        switch stage {
        case .renormalised: return "the \(b) base score renormalised"
        case .softmax(let s) where s.networks.isEmpty:
            return "softmax of the \(b) base's logits × \(f(s.weights[0])) (temperature \(f(1 / s.weights[0])))" + (s.biases == nil ? "" : " plus a bias per label")
        case .softmax(let s):
            return "softmax of the networks' logits, weights " + zip(["primary"] + s.networks, s.weights).map { "\($0) \(f($1))" }.joined(separator: ", ")
        case .multinomial(let m): return "multinomial logistic regression on \(m.columns.count) network columns' logits"
        }
    }
}

/// Progress on stderr: tags (or, in the pooled learner, boosting rounds) done / total, elapsed, ETA; silent for
/// the first two seconds. On a terminal one line is rewritten at most twice a second; otherwise (logs, CI) a
/// plain line is printed every ten seconds. ETAs are measured, never guessed: the running learner's is its
/// elapsed time per unit done times the units left; the overall one is that learner's while it is the last to
/// run, and until then the line names the learners still to come (their cost is not known before they run:
/// learners differ by orders of magnitude).
final class Progress: @unchecked Sendable {
    let started: Date
    let lock = NSLock()
    var last = Date.distantPast
    let terminal = isatty(2) != 0
    /// The learner running: its name, position and the learners tried, and when it started.
    var stage = "", stageStarted = Date()
    /// Learners still to run after this one, and whether the running one reports rounds (pooled).
    var later = 0, byRounds = false
    /// When the first round was reported and how many were done then: the rounds' pace is measured from there
    /// (building the pooled learner's pairs comes before its first round and would skew it).
    var roundsFrom: (Date, Int)? = nil
    /// Seconds of silence before the first line (2; `TAGSTACK_PROGRESS_DELAY` sets it, for tests).
    let delay = ProcessInfo.processInfo.environment["TAGSTACK_PROGRESS_DELAY"].flatMap(Double.init) ?? 2
    init(started: Date) { self.started = started }

    func begin(learner: String, index: Int, count: Int) {
        lock.lock(); defer { lock.unlock() }
        stage = count > 1 ? "learner \(index)/\(count) \(learner): " : "\(learner): "
        stageStarted = Date()
        later = count - index; byRounds = false; roundsFrom = nil
    }

    /// `done` of `total` tags of the running learner; the ETA is that learner's, from its own pace.
    func update(done: Int, total: Int, unit: String = "tags") {
        lock.lock(); defer { lock.unlock() }
        // Once the running learner reports rounds, its tag counts (which only move at its end) are not shown.
        if unit == "rounds" { byRounds = true; if roundsFrom == nil { roundsFrom = (Date(), done) } } else if byRounds && done < total { return }
        let now = Date(), elapsed = now.timeIntervalSince(started), inStage = now.timeIntervalSince(stageStarted)
        let interval: TimeInterval = terminal ? 0.5 : 10
        guard elapsed > delay, now.timeIntervalSince(last) > interval || done == total else { return }
        last = now
        var eta = done > 0 ? inStage / Double(done) * Double(total - done) : 0
        if unit == "rounds", let (t0, d0) = roundsFrom {
            eta = done > d0 ? now.timeIntervalSince(t0) / Double(done - d0) * Double(total - done) : 0
        }
        let shownUnit = byRounds && unit == "tags" ? "tags" : unit
        let overall = done == total ? "" : later == 0 ? String(format: "  overall ETA %.0fs", eta)
            : "  overall: \(later) more learner\(later == 1 ? "" : "s") after this one, not yet timed"
        let text = stage + String(format: "%@ %d/%d  elapsed %.0fs  this learner's ETA %.0fs", shownUnit, done, total, elapsed, eta) + overall
        let line = terminal ? "\r  " + text + "   " + (done == total ? "\n" : "") : "  " + text + "\n"
        FileHandle.standardError.write(line.data(using: .utf8)!)
    }
}
