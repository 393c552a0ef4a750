// Options of `tagstack train`, as the library sees them.

import TagStackModel

/// An option out of its range, or options that do not go together: names the option (as `StackerOptions`
/// names it, `boosting.leaves`, or as the command line does, `--base`). The CLI reports it as a usage error.
public struct OptionError: Error, CustomStringConvertible, Equatable {
    public var option: String
    public var description: String
    /// The value and what it should be, for an option out of its range (`TrainOption.check`).
    public var value: String?
    public var requirement: String?

    /// `option=value requirement`, e.g. `folds=1 should be 0 (no cross-validation) or at least 2`.
    public init(_ option: String, value: Any, _ requirement: String) {
        let text = (value as? Double).map(TrainOption.format) ?? "\(value)"
        self.option = option; self.value = text; self.requirement = requirement
        description = "\(option)=\(text) \(requirement)"
    }

    /// `option: message`.
    public init(_ option: String, _ message: String) {
        self.option = option; description = "\(option): \(message)"
    }

    /// The error as the command line names the option (`--leaves=1 is out of range 2...65536`), when the
    /// option is one of `TrainOptions.table`'s.
    public var commandLine: String {
        guard let value, let requirement, let name = TrainOptions.option(field: option)?.name else { return description }
        return "\(name)=\(value) \(requirement)"
    }
}

/// Which inputs feed each tag's model.
public enum FeatureMode: String, CaseIterable, Sendable {
    /// The tag's own score and row statistics (class rank, z-score, category, extra networks' scores).
    case own
    /// `own` plus every input column.
    case all
}

/// The base score (`--base`): chosen out of fold (`auto`), or one of the kinds.
public enum BaseOption: String, CaseIterable, Sendable {
    /// The primary network, the mean or logit-mean of the networks, or the learned blend, by cross-fitted
    /// weighted F1 (simplest first, by `selection.baseMargin`). With every learner a baseline (`thresholds`,
    /// `constant`: the benchmark) it is the primary network.
    case auto, primary, mean
    case logitMean = "logit-mean"
    case blend
}

/// How each tag's probability is calibrated (`--calibration`).
public enum CalibrationOption: String, CaseIterable, Sendable {
    /// By cross-fitted log loss: Platt per tag when it beats none, the shared slope only when it beats Platt by 0.001.
    case auto
    /// The score itself (clamped to [0, 1]).
    case none
    /// Per tag, Platt scaling: σ(a_t · logit(s) + b_t).
    case platt
    /// One slope shared by every tag, one intercept per tag: σ(a · logit(s) + b_t).
    case shared
    /// Temperature scaling: one slope shared by every tag, no intercept: σ(a · logit(s)). Only when asked for
    /// (`auto` does not try it): a score of 0.5 stays 0.5, so it corrects a network's over- or under-confidence
    /// without moving any tag's base rate.
    case temperature
}

/// How many labels a track carries (`--labels-per-track`).
public enum LabelsPerTrack: String, CaseIterable, Sendable {
    /// `one` when every training row has exactly one label, else `any`.
    case auto
    /// Any number: per-tag probabilities and decisions (the multi-label stacker).
    case any
    /// Exactly one: probabilities that sum to one and one decision a track (Global/OneLabelChoice.swift);
    /// a training row with no label or several is an error.
    case one
}

/// How the final boosted model of a tag is made after cross-validation.
public enum FinalModel: String, CaseIterable, Sendable {
    /// Retrain on every row with the mean of the folds' best round counts.
    case refit
    /// Average the fold models (each truncated to the mean best round count): one ensemble holding every
    /// fold's trees with leaf values divided by the fold count. Logistic tags are always refitted.
    case average
}

