// The stacker's orchestration, and only that: folds → features → base score → learners → selection →
// calibration → assembly.
//
// Global before local: what one tag cannot prove alone is decided once for the whole label set (the base
// score every tag starts from, Global/BaseChoice.swift; the calibration of every probability,
// Global/CalibrationChoice.swift). Per tag, a learner (Learners/) models a refined probability on top of the
// base with (grouped) cross-validation (CrossValidation/); every learned score passes a never-worse test
// against the base score, the learner and the decision rule are chosen by cross-fitted weighted F1
// (Selection/), and the model file is assembled from the choices (ModelAssembly.swift).

import Foundation
import TagStackModel

/// What happened to one tag in training (the `--report` rows).
public struct TagReport: Sendable, Equatable {
    public var tag: String
    public var support: Int
    /// Out-of-fold F1 of the base score with its best threshold.
    public var baseF1: Double
    /// Out-of-fold F1 of the stacked score with its best threshold (nil when the tag was not stacked).
    public var stackedF1: Double?
    public var threshold: Double?
    public var path: TagPath
    /// Boosting rounds of the final model (nil for non-boosted paths).
    public var rounds: Int?
    /// Why the tag took its path: `learned`, `margin`, `no skill`, `average precision lower`,
    /// `bootstrap 0.71 < 0.90`, `support 7 < 10`, or `base` when no learner was tried on it.
    public var reason: String = "base"
}

/// One level of the stacker's decisions: the candidates with their scores, the one chosen and the margin a
/// more complex candidate had to beat.
public struct Level: Sendable {
    /// Which decision a level is; its name is what the summary and the pages call it.
    public enum Kind: String, Sendable {
        case base = "base score", learner, decisionRule = "decision rule", calibration, oneLabel = "one label a track"
    }
    public var kind: Kind
    public var name: String { kind.rawValue }
    /// What `candidates` are scored by (`weighted F1`, `log loss`).
    public var metric: String
    public var candidates: [(name: String, score: Double)]
    public var chosen: String
    public var margin: Double?
    /// Whom the margin binds when not every more complex candidate, as a phrase ending before the margin
    /// (calibration: "Platt replaces none when lower; the shared slope must beat Platt by").
    public var marginRule: String? = nil
    /// Scored on the rows fitted on (`--folds 0`), not cross-fitted.
    public var inSample: Bool
    public var lowerIsBetter = false
    /// Why the choice was not the best score, when it was not (no out-of-fold evidence).
    public var note: String? = nil
    /// Trees a track each candidate's model evaluates, by candidate name (the learner level, which
    /// `selection.maxTreesPerTrack` limits; empty elsewhere).
    public var treesPerTrack: [String: Int] = [:]
}

extension Level {
    /// Said where a level has no out-of-fold evidence (`--folds 0`) and so keeps its simplest candidate: an
    /// in-sample score favours whatever fits the training rows hardest.
    static let keptSimplest = "no cross-validated evidence (--folds 0): the simplest candidate is kept; in-sample scores are no basis for choosing"
}

/// Everything `Stacker.train` learned, beyond the model.
public struct StackerResult: Sendable {
    public var model: StackerModel
    public var reports: [TagReport]
    /// Every level decided, in order: base score (when there was a choice), learner, decision rule, calibration
    /// (one label a track: that level alone).
    public var levels: [Level] = []
    /// The learned blend's weight per source (the primary first), when a blend was fitted.
    public var blendWeights: [(String, Double)]? = nil
    /// Cross-validation folds used (0: none, every score in-sample).
    public var folds: Int = 0
    /// The chosen model's out-of-fold view of the training rows, rows × tags, row-major: each tag's score
    /// (what its threshold compares), its probability (calibrated out of fold) and its label (nil unless
    /// `StackerOptions.keepOutOfFold`).
    public var outOfFold: OutOfFold? = nil
    /// Gain importance (LightGBM's 'gain': the sum of the split gains per feature) of each boosted tag's final
    /// model, by tag name, and of the pooled ensemble when a tag is pooled: what training knew, not in the model.
    public var gainImportance: [String: [Double]] = [:]
    public var pooledGainImportance: [Double]? = nil
    /// Out-of-fold permutation importance of each input group of the chosen learner's model
    /// (`StackerOptions.permutationRepeats` > 0, with folds and a learner that is not a baseline).
    public var permutation: PermutationImportance? = nil

