// The baselines: every tag on its own score, with its F1-maximising threshold (`thresholds`, the challenge
// benchmark) or 0.5 (`constant`). They learn nothing else, so they need no folds.

import TagStackModel

struct BaselineLearner: Learner {
    let kind: LearnerKind

    func run(_ c: FoldContext) throws -> LearnerRun {
        let t = c.tagCount
        let done = WorkCounter()
        let outcomes = parallelMap(t, threads: c.options.threads) { k -> TagOutcome in
            defer { c.options.progress?(done.next() + 1, t) }
            return .onBase(k, c, stackedF1: nil, constant: kind == .constant)
        }
        return LearnerRun(kind: kind, outcomes: outcomes, context: c)
    }
}
