import Foundation
import TagStack
import TagStackModel

enum TrainCommand {
    /// Generated from the option table (TagStack/Stacking/TrainOptions.swift).
    static var help: String { TrainOptions.help }

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
            let p = Progress(started: started, plan: WorkEstimate.plan(data: data, options: o))
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
        o.threads = min(defaultThreadCount, 1024)
        // Numbers and plain choices as the table states them; their ranges are checked once, by `validate`.
        for option in TrainOptions.table { try args.read(option, into: &o) }
        let baseGiven = try args.string("--base")
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
        do { try o.validate() } catch let e as OptionError { throw args.fail(e.commandLine) }
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
            let cells = [r.tag, String(r.support), MewoIO.formatNumber(r.baseF1), r.stackedF1.map(MewoIO.formatNumber) ?? "",
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
        if r.model.oneLabel != nil {
            note(o.labelsPerTrack == .auto ? "labels a track: one (every row of the training labels has exactly one; --labels-per-track any to stack per tag)"
                                           : "labels a track: one (--labels-per-track one)")
        }
        note(foldsLine(r, data: data, groupsFile: groupsFile, xFile: xFile))
        levelLines(r, options: o).forEach(note)
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
        if let p = r.permutation { note(permutationLine(p)) }
        else if o.permutationRepeats > 0 {
            note("permutation importance: not computed (\(r.folds == 0 ? "no cross-validation: nothing is out of fold" : "the \(r.chosenLearner) learner has no model to permute the inputs of"))")
        }
        note(String(format: "trained on %d rows × %d tags in %.1f s → %@", data.x.rowCount, data.labels.count,
                    Date().timeIntervalSince(started), modelPath))
    }

    /// Every level's line: its candidates with their scores, the margin to beat, the choice (and the blend's
    /// weights under the base level).
    static func levelLines(_ r: StackerResult, options o: StackerOptions) -> [String] {
        let f4 = { (v: Double) in String(format: "%.4f", v) }
        var lines: [String] = []
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
            lines.append("\(level.name) (\(scope(level)) \(level.metric), \(better)\(margin)): \(items.joined(separator: ", ")) → \(level.chosen)"
                 + (level.note.map { " (\($0))" } ?? ""))
            if r.model.oneLabel != nil {
                lines.append("  (a later candidate replaces the incumbent only when lower by more than the margin and than the standard error of the paired difference, rows clustered by the folds' groups)")
            }
            if level.kind == .base, let w = r.blendWeights {
                lines.append("  blend weights (one per network, shared by every tag): " + w.map { "\($0.0) \(String(format: "%.3f", $0.1))" }.joined(separator: ", "))
            }
        }
        return lines
    }

    /// How the rows were split into folds (by which groups), or that no score is out of fold.
    static func foldsLine(_ r: StackerResult, data: TrainingData, groupsFile: String?, xFile: String) -> String {
        guard r.folds > 0 else {
            return "no cross-validation (--folds 0, or too few groups for the baselines or one label a track): every score below is in-sample"
        }
        guard let g = data.groups else {
            return "folds: \(r.folds), rows assigned at random (no groups file; rows of one artist may straddle folds)"
        }
        let groups = Folds.groupCount(g)
        let byPosition = groupsFile.map { TrainingData.groupsByPosition(groups: $0, x: xFile) } ?? false
        let ungrouped = (0..<g.ids.count).filter { i in g.values.allSatisfy { Folds.namesNoGroup($0[i]) } }.count
        return "folds: \(r.folds), grouped by \(groupsFile ?? "the groups file") (\(g.columns.joined(separator: ", ")): \(groups) groups of rows)"
            + (byPosition ? ", paired with X's rows by position" : "")
            + (ungrouped > 0 ? "; \(ungrouped) row(s) with only empty group cells belong to no group and are assigned alone" : "")
    }
}

