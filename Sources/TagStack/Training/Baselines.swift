// The baselines every stacker is measured against: a constant 0.5 threshold on each tag's own score, and
// the challenge benchmark, one F1-maximising threshold per tag fitted on the training scores.

import TagStackModel

/// Learners that use each tag's own first-stage score unchanged.
public enum BaselineLearner: String, CaseIterable, Sendable {
    /// Predict a tag when its score is at least 0.5.
    case constant
    /// Predict a tag when its score is at least the threshold that maximised F1 on the training rows.
    case thresholds
}

public enum Baselines {
    /// Fits a baseline model on `data`.
    /// - Parameter decision: the rule applied after thresholds (at least one per class or track, or none).
    public static func train(_ learner: BaselineLearner, data: TrainingData, decision: DecisionRule,
                             training: [String: String] = [:]) -> StackerModel {
        let n = data.x.rowCount
        let tags: [TagModel] = data.labels.tags.enumerated().map { k, name in
            switch learner {
            case .constant:
                return TagModel(name: name, path: .raw, threshold: 0.5)
            case .thresholds:
                let col = data.tagColumns[k], w = data.x.columnCount
                let scores = (0..<n).map { data.x.values[$0 * w + col] }
                let labels = (0..<n).map { data.y[$0, k] }
                return TagModel(name: name, path: .raw, threshold: ThresholdSearch.best(scores: scores, labels: labels).threshold)
            }
        }
        return StackerModel(learner: learner.rawValue, labels: data.labels, inputColumns: data.labels.tags,
                            tags: tags, decision: decision, training: training)
    }
}