    public init(model: StackerModel, reports: [TagReport], levels: [Level]) {
        self.model = model; self.reports = reports; self.levels = levels
    }

    /// The level of that kind, when it was decided.
    public func level(_ kind: Level.Kind) -> Level? { levels.first { $0.kind == kind } }
    /// Out-of-fold weighted F1 of each learner tried (thresholds rule), by run name, in the order tried.
    public var learnerScores: [(name: String, score: Double)] { level(.learner)?.candidates ?? [] }
    /// Out-of-fold weighted F1 of each decision rule tried for the chosen learner.
    public var ruleScores: [(name: String, score: Double)] { level(.decisionRule)?.candidates ?? [] }
    /// The learner of the model (one label a track fits none: its tags keep the thresholds learner's form).
    public var chosenLearner: String { model.oneLabel == nil ? model.learner : LearnerKind.thresholds.rawValue }
}

/// The training rows as the chosen model saw them out of fold (in-sample with `--folds 0`).
public struct OutOfFold: Sendable {
    public var rows: Int
    public var tags: Int
    public var scores: [Double]
    public var probabilities: [Double]
    public var labels: [UInt8]
}

public enum Stacker {
    /// Trains a model on `data`. Throws for inconsistent options or data (e.g. fewer groups than folds).
    public static func train(data: TrainingData, options: StackerOptions, training: [String: String] = [:]) throws -> StackerResult {
        try options.validate()
        if try isOneLabel(data, options) { return try trainOneLabel(data: data, options: options, training: training) }
        let candidates = options.learnersToTry
        if candidates.isEmpty { throw OptionError("candidates", "auto has no learner to choose from") }
        let fold = try folds(data: data, options: options, kinds: candidates)
        // Without folds there is no out-of-fold evidence to choose a learner by: only the simplest is fitted.
        let kinds = fold == nil ? [candidates[0]] : candidates
        let needsFeatures = kinds.contains(where: \.needsFeatures)
        let features = needsFeatures ? try FeatureMatrix(data: data, set: FeatureMatrix.defaultSet(for: data, mode: options.features),
                                                         threads: options.threads) : nil
        let primary = FoldContext(data: data, options: options, fold: fold, features: features)
        let base = try BaseChoice.choose(primary)
        let context = base.model == nil ? primary : primary.with(base: base.scores, perFold: base.perFold, initScore: .baseLogit)

        var runs: [LearnerRun] = []
        for (index, kind) in kinds.enumerated() {
            // Progress counts the tags of the learner running (learners differ in cost by orders of magnitude,
            // so one count over all of them would give a meaningless ETA).
            options.stage?(kind.rawValue, index + 1, kinds.count)
            let run = try kind.learner.run(context)
            runs.append(contentsOf: [run] + run.alternatives)
        }
        // Without folds there is no out-of-fold evidence to choose by: the simplest learner and rule are kept.
        let best = LearnerChoice.choose(runs, options: options)
        let rules: [DecisionRule] = options.decision.map { [$0] }
            ?? (fold == nil ? [.thresholds] : DecisionRule.byComplexity)
        let (rule, ruleScores) = DecisionSearch.choose(rules, run: best, data: data, fold: fold, k: options.folds,
                                                       margin: options.selection.ruleMargin)
        let calibration = CalibrationChoice.choose(run: best, context: context, keepProbabilities: options.keepOutOfFold)

        var result = try result(data: data, options: options, training: training, fold: fold, features: features, base: base,
                                runs: runs, best: best, rule: rule, ruleScores: ruleScores, calibration: calibration, tried: candidates.count)
        if options.permutationRepeats > 0 {
            options.stage?("permutation importance (\(best.name)'s fold models fitted again)", 0, kinds.count)
            result.permutation = try PermutationImportance.compute(context, run: best, repeats: options.permutationRepeats)
        }
        return result
    }

