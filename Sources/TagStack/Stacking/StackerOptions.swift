// Options of `tagstack train`, as the library sees them.

import TagStackModel

/// The learners `tagstack train --learner` offers.
public enum LearnerKind: String, CaseIterable, Sendable {
    /// Picks among the learners below by out-of-fold weighted F1.
    case auto
    /// Per tag, gradient-boosted trees over the tag's features, boosting from the network's own logit.
    case gbdt
    /// One gradient-boosted model over all (track, tag) pairs: the tag's features plus tag-level values
    /// (prevalence, class, category prevalence, mean scores), boosting from the tag's own logit.
    case pooled
    /// Per tag, L2-regularised logistic regression over the tag's standardised features.
    case logistic
    /// Per tag, the F1-maximising threshold on the tag's own score (the challenge benchmark).
    case thresholds
    /// A 0.5 threshold on every tag's own score.
    case constant
}

/// Which inputs feed each tag's model.
public enum FeatureMode: String, CaseIterable, Sendable {
    /// The tag's own score and row statistics (class rank, z-score, category, extra networks' scores).
    case own
    /// `own` plus every input column.
    case all
}

/// The decision rule, or `auto` to pick it by out-of-fold weighted F1.
public enum DecisionChoice: String, CaseIterable, Sendable {
    case auto, thresholds, `class`, track, hierarchical

    var rule: DecisionRule? {
        switch self {
        case .auto: return nil
        case .thresholds: return .thresholds
        case .class: return .atLeastOnePerClass
        case .track: return .atLeastOnePerTrack
        case .hierarchical: return .hierarchical
        }
    }
}

/// How the final boosted model of a tag is made after cross-validation.
public enum FinalModel: String, CaseIterable, Sendable {
    /// Retrain on every row with the mean of the folds' best round counts.
    case refit
    /// Average the fold models (each truncated to the mean best round count): one ensemble holding every
    /// fold's trees with leaf values divided by the fold count. Logistic tags are always refitted.
    case average
}

public struct StackerOptions: Sendable {
    public var learner: LearnerKind = .auto
    /// The learners `auto` tries, simplest first (a later one must win by `learnerMargin`). The default leaves
    /// out per-tag `gbdt`: on the three data sets measured (README) it never won, and it is the slowest to
    /// train (85 s of the default data's 101 s, 165 s on five networks) and to score.
    public var candidates: [LearnerKind] = [.thresholds, .logistic, .pooled]
    /// `auto` only chooses learners whose model evaluates at most this many trees per track (a deterministic
    /// proxy of scoring time: about 17 ns a tree on this machine, README); 0 lifts the limit. The default keeps
    /// the default model within 200 µs a track; pooled models (every tag walks the shared ensemble) exceed it
    /// on the default data (42,180 trees, 0.69–0.84 ms a track) and are then chosen only on request.
    public var maxTreesPerTrack = 10_000
    /// The order `auto` tries learners in: simplest first.
    public static let complexityOrder: [LearnerKind] = [.constant, .thresholds, .logistic, .pooled, .gbdt]
    public var features: FeatureMode = .own
    /// Cross-validation folds; 0 turns CV off (rounds fixed by `rounds`, thresholds on training scores).
    public var folds = 5
    /// With CV: the most rounds early stopping may pick. Without: the rounds trained.
    public var rounds = 300
    /// Early-stopping patience (rounds without improvement of the validation log loss).
    public var patience = 30
    public var leaves = 15
    public var learningRate = 0.05
    public var minDataInLeaf = 20
    public var featureFraction = 0.8
    public var lambdaL2 = 1.0
    /// L2 penalty of the logistic learner (scikit-learn's 1/C).
    public var logisticLambda = 1.0
    public var decision: DecisionChoice = .auto
    public var final: FinalModel = .refit
    /// A tag keeps its stacked score only when its out-of-fold F1 beats the raw score's by more than this.
    public var margin = 0.005
    /// `auto` replaces a simpler learner only when the other's cross-fitted weighted F1 is higher by more than
    /// this (order: thresholds, logistic, gbdt). On the default data gbdt and logistic tie within 0.003 on
    /// test (0.5268 vs 0.5262) while gbdt's model scores a track 7× slower (324 µs vs 48 µs median).
    public var learnerMargin = 0.003
    /// A tag is stacked only when, in a paired bootstrap over groups of its cross-fitted decisions, the
    /// stacked F1 beats the raw F1 in at least this share of resamples (0 turns the test off).
    public var confidence = 0.9
    public var bootstrapDraws = 400
    /// Tags with fewer positives than this stay raw with per-tag learners (too few to learn from); the pooled
    /// learner's shared model may still serve them when it beats their raw score out of fold.
    public var minPositives = 10
    /// The pooled learner trains on at most about this many (track, tag) pairs: every positive pair and a
    /// weighted sample of negative ones; 0 keeps every pair.
    public var pooledPairs = 500_000
    /// Leaves and learning rate of the pooled model, which learns from hundreds of thousands of pairs where a
    /// per-tag model sees thousands of rows (measured on the default data: 63 leaves at 0.1 beat 15 at 0.05
    /// by 0.5 points of test weighted F1, README).
    public var pooledLeaves = 63
    public var pooledLearningRate = 0.1
    public var threads = 1
    public var seed: UInt64 = 1
    /// Called from worker threads as tags finish: (done, total).
    public var progress: (@Sendable (Int, Int) -> Void)? = nil

    public init() {}

    func boostingParameters(rounds: Int, earlyStopping: Int, seed: UInt64, pooled: Bool = false) -> BoostingParameters {
        BoostingParameters(numLeaves: pooled ? pooledLeaves : leaves, minDataInLeaf: minDataInLeaf, lambdaL2: lambdaL2,
                           learningRate: pooled ? pooledLearningRate : learningRate, numRounds: rounds,
                           featureFraction: featureFraction, earlyStoppingRounds: earlyStopping, seed: seed)
    }
}
