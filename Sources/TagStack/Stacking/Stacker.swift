// The stacker's orchestration, and only that: folds → features → learners → selection → assembly.
//
// Per tag, a learner (Learners/) models a refined probability over the tag's features with (grouped)
// cross-validation (CrossValidation/); every learned score passes a never-worse test against the network's
// raw score, the learner and the decision rule are chosen by cross-fitted weighted F1 (Selection/), and the
// model file is assembled from the choice (ModelAssembly.swift).

import Foundation
import TagStackModel

/// What happened to one tag in training (the `--report` rows).
public struct TagReport: Sendable, Equatable {
    public var tag: String
    public var support: Int
    /// Out-of-fold F1 of the raw score with its best threshold.
    public var rawF1: Double
    /// Out-of-fold F1 of the stacked score with its best threshold (nil when the tag was not stacked).
    public var stackedF1: Double?
    public var threshold: Double?
    public var path: TagPath
    /// Boosting rounds of the final model (nil for non-boosted paths).
    public var rounds: Int?
}

/// Everything `Stacker.train` learned, beyond the model.
public struct StackerResult: Sendable {
    public var model: StackerModel
    public var reports: [TagReport]
    /// Out-of-fold weighted F1 of each learner tried (thresholds rule), in the order tried.
    public var learnerScores: [(LearnerKind, Double)]
    /// Trees each learner's model evaluates per track, in the same order.
    public var treesPerTrack: [Int]
    /// Out-of-fold weighted F1 of each decision rule tried for the chosen learner.
    public var ruleScores: [(DecisionRule, Double)]
    public var chosenLearner: LearnerKind
}

public enum Stacker {
    /// Trains a model on `data`. Throws for inconsistent options or data (e.g. fewer groups than folds).
    public static func train(data: TrainingData, options: StackerOptions, training: [String: String] = [:]) throws -> StackerResult {
        try options.validate()
        let kinds = options.learnersToTry
        if kinds.isEmpty { throw DataError(.badArgument, file: "the options", "auto has no learner to choose from") }
        let fold = try folds(data: data, options: options, kinds: kinds)
        let needsFeatures = kinds.contains { $0 == .gbdt || $0 == .logistic || $0 == .pooled }
        let features = needsFeatures ? try FeatureMatrix(data: data, set: FeatureMatrix.defaultSet(for: data, mode: options.features),
                                                         threads: options.threads) : nil
        let context = FoldContext(data: data, options: options, fold: fold, features: features)

        var runs: [LearnerRun] = []
        for (index, kind) in kinds.enumerated() {
            // Progress counts tags over every learner tried, so done/total and the ETA span the whole run.
            var o = options
            if let report = options.progress {
                let t = data.labels.count, count = kinds.count
                o.progress = { done, _ in report(index * t + done, count * t) }
            }
            runs.append(try learner(for: kind).run(context.with(options: o)))
        }
        let best = LearnerChoice.choose(runs, options: options)
        let rules: [DecisionRule] = options.decision.rule.map { [$0] } ?? [.thresholds, .atLeastOnePerClass, .atLeastOnePerTrack, .hierarchical]
        let (rule, ruleScores) = DecisionSearch.choose(rules, run: best, data: data, fold: fold, k: options.folds)

        var info = training
        info["learner_scores"] = runs.map { "\($0.kind.rawValue)=\(format($0.weightedF1))" }.joined(separator: " ")
        info["trees_per_track"] = runs.map { "\($0.kind.rawValue)=\($0.treesPerTrack)" }.joined(separator: " ")
        info["rule_scores"] = ruleScores.map { "\($0.0.rawValue)=\(format($0.1))" }.joined(separator: " ")
        info["folds"] = String(options.folds)
        info["stacked_tags"] = String(best.tags.filter { $0.path != .raw }.count)
        let model = try ModelAssembly.model(run: best, rule: rule, data: data, features: features?.set, training: info)
        return StackerResult(model: model, reports: best.reports, learnerScores: runs.map { ($0.kind, $0.weightedF1) },
                             treesPerTrack: runs.map(\.treesPerTrack), ruleScores: ruleScores, chosenLearner: best.kind)
    }

    /// The learner behind each `--learner` name: adding a learner is one file in Learners/ and one line here.
    static func learner(for kind: LearnerKind) -> Learner {
        switch kind {
        case .thresholds, .constant, .auto: return BaselineLearner(kind: kind == .auto ? .thresholds : kind)
        case .logistic: return LogisticLearner()
        case .gbdt: return BoostedLearner()
        case .pooled: return PooledLearner()
        }
    }

    /// The fold of every row: none with `--folds 0`, nor for the baselines, which learn nothing beyond a
    /// threshold. Throws when the groups leave fewer groups than folds.
    static func folds(data: TrainingData, options: StackerOptions, kinds: [LearnerKind]) throws -> [Int]? {
        let baselinesOnly = kinds.allSatisfy { $0 == .thresholds || $0 == .constant }
        guard options.folds >= 2 && !baselinesOnly else { return nil }
        let f = Folds.assign(rowCount: data.x.rowCount, k: options.folds, groups: data.groups?.values, seed: options.seed)
        let used = Set(f).count
        if used < options.folds {
            let what = data.groups.map { "groups of rows (\($0.columns.joined(separator: ", ")))" } ?? "rows"
            throw DataError(.badArgument, file: data.groups != nil ? "the groups file" : "the training data",
                            "only \(used) \(what) for \(options.folds) cross-validation folds: lower --folds or use --learner thresholds")
        }
        return f
    }

    static func format(_ v: Double) -> String { String(format: "%.4f", v) }
}