/// Options of `Stacker.train`, in groups: what to learn (top level), how boosted learners grow trees
/// (`boosting`), the pooled model (`pooled`), the logistic model (`logistic`), the per-tag never-worse test
/// (`guards`) and the choice between learners (`selection`). `validate()` names the first bad value.
public struct StackerOptions: Sendable {
    /// The learner; nil (`auto`): chosen among `candidates` by out-of-fold weighted F1.
    public var learner: LearnerKind? = nil
    public var labelsPerTrack: LabelsPerTrack = .auto
    /// The learners `auto` tries, simplest first (a later one must win by `selection.learnerMargin`). The
    /// default leaves out per-tag `gbdt`: on the three data sets measured (README) it never won, and it is the
    /// slowest to train and to score.
    public var candidates: [LearnerKind] = [.thresholds, .logistic, .pooled]
    public var features: FeatureMode = .own
    /// Cross-validation folds; 0 turns CV off (rounds fixed by `boosting.rounds`, thresholds on training scores).
    public var folds = 5
    /// The decision rule; nil (`auto`): chosen by out-of-fold weighted F1.
    public var decision: DecisionRule? = nil
    public var final: FinalModel = .refit
    public var base: BaseOption = .auto
    /// L2 penalty on the blend's shared weights (on the summed log loss of every (track, tag) pair).
    public var blendLambda = 1.0
    public var calibration: CalibrationOption = .auto
    public var boosting = Boosting()
    public var pooled = Pooled()
    public var logistic = Logistic()
    public var guards = Guards()
    public var selection = Selection()
    public var threads = 1
    public var seed: UInt64 = 1
    /// Whether the result carries the out-of-fold view of the training rows (`StackerResult.outOfFold`, two
    /// rows × tags matrices: what the training report draws). `tagstack train` asks for it with `--html` only.
    public var keepOutOfFold = true
    /// Shuffles of each input group for the out-of-fold permutation importance of the chosen learner
    /// (`StackerResult.permutation`, scikit-learn's `n_repeats`); 0: not computed (it fits the chosen learner's
    /// fold models again).
    public var permutationRepeats = 0
    /// Bytes of a learner's recomputable out-of-fold columns (the logistic learner's) held as arrays, tags in
    /// order; the columns of later tags are recomputed from their fold models when read (RecomputedScores.swift).
    /// nil: every tag while all fit in 32 MiB, else X / 32 (`FoldContext.recomputes`).
    var heldOutOfFoldBytes: Int? = nil
    /// Called from worker threads as tags finish: (tags done, tags) of the learner running.
    public var progress: (@Sendable (Int, Int) -> Void)? = nil
    /// Called as each learner starts: (its name, its position from 1, the number of learners tried); and with
    /// position 0 as a stage after the learners starts (the permutation importance).
    public var stage: (@Sendable (String, Int, Int) -> Void)? = nil
    /// Called from worker threads as the pooled learner's boosting rounds go: (rounds done, rounds planned),
    /// the folds' and the refit's together (the pooled learner's tags finish only at its end).
    public var roundProgress: (@Sendable (Int, Int) -> Void)? = nil

    public init() {}

    /// Trees of the per-tag boosted learner (`gbdt`).
    public struct Boosting: Sendable {
        /// With CV: the most rounds early stopping may pick. Without: the rounds trained.
        public var rounds = 300
        /// Early-stopping patience (rounds without improvement of the validation log loss).
        public var patience = 30
        public var leaves = 15
        public var learningRate = 0.05
        public var minDataInLeaf = 20
        public var featureFraction = 0.8
        public var lambdaL2 = 1.0
        /// Quantized training (`BoostingParameters.gradientBins`): gradient levels per round, 0 for exact
        /// gradients; nil (the default) chooses by the features: `automaticGradientBins` levels for per-tag
        /// models that read every input column (`features == .all`: hundreds of columns, where the integer
        /// histograms save about 3 × the engine's time at the same or lower log loss), exact otherwise. With the
        /// per-tag features alone (about ten columns) the per-round quantization of every training row costs
        /// about what the integer histograms save, and the pooled model (which reads only those) grows more
        /// trees than `auto`'s limit allows on the default data (README, "Where the time goes").
        public var gradientBins: Int? = nil
        /// Quantized training only: rows a threshold step in small leaves (`BoostingParameters.thresholdStepRows`;
        /// 0: every bin).
        public var thresholdStepRows = 8
    }

    /// The pooled learner: one model over (track, tag) pairs (rounds, patience and the other tree settings
    /// come from `boosting`).
    public struct Pooled: Sendable {
        /// Train on at most about this many (track, tag) pairs: every positive pair and a weighted sample of
        /// negative ones; 0 keeps every pair.
        public var pairs = 500_000
        /// Leaves and learning rate of the pooled model, which learns from hundreds of thousands of pairs where
        /// a per-tag model sees thousands of rows (on the default data the larger trees and rate win on test
        /// weighted F1, README).
        public var leaves = 63
        public var learningRate = 0.1
    }

