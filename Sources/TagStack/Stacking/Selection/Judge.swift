// The never-worse test: a tag keeps a learned (stacked or pooled) score over its base score only when the
// learned score wins out of fold by the margin, ranks no worse (average precision) and wins in
// `guards.confidence` of paired bootstrap resamples over groups.

import TagStackModel

enum Judge {
    /// Whether a tag keeps its learned out-of-fold scores over its base score.
    struct Verdict {
        var baseF1: Double
        var learnedF1: Double
        /// The learned score's F1-maximising threshold on every training row (nil unless kept).
        var threshold: Double?
        /// `learned` when kept, else the test that failed (the `--report` reason).
        var reason: String
        /// The tag's labels (for a threshold fitted later).
        var labels: [UInt8]
        /// Whether the tag keeps its learned score: every test passed.
        var keep: Bool { reason == Verdict.learned }
        static let learned = "learned"
    }

    static func verdict(y: [UInt8], base: [Double], baseDecisions: [Bool], learned oof: [Double], support: Int,
                        context c: FoldContext, seed: UInt64) -> Verdict {
        let o = c.options.guards
        let learnedDecisions = c.decisions(oof, labels: y)
        let baseF1 = TagCounts(decisions: baseDecisions, labels: y).f1, learnedF1 = TagCounts(decisions: learnedDecisions, labels: y).f1
        // Predicting every track gives F1 = 2p / (1 + p) for prevalence p; a learned score that only wins by
        // approaching that (where the raw score fails in training) has learned nothing about the tag.
        let prevalence = Double(support) / Double(y.count)
        let predictAll = 2 * prevalence / (1 + prevalence)
        // Where the network shows no skill in training (no better than predicting everything), what a model
        // learns from these labels does not transfer (measured on MTG-Jamendo: artist-specific tags whose
        // raw score fails in training and works on new artists); such tags stay raw.
        var reason = Verdict.learned
        if !(baseF1 > predictAll) { reason = "no skill" }
        else if !(learnedF1 > baseF1 + o.margin) { reason = "margin" }
        // Never rank worse: the learned probabilities are written as scores too.
        if reason == Verdict.learned, let apS = Metrics.averagePrecision(labels: y, scores: oof), let apR = Metrics.averagePrecision(labels: y, scores: base),
           !(apS >= apR) {
            reason = "average precision lower"
        }
        if reason == Verdict.learned, o.confidence > 0 {
            let p = CrossFit.probabilityBetter(learnedDecisions, than: baseDecisions, labels: y, units: c.units ?? Array(0..<y.count),
                                               draws: o.bootstrapDraws, seed: SplitMix64.derive(seed, 0xB007))
            if !(p >= o.confidence) { reason = String(format: "bootstrap %.2f < %.2f", p, o.confidence) }
        }
        let threshold = reason == Verdict.learned ? ThresholdSearch.best(scores: oof, labels: y).threshold : nil
        return Verdict(baseF1: baseF1, learnedF1: learnedF1, threshold: threshold, reason: reason, labels: y)
    }
}