extension TrainCommand {
    /// The permutation importance in one line: each group's rise in out-of-fold log loss (mean ± std over the
    /// repeats), largest first, with the cost of the refit.
    static func permutationLine(_ p: PermutationImportance) -> String {
        let items = p.groups.indices.map { g -> (String, Double, Double) in
            let (m, sd) = PermutationImportance.meanStd(p.logLossDrop[g])
            return (p.groups[g], m, sd)
        }.sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }
        let text = items.map { String(format: "%@ %+.4f ± %.4f", $0.0, $0.1, $0.2) }.joined(separator: ", ")
        return "permutation importance (\(p.learner), \(p.learnedTags.count) of \(p.tagCount) tags learned, \(p.repeats) repeats, out-of-fold log loss \(String(format: "%.4f", p.logLoss)) rises by): "
            + text + String(format: " (%.1f s%@)", p.seconds, p.reproduced ? "" : "; WARNING: the fold models fitted again did not reproduce training's out-of-fold scores")
    }

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
/// elapsed time per unit done times the units left; the overall one adds the learners still to come, their
/// work counted in units from the data's size and the options (`WorkEstimate.plan`) and priced at the pace this
/// run has measured so far (`WorkEstimate.overallETA`); the line says so. Once the last learner runs, the
/// overall ETA is its own.
final class Progress: @unchecked Sendable {
    let started: Date
    let lock = NSLock()
    var last = Date.distantPast
    let terminal = isatty(2) != 0
    /// The learners this run will try and their work (`WorkEstimate.plan`), and the seconds each finished one took.
    let plan: [LearnerWork]
    var finished: [Double] = []
    /// The stage running: its name, the learner's position (0-based; nil after the learners) and when it started.
    var stage = "", stageStarted = Date(), running: Int? = nil
    /// Learners still to run after this one, and whether the running one reports rounds (pooled).
    var later = 0, byRounds = false
    /// When the first round was reported and how many were done then: the rounds' pace is measured from there
    /// (building the pooled learner's pairs comes before its first round and would skew it).
    var roundsFrom: (Date, Int)? = nil
    /// A stage that reports rounds, then tags (the permutation importance: the pooled fold models, then the
    /// scoring): whether its rounds are all done, and when its tags started.
    var roundsComplete = false, tagsFrom: (Date, Int)? = nil
    /// Seconds of silence before the first line (2; `TAGSTACK_PROGRESS_DELAY` sets it, for tests).
    let delay = ProcessInfo.processInfo.environment["TAGSTACK_PROGRESS_DELAY"].flatMap(Double.init) ?? 2
    init(started: Date, plan: [LearnerWork]) { self.started = started; self.plan = plan }

    /// Learner `index` of `count` starts (index 0: a stage after the learners, e.g. the permutation importance).
    func begin(learner: String, index: Int, count: Int) {
        lock.lock(); defer { lock.unlock() }
        if let r = running, finished.count == r { finished.append(Date().timeIntervalSince(stageStarted)) }
        stage = index == 0 ? "\(learner): " : count > 1 ? "learner \(index)/\(count) \(learner): " : "\(learner): "
        stageStarted = Date()
        running = index == 0 ? nil : index - 1
        later = index == 0 ? 0 : count - index; byRounds = false; roundsFrom = nil; roundsComplete = false; tagsFrom = nil
    }

    /// `done` of `total` tags of the running learner; the ETA is that learner's, from its own pace.
    func update(done: Int, total: Int, unit: String = "tags") {
        lock.lock(); defer { lock.unlock() }
        // Once the running learner reports rounds, its tag counts (which only move at its end) are not shown.
        // Tags after the rounds (the permutation importance's scoring) are shown, at their own pace.
        if unit == "rounds" {
            byRounds = true; if roundsFrom == nil { roundsFrom = (Date(), done) }; if done >= total { roundsComplete = true }
        } else if byRounds && done < total {
            guard roundsComplete else { return }
            if tagsFrom == nil { tagsFrom = (Date(), done) }
        }
        let now = Date(), elapsed = now.timeIntervalSince(started), inStage = now.timeIntervalSince(stageStarted)
        let interval: TimeInterval = terminal ? 0.5 : 10
        guard elapsed > delay, now.timeIntervalSince(last) > interval || done == total else { return }
        last = now
        var eta = done > 0 ? inStage / Double(done) * Double(total - done) : 0
        if let (t0, d0) = unit == "rounds" ? roundsFrom : tagsFrom {
            eta = done > d0 ? now.timeIntervalSince(t0) / Double(done - d0) * Double(total - done) : 0
        }
        let shownUnit = byRounds && unit == "tags" ? "tags" : unit
        let overall: String
        if done == total { overall = "" }
        else if later == 0 { overall = String(format: "  overall ETA %.0fs", eta) }
        else if let r = running, done > 0,
                let all = WorkEstimate.overallETA(plan: plan, running: r, fraction: Double(done) / Double(max(total, 1)),
                                                  elapsedInRunning: inStage, finished: finished) {
            // This learner's remainder at its own pace; the later learners' counted work at the run's pace.
            overall = String(format: "  overall ETA ~%.0fs (%d more learner%@: counted work at this run's pace)", max(all, eta), later, later == 1 ? "" : "s")
        } else {
            overall = "  overall: \(later) more learner\(later == 1 ? "" : "s") after this one, not yet timed"
        }
        let what = running == nil ? "ETA" : "this learner's ETA"
        let text = stage + String(format: "%@ %d/%d  elapsed %.0fs  %@ %.0fs", shownUnit, done, total, elapsed, what, eta) + overall
        let line = terminal ? "\r  " + text + "   " + (done == total ? "\n" : "") : "  " + text + "\n"
        FileHandle.standardError.write(line.data(using: .utf8)!)
    }
}