    /// The model and what it came from: every level's candidates and choice, the importances, the out-of-fold view.
    static func result(data: TrainingData, options: StackerOptions, training: [String: String], fold: [Int]?, features: FeatureMatrix?,
                       base: BaseChoice.Outcome, runs: [LearnerRun], best: LearnerRun, rule: DecisionSearch.Choice,
                       ruleScores: [(DecisionRule, Double)], calibration: CalibrationChoice.Outcome, tried: Int) throws -> StackerResult {
        var chosen = best
        for k in chosen.tags.indices { chosen.tags[k].calibration = calibration.calibrations[k] }
        var info = training
        info["learner_scores"] = runs.map { "\($0.name)=\(format($0.thresholdsF1))" }.joined(separator: " ")
        info["trees_per_track"] = runs.map { "\($0.name)=\($0.treesPerTrack)" }.joined(separator: " ")
        info["rule_scores"] = ruleScores.map { "\($0.0.rawValue)=\(format($0.1))" }.joined(separator: " ")
        info["folds"] = String(options.folds)
        info["stacked_tags"] = String(best.tags.filter { $0.path != .raw }.count)
        if let b = base.level { info["base_scores"] = b.candidates.map { "\($0.name)=\(format($0.score))" }.joined(separator: " ") }
        if let c = calibration.level { info["calibration_log_loss"] = c.candidates.map { "\($0.name)=\(format($0.score))" }.joined(separator: " ") }
        let model = try ModelAssembly.model(run: chosen, rule: rule, base: base.model, data: data, features: features?.set, training: info)
        var learnerLevel = Level(kind: .learner, metric: "weighted F1", candidates: runs.map { ($0.name, $0.thresholdsF1) },
                                 chosen: best.name, margin: runs.count > 1 ? options.selection.learnerMargin : nil, inSample: fold == nil)
        learnerLevel.treesPerTrack = Dictionary(runs.map { ($0.name, $0.treesPerTrack) }, uniquingKeysWith: { a, _ in a })
        if fold == nil && tried > 1 { learnerLevel.note = Level.keptSimplest }   // only the simplest was fitted
        var ruleLevel = Level(kind: .decisionRule, metric: "weighted F1", candidates: ruleScores.map { ($0.0.rawValue, $0.1) },
                              chosen: rule.rule.rawValue, margin: ruleScores.count > 1 ? options.selection.ruleMargin : nil, inSample: fold == nil)
        if fold == nil && options.decision == nil { ruleLevel.note = Level.keptSimplest }
        var result = StackerResult(model: model, reports: best.reports,
                                   levels: [base.level, learnerLevel, ruleLevel, calibration.level].compactMap { $0 })
        result.blendWeights = base.blendWeights
        result.folds = fold == nil ? 0 : options.folds
        for (k, t) in best.tags.enumerated() where t.booster != nil {
            if k < best.gains.count, let g = best.gains[k] { result.gainImportance[t.name] = g }
        }
        if best.tags.contains(where: { $0.path == .pooled }) { result.pooledGainImportance = best.pooledGain }
        if let probabilities = calibration.probabilities {
            let n = data.x.rowCount, t = data.labels.count
            var p = [Double](repeating: 0, count: n * t)
            for k in 0..<t { for i in 0..<n { p[i * t + k] = probabilities[k][i] } }
            result.outOfFold = OutOfFold(rows: n, tags: t, scores: best.oof.rowMajor(), probabilities: p, labels: data.y.values)   // rows × tags: the report's copy
        }
        return result
    }

