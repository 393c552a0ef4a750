// The overall ETA of `train` before its last learner starts (tagstack's progress line). Learners differ in cost
// by orders of magnitude, so no single count of tags or rounds over all of them gives a meaningful pace. Each
// learner's work is therefore counted in units from the data's size and the options (`plan`) — rows × per-tag
// features × fits for the per-tag learners, pairs × features × planned rounds for the pooled one — weighted so
// that a unit costs about the same time whatever the learner (`weights`, measured), and the pace of this run
// (seconds a unit over the work already done, the running learner's share included) prices the learners still
// to come (`overallETA`). The running learner's own remainder keeps its own measured pace.

import TagStackModel

/// A learner of this run and its work, in units of about equal cost (`WorkEstimate.plan`).
public struct LearnerWork: Sendable, Equatable {
    public var name: String
    public var units: Double
    public init(name: String, units: Double) { self.name = name; self.units = units }
}

public enum WorkEstimate {
    /// Seconds a unit of each learner's work costs relative to a thresholds unit (a row × tag × fit of threshold
    /// search): the geometric means of the ratios measured from the progress lines' times of the default `train`
    /// on the generated data and on jamendo-blend (Benchmarks/README.md, "The overall ETA's weights"). `gbdt`
    /// (always the last learner, so only ever priced, never a pace) was not measured: it counts as the pooled
    /// model's boosting, per row × feature × round.
    static func weight(_ kind: LearnerKind) -> Double {
        switch kind {
        case .thresholds, .constant: return 1
        case .logistic: return 1.5
        case .pooled, .gbdt, .stumps: return 0.044
        }
    }

    /// The learners `train` will run on `data` with `options`, in order, with their work. Empty for one label a
    /// track (no learner runs).
    public static func plan(data: TrainingData, options o: StackerOptions) -> [LearnerWork] {
        let n = Double(data.x.rowCount), t = Double(data.labels.count)
        let fits = Double(o.folds >= 2 ? o.folds + 1 : 1)
        let kinds = o.learnersToTry.count > 1 && o.folds < 2 ? Array(o.learnersToTry.prefix(1)) : o.learnersToTry
        let d = Double(FeatureMatrix.defaultSet(for: data, mode: o.features).count)
        let pairs = o.pooled.pairs > 0 ? min(n * t, Double(o.pooled.pairs)) : n * t
        let rounds = Double(max(o.boosting.rounds, 1))
        return kinds.map { k in
            let units: Double
            switch k {
            case .thresholds, .constant: units = n * t * fits
            case .logistic: units = n * t * d * fits
            case .pooled: units = pairs * (d + Double(PooledLearner.tagFeatureNames.count)) * rounds * fits
            case .gbdt, .stumps: units = n * t * d * rounds * fits
            }
            return LearnerWork(name: k.rawValue, units: units * weight(k))
        }
    }

    /// Seconds left in the whole run of learners: the running learner's remainder at its own pace
    /// (`elapsedInRunning` for the share `fraction` done), and each later learner's units at the pace measured
    /// over every learner so far (`finished`: seconds each earlier learner took). nil until there is a pace.
    public static func overallETA(plan: [LearnerWork], running: Int, fraction: Double, elapsedInRunning: Double,
                                  finished: [Double]) -> Double? {
        guard running < plan.count, fraction > 0 else { return nil }
        let f = min(fraction, 1)
        let own = elapsedInRunning / f * (1 - f)
        let doneUnits = plan.prefix(running).reduce(0) { $0 + $1.units } + f * plan[running].units
        let doneSeconds = finished.prefix(running).reduce(0, +) + elapsedInRunning
        guard doneUnits > 0 else { return nil }
        let later = plan.dropFirst(running + 1).reduce(0) { $0 + $1.units }
        return own + later * doneSeconds / doneUnits
    }
}
