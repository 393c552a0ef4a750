// Choosing the learner: the best cross-fitted weighted F1, where a later (more complex) learner must win by
// `selection.learnerMargin` so noise-level differences keep the simpler model; with a choice to make,
// learners whose model costs more trees a track than `selection.maxTreesPerTrack` (`LearnerRun.treesPerTrack`)
// are left out. A learner's
// variants (judged tag by tag, or every tag on its learned score: one choice for the label set) are models of
// the same kind and cost, so between them the better one is taken without a margin.

enum LearnerChoice {
    /// The run chosen among `runs` (in complexity order, each learner's variants together).
    static func choose(_ runs: [LearnerRun], options: StackerOptions) -> LearnerRun {
        let limit = options.selection.maxTreesPerTrack
        let affordable = runs.filter { runs.count == 1 || limit <= 0 || $0.treesPerTrack <= limit }
        guard !affordable.isEmpty else { return runs[0] }
        // Per learner kind, in order: its best variant (the judged one on ties).
        var perKind: [LearnerRun] = []
        for r in affordable {
            if let last = perKind.last, last.kind == r.kind {
                if r.thresholdsF1 > last.thresholdsF1 { perKind[perKind.count - 1] = r }
            } else {
                perKind.append(r)
            }
        }
        var best = perKind[0]
        for r in perKind.dropFirst() where r.thresholdsF1 > best.thresholdsF1 + options.selection.learnerMargin { best = r }
        return best
    }
}