    public struct Logistic: Sendable {
        /// L2 penalty of the logistic learner (scikit-learn's 1/C).
        public var lambda = 1.0
    }

    /// The never-worse test every learned tag passes (Selection/Judge.swift).
    public struct Guards: Sendable {
        /// A tag keeps its learned score only when its out-of-fold F1 beats the base score's by more than this.
        public var margin = 0.005
        /// ...and when, in a paired bootstrap over groups of its cross-fitted decisions, the learned F1 beats
        /// the base score's F1 in at least this share of resamples (0 turns the test off).
        public var confidence = 0.9
        public var bootstrapDraws = 400
        /// Tags with fewer positives than this stay on the base score with per-tag learners (too few to learn from); the
        /// pooled learner's shared model may still serve them when it beats their base score out of fold.
        public var minPositives = 10
    }

    /// The choice between learners (Selection/LearnerChoice.swift).
    public struct Selection: Sendable {
        /// `auto` replaces a simpler learner only when the other's cross-fitted weighted F1 is higher by more
        /// than this. On the default data gbdt and logistic tie within 0.003 on test while gbdt's model scores
        /// a track several times slower.
        public var learnerMargin = 0.003
        /// `auto` only chooses learners whose model costs at most this many trees of a per-tag model to score
        /// a track (a deterministic proxy of scoring time; a pooled tag and tree counts 0.41, README); 0 lifts
        /// the limit. The default keeps the chosen model within about 200 µs a track (about 10 ns a tree
        /// measured, README Latency).
        public var maxTreesPerTrack = 20_000
        /// A mean of the networks replaces the primary network as the base score only when its cross-fitted
        /// weighted F1 is higher by more than this, and the learned blend replaces the incumbent likewise
        /// (the smallest margin that kept the primary network on the MTG-Jamendo set where it is best and took
        /// the mean on the set where the mean gains, over nine fold assignments: README, How the stacker works).
        public var baseMargin = 0.0075
        /// A decision rule replaces a simpler one (thresholds, then at least one per class, per track,
        /// hierarchical) only when its cross-fitted weighted F1 is higher by more than this.
        public var ruleMargin = 0.0005
    }

    /// Throws `OptionError` naming the first bad value (`TrainOptions.table` states every range), e.g.
    /// `folds=1 should be 0 (no cross-validation) or at least 2`.
    public func validate() throws {
        for option in TrainOptions.table { try option.check(self) }
        if learner == nil && candidates.isEmpty { throw OptionError("candidates", value: "[]", "should list at least one learner for auto") }
        if guards.confidence > 0 && guards.bootstrapDraws < 1 {
            throw OptionError("guards.bootstrapDraws", value: guards.bootstrapDraws, "should be at least 1 when guards.confidence > 0")
        }
    }

    /// The learners this run trains: the one asked for, or `auto`'s candidates in complexity order.
    var learnersToTry: [LearnerKind] {
        if let learner { return [learner] }
        let listed = Set(candidates)
        return LearnerKind.byComplexity.filter(listed.contains)
    }

    func boostingParameters(rounds: Int, earlyStopping: Int, seed: UInt64, pooled isPooled: Bool = false) -> BoostingParameters {
        BoostingParameters(numLeaves: isPooled ? pooled.leaves : boosting.leaves, minDataInLeaf: boosting.minDataInLeaf,
                           lambdaL2: boosting.lambdaL2, learningRate: isPooled ? pooled.learningRate : boosting.learningRate,
                           numRounds: rounds, featureFraction: boosting.featureFraction, earlyStoppingRounds: earlyStopping,
                           seed: seed, gradientBins: gradientBins(pooled: isPooled), thresholdStepRows: boosting.thresholdStepRows)
    }

    /// Gradient levels of the automatic choice (`Boosting.gradientBins` nil) with `--features all`.
    static let automaticGradientBins = 4

    /// The gradient levels a boosted learner trains with: the ones asked for, else `automaticGradientBins` for
    /// per-tag models over every input column and exact gradients otherwise (the pooled model reads only the
    /// per-tag features).
    func gradientBins(pooled isPooled: Bool) -> Int {
        boosting.gradientBins ?? (features == .all && !isPooled ? Self.automaticGradientBins : 0)
    }
}
