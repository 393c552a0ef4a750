// `train --json`: the result summary as one JSON object on standard output (the text summary's facts, for
// scripts): the model written, the data's size, the folds, every level's candidates with their scores, margin
// and choice, the blend's weights, the paths and the decision rule. Kept apart from TrainCommand.swift.

import Foundation
import TagStack
import TagStackModel

struct TrainSummaryJSON: Encodable {
    struct Candidate: Encodable { var name: String; var score: Double }
    struct LevelJSON: Encodable {
        var name: String
        var metric: String
        var scope: String
        var lower_is_better: Bool
        var margin: Double?
        /// Whom the margin binds when not every more complex candidate (calibration).
        var margin_rule: String?
        var candidates: [Candidate]
        var chosen: String
        var note: String?
    }
    struct Weight: Encodable { var network: String; var weight: Double }
    /// One input group's permutation importance over every tag: mean and standard deviation over the repeats.
    struct PermutationGroup: Encodable {
        var group: String
        var log_loss_rise: Double
        var log_loss_rise_std: Double
        var weighted_f1_fall: Double
        var weighted_f1_fall_std: Double
    }
    struct Permutation: Encodable {
        var learner: String
        var repeats: Int
        var learned_tags: Int
        var log_loss: Double
        var weighted_f1: Double
        var groups: [PermutationGroup]
        var reproduces_training: Bool
        var seconds: Double
    }

    var model: String
    var rows: Int
    var tags: Int
    var folds: Int
    var groups: String
    var levels: [LevelJSON]
    var blend_weights: [Weight]?
    var learner: String
    var base: String
    var decision: String
    var paths: [String: Int]
    var calibrated_tags: Int
    /// `--permutation-repeats`: what permuting each input group costs out of fold (nil when not computed).
    var permutation_importance: Permutation?
    var seconds: Double

    init(_ r: StackerResult, data: TrainingData, modelPath: String, started: Date) {
        model = modelPath
        rows = data.x.rowCount
        tags = data.labels.count
        folds = r.folds
        groups = r.model.training["groups"] ?? "none"
        levels = r.levels.map { l in
            LevelJSON(name: l.name, metric: l.metric, scope: l.inSample ? "in-sample" : "out-of-fold", lower_is_better: l.lowerIsBetter,
                      margin: l.margin, margin_rule: l.marginRule, candidates: l.candidates.map { Candidate(name: $0.name, score: $0.score) }, chosen: l.chosen, note: l.note)
        }
        blend_weights = r.blendWeights?.map { Weight(network: $0.0, weight: $0.1) }
        learner = r.chosenLearner
        base = r.model.base?.kind.rawValue ?? "primary"
        decision = r.model.decision.rawValue
        var p: [String: Int] = [:]
        for path in TagPath.allCases { p[path.rawValue] = 0 }
        for t in r.model.tags { p[t.path.rawValue, default: 0] += 1 }
        paths = p
        calibrated_tags = r.model.tags.filter { $0.calibration != nil }.count
        permutation_importance = r.permutation.map { p in
            Permutation(learner: p.learner, repeats: p.repeats, learned_tags: p.learnedTags.count, log_loss: p.logLoss,
                        weighted_f1: p.weightedF1, groups: p.groups.indices.map { g in
                            let ll = PermutationImportance.meanStd(p.logLossDrop[g]), f1 = PermutationImportance.meanStd(p.weightedF1Drop[g])
                            return PermutationGroup(group: p.groups[g], log_loss_rise: ll.mean, log_loss_rise_std: ll.std,
                                                    weighted_f1_fall: f1.mean, weighted_f1_fall_std: f1.std)
                        }, reproduces_training: p.reproduced, seconds: (p.seconds * 10).rounded() / 10)
        }
        seconds = (Date().timeIntervalSince(started) * 10).rounded() / 10
    }

    /// One line of JSON, keys sorted.
    func text() throws -> String {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        e.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return String(decoding: try e.encode(self), as: UTF8.self)
    }
}
