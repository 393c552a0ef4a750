// Assembling the model file from the chosen learner's run and decision rule: the input columns are the ones
// the model's own feature builder reads (plus the category columns of a hierarchical rule that reads them),
// so training never restates which columns scoring needs.

import TagStackModel

enum ModelAssembly {
    static func model(run: LearnerRun, rule: DecisionSearch.Choice, base: BaseScore?, data: TrainingData, features: FeatureSet?,
                      training: [String: String]) throws -> StackerModel {
        let learned = run.tags.contains { $0.path != .raw }
        let set = learned ? (run.featureSet ?? features) : nil
        let builder = try FeatureBuilder(set: set ?? FeatureSet(kinds: []), labels: data.labels, inputColumns: data.x.columns)
        var read = Set(builder.inputsRead)
        if let base {
            for tag in data.labels.tags { for n in base.networks { if let j = data.x.columnIndex(n + ":" + tag) { read.insert(j) } } }
        }
        read.formUnion(rule.rule.inputColumns(hierarchy: rule.hierarchy, data: data))
        // A model of raw tags reading nothing else lists its tags' columns in label order.
        let rawOnly = read.count == data.labels.count
        let inputs = rawOnly ? data.labels.tags : read.sorted().map { data.x.columns[$0] }
        let model = StackerModel(learner: run.kind.rawValue, labels: data.labels, inputColumns: inputs, tags: run.tags,
                                 decision: rule.rule, hierarchy: rule.hierarchy, features: set,
                                 pooled: learned ? run.pooled : nil, base: base, training: training)
        try model.validate()
        return model
    }
}
