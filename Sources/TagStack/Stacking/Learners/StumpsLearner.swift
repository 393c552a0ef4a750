// Per tag, gradient-boosted stumps: trees of one split (two leaves) over the tag's features, boosting from the
// base score's logit. A sum of stumps is an additive model: each feature's effect on the logit is a step function
// of that feature alone, with no interaction between features (a generalised additive model, as explainable
// boosting machines fit). In capacity it sits between the logistic learner (one slope a feature) and gbdt (trees
// of 15 leaves: interactions), and a tag's model reads as one curve a feature. The model is the boosted form, so
// it is saved, scored and exported as any gbdt tag; the fold protocol, rounds and early stopping are gbdt's.
// Not among `auto`'s default candidates (`--learner stumps`, or listed: `--learner logistic,stumps,pooled`).

struct StumpsLearner: Learner {
    var kind: LearnerKind { .stumps }

    func run(_ c: FoldContext) throws -> LearnerRun {
        try BoostedLearner(kind: kind).run(Self.context(c))
    }

    /// gbdt's context with trees of two leaves (what the permutation importance refits too).
    static func context(_ c: FoldContext) -> FoldContext {
        var stumps = c
        stumps.options.boosting.leaves = 2
        return stumps
    }
}
