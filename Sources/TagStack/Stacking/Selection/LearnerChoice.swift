// Choosing the learner: the best cross-fitted weighted F1, where a later (more complex) learner must win by
// `selection.learnerMargin` so noise-level differences keep the simpler model; with a choice to make,
// learners whose model walks more trees per track than `selection.maxTreesPerTrack` are left out.

enum LearnerChoice {
    /// The run chosen among `runs` (in complexity order).
    static func choose(_ runs: [LearnerRun], options: StackerOptions) -> LearnerRun {
        let limit = options.selection.maxTreesPerTrack
        let affordable = runs.filter { runs.count == 1 || limit <= 0 || $0.treesPerTrack <= limit }
        var best = affordable.first ?? runs[0]
        for r in affordable.dropFirst() where r.weightedF1 > best.weightedF1 + options.selection.learnerMargin { best = r }
        return best
    }
}
