// What `train` records and reports beyond the model itself, kept out of TrainCommand.swift: the groups entry
// of the model's `training` facts, and the `--html` page.

import Foundation
import TagStack
import TagStackModel

/// `train --html`: the out-of-fold page (Sources/TagStack/Report/TrainingPage.swift says how to add a section).
func writeTrainingHTML(_ result: StackerResult, data: TrainingData, files: TrainingFiles, options o: StackerOptions,
                       model: String, to path: String) throws {
    let facts: [(String, String)] = [
        ("model", model), ("labels", files.labels), ("X", files.x), ("y", files.y),
        ("groups", result.model.training["groups"] ?? "none"),
        ("tracks × tags", "\(data.x.rowCount) × \(data.labels.count)"),
        ("folds, seed", "\(o.folds), \(o.seed)"),
        ("margins", (result.levels.compactMap { l in l.margin.map { "\(l.name) \($0)" } }
                     + ["per tag, stacked over base score (--margin) \(o.guards.margin)"]).joined(separator: "; ")),
    ]
    let page = TrainingPage(result: result, facts: facts, margin: o.guards.margin, folds: o.folds).page()
    try AtomicFileWriter.write(bytes: Array(page.html().utf8), to: path)
}

/// The model's record of the groups cross-validation kept whole: the file's name (not its folder, so the
/// model does not depend on where the data lives), the columns and the number of groups (rows tied by a
/// shared value in any column count as one), e.g. `train_groups.csv: artist+album (189 groups)`.
func groupsDescription(_ groups: GroupTable?, file: String?) -> String {
    guard let groups else { return "none" }
    let count = Folds.groupCount(groups)
    let name = file.map { URL(fileURLWithPath: $0).lastPathComponent + ": " } ?? ""
    return "\(name)\(groups.columns.joined(separator: "+")) (\(count) groups)"
}

/// `train --importance`: the long-format CSV (tag, input, kind, value) of `Importance.rows` (with the gains
/// training measured), then the permutation importance's rows (`--permutation-repeats`), ready to commit with
/// the model.
func importanceCSV(_ result: StackerResult, to path: String) throws -> AtomicFileWriter {
    let w = try AtomicFileWriter(path: path)
    try w.write(MewoIO.csvRow(["tag", "input", "kind", "value"]))
    for r in Importance.rows(model: result.model, gain: result.gainImportance, pooledGain: result.pooledGainImportance) {
        try w.write(MewoIO.csvRow([r.tag, r.input, r.kind, MewoIO.formatNumber(r.value)]))
    }
    for r in result.permutation.map(Importance.rows(permutation:)) ?? [] {
        try w.write(MewoIO.csvRow([r.tag, r.input, r.kind, MewoIO.formatNumber(r.value)]))
    }
    return w
}
