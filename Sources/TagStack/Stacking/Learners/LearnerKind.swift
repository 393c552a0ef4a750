// The registry of learners: every fact about a learner is stated here once, beside its case, and what the rest
// of the stacker and the CLI need derives from it: `--learner`'s choices and its help line (`allCases`), the
// order `auto` tries learners in (`complexity`), which learners need the feature matrix (`needsFeatures`) and
// which are baselines (`isBaseline`: no features, the primary base score, thresholds alone, folds only when the
// groups allow them).
//
// Adding a learner: a type conforming to `Learner` in a file of its own in this folder, and a case here with
// its facts (the compiler then asks for each switch).

/// The learners `tagstack train --learner` offers. `auto`, which chooses among them, is not one of them: it is
/// `StackerOptions.learner == nil`.
public enum LearnerKind: String, CaseIterable, Sendable {
    /// Per tag, gradient-boosted trees over the tag's features, boosting from the network's own logit.
    case gbdt
    /// Per tag, gradient-boosted stumps (one split a tree): an additive model of the tag's features.
    case stumps
    /// One gradient-boosted model over all (track, tag) pairs: the tag's features plus tag-level values
    /// (prevalence, class, category prevalence, mean scores), boosting from the tag's own logit.
    case pooled
    /// Per tag, L2-regularised logistic regression over the tag's standardised features.
    case logistic
    /// Per tag, the F1-maximising threshold on the tag's own score (the challenge benchmark).
    case thresholds
    /// A 0.5 threshold on every tag's own score.
    case constant

    /// Learns nothing but a threshold on each tag's own score (the benchmarks): no features, the primary
    /// network's score as the base, thresholds alone as the decision rule, and no folds when the data has too
    /// few groups for them.
    public var isBaseline: Bool {
        switch self {
        case .thresholds, .constant: return true
        case .gbdt, .stumps, .pooled, .logistic: return false
        }
    }

    /// Reads the feature matrix (`FeatureMatrix`): built once when any learner run needs it.
    var needsFeatures: Bool { !isBaseline }

    /// Rank by cost and capacity, simplest first: `auto` tries learners in this order, and a later one must
    /// win by `selection.learnerMargin`.
    public var complexity: Int {
        switch self {
        case .constant: return 0
        case .thresholds: return 1
        case .logistic: return 2
        case .stumps: return 3
        case .pooled: return 4
        case .gbdt: return 5
        }
    }

    /// What the learner is, in a few words (`tagstack help train` lists them).
    public var summary: String {
        switch self {
        case .gbdt: return "per tag, boosted trees"
        case .stumps: return "per tag, boosted one-split trees (an additive model)"
        case .pooled: return "one boosted model over every (track, tag) pair"
        case .logistic: return "per tag, logistic regression"
        case .thresholds: return "per tag, the F1-best threshold on its own score"
        case .constant: return "0.5 on every tag's own score"
        }
    }

    /// The learner itself.
    var learner: Learner {
        switch self {
        case .thresholds, .constant: return BaselineLearner(kind: self)
        case .logistic: return LogisticLearner()
        case .gbdt: return BoostedLearner()
        case .stumps: return StumpsLearner()
        case .pooled: return PooledLearner()
        }
    }

    /// Every learner, simplest first.
    public static let byComplexity = allCases.sorted { $0.complexity < $1.complexity }
}
