// The registry of decision rules as training sees them: every fact about a rule beyond how the scorer applies it
// (TagStackModel's `Decider`) is stated here once, and the rest derives from it: `--decision`'s choices and help
// (`optionName`), the order `auto` tries rules in (`byComplexity`), the parameters a rule fits beyond the
// per-tag thresholds (`fitParameters`: the same call in the search, in cross-fitting and for the model) and the
// input columns it reads (`inputColumns`, which the model lists).
//
// Adding a decision rule: its case in `DecisionRule` with how `Decider` applies it (TagStackModel), and its facts
// here (the compiler asks for each switch).

import TagStackModel

extension DecisionRule {
    /// The rule's name on the command line (`--decision NAME`; `auto`, no rule, picks one by out-of-fold
    /// weighted F1).
    public var optionName: String {
        switch self {
        case .thresholds: return "thresholds"
        case .atLeastOnePerClass: return "class"
        case .atLeastOnePerTrack: return "track"
        case .hierarchical: return "hierarchical"
        }
    }

    public init?(optionName: String) {
        guard let rule = DecisionRule.allCases.first(where: { $0.optionName == optionName }) else { return nil }
        self = rule
    }

    /// The rules `auto` tries, simplest first: a later rule replaces the incumbent only when it wins by
    /// `selection.ruleMargin`.
    static let byComplexity: [DecisionRule] = [.thresholds, .atLeastOnePerClass, .atLeastOnePerTrack, .hierarchical]

    /// The rule's parameters beyond the per-tag thresholds, fitted on each row set `rows[s]` (nil: every row) of
    /// `scores` given the per-tag thresholds `thresholds[s]` (the sets fitted together: one read of the scores):
    /// the hierarchical rule's category thresholds; nil for the others.
    func fitParameters(data: TrainingData, scores: ScoreColumns, thresholds: [[Double?]], rows: [[Int]?]) -> [Hierarchy?] {
        switch self {
        case .hierarchical: return DecisionSearch.fitHierarchies(data: data, scores: scores, thresholds: thresholds, rows: rows)
        case .thresholds, .atLeastOnePerClass, .atLeastOnePerTrack: return rows.map { _ in nil }
        }
    }

    /// The X columns the rule reads besides the tags' features: the category columns of a hierarchical rule
    /// whose categories are scored by their own columns.
    func inputColumns(hierarchy: Hierarchy?, data: TrainingData) -> [Int] {
        switch self {
        case .hierarchical where hierarchy?.source == .column: return data.labels.categories.compactMap { data.x.columnIndex($0) }
        case .thresholds, .atLeastOnePerClass, .atLeastOnePerTrack, .hierarchical: return []
        }
    }
}