    /// Whether `data` is trained as one label a track (`options.labelsPerTrack`, `auto`: every row has exactly
    /// one label). Throws for `one` when a row has none or several.
    public static func isOneLabel(_ data: TrainingData, _ options: StackerOptions) throws -> Bool {
        switch options.labelsPerTrack {
        case .any: return false
        case .auto: return data.labels.count >= 2 && data.firstRowNotOneLabel == nil
        case .one:
            if let bad = data.firstRowNotOneLabel {
                throw DataError(.notBinary, file: "the training labels", "row \(bad.row + 1) ('\(data.x.ids[bad.row])') has \(bad.labels) labels; one label a track needs exactly one")
            }
            return true
        }
    }

    /// One label a track: no per-tag learner; the one-label level (Global/OneLabelChoice.swift) decides how
    /// the scores become one distribution a track, and the model's decision is its argmax.
    /// Like the baselines, it goes without folds (in-sample) when the data has too few groups for them.
    static func trainOneLabel(data: TrainingData, options: StackerOptions, training: [String: String]) throws -> StackerResult {
        let fold = try folds(data: data, options: options, kinds: [.thresholds])
        let context = FoldContext(data: data, options: options, fold: fold, features: nil)
        let choice = try OneLabelChoice.choose(context)
        var info = training
        info["labels_per_track"] = "one"
        info["folds"] = String(fold == nil ? 0 : options.folds)
        info["one_label_log_loss"] = choice.level.candidates.map { "\($0.name.replacingOccurrences(of: " ", with: "_"))=\(format($0.score))" }.joined(separator: " ")
        let tags = data.labels.tags.map { TagModel(name: $0, form: .raw, threshold: nil) }
        var model = StackerModel(learner: "one_label", labels: data.labels, inputColumns: [], tags: tags, decision: .thresholds,
                                 base: choice.base, training: info)
        model.formatVersion = StackerModel.oneLabelFormatVersion
        model.oneLabel = choice.stage
        // The columns read: the tags', the base's networks', the stage's; in X's order unless only the tags'.
        var read = Set(data.tagColumns)
        let names = data.labels.tags.flatMap { t in (choice.base?.networks ?? []).map { $0 + ":" + t } } + choice.stage.inputsRead(tags: data.labels.tags)
        for name in names { if let j = data.x.columnIndex(name) { read.insert(j) } }
        model.inputColumns = read.count == data.labels.count ? data.labels.tags : read.sorted().map { data.x.columns[$0] }
        try model.validate()
        var result = StackerResult(model: model, reports: [], levels: [choice.level])
        result.folds = fold == nil ? 0 : options.folds
        if options.keepOutOfFold {
            result.outOfFold = OutOfFold(rows: data.x.rowCount, tags: data.labels.count, scores: choice.probabilities,
                                         probabilities: choice.probabilities, labels: data.y.values)
        }
        return result
    }

    /// The fold of every row: none with `--folds 0`, nor for the baselines, which learn nothing beyond a
    /// threshold. Throws when the groups leave fewer groups than folds.
    /// Baselines learn nothing but thresholds and a calibration: they use folds when the data has enough
    /// groups for them (to choose the calibration out of fold), and go without otherwise.
    static func folds(data: TrainingData, options: StackerOptions, kinds: [LearnerKind]) throws -> [Int]? {
        let baselinesOnly = kinds.allSatisfy(\.isBaseline)
        guard options.folds >= 2 else { return nil }
        let f = Folds.assign(rowCount: data.x.rowCount, k: options.folds, groups: data.groups?.values, seed: options.seed)
        let used = Set(f).count
        if used < options.folds && baselinesOnly { return nil }
        if used < options.folds {
            let what = data.groups.map { "groups of rows (\($0.columns.joined(separator: ", ")))" } ?? "rows"
            throw DataError(.badArgument, file: data.groups != nil ? "the groups file" : "the training data",
                            "only \(used) \(what) for \(options.folds) cross-validation folds: lower --folds or use --learner thresholds")
        }
        return f
    }

    static func format(_ v: Double) -> String { String(format: "%.4f", v) }
}
