import Foundation
import TagStack
import TagStackModel

enum ExportCommand {
    static let help = """
    USAGE: tagstack export --format lightgbm --model M.json --out DIR [--features-for X.csv [--columns FILE]]

    Writes the model's boosted tags as LightGBM text models (DIR/NNN_<tag>.txt, one per tag), DIR/features.json
    (feature names, each tag's path, file, initial score and threshold; raw tags listed as such) and
    DIR/README.txt (how to rebuild a tag's feature vector and initial score). LightGBM's raw score plus the
    initial score is TagStack's raw score. Logistic tags are listed, not exported. Files are written atomically.

    OPTIONS:
      --format NAME        lightgbm (the only format) (required)
      --model FILE         A model written by 'tagstack train' (required)
      --out DIR            Folder to write (created if missing; its contents are replaced as a set) (required)
      --features-for FILE  Also write DIR/features.csv: for every row of FILE (.csv or .npy) and boosted tag,
                           the feature vector, the initial score and TagStack's raw score
      --columns FILE       Names of an .npy --features-for file's columns, one per line or one CSV header
                           line; default: the tags, then the categories
      --allow-missing      Read empty cells and NaN in FILE as missing values instead of failing
      --quiet              Say nothing on stderr
    """

    static func run(_ args: inout Arguments) throws {
        let format = try args.required("--format")
        let modelPath = try args.requiredPath("--model")
        let out = try args.requiredPath("--out")
        let featuresFor = try args.path("--features-for")
        let columnsPath = try args.path("--columns")
        let allowMissing = args.flag("--allow-missing")
        let quiet = args.flag("--quiet")
        try args.finish()
        guard format == "lightgbm" else { throw args.fail("--format must be lightgbm, got '\(format)'") }
        if columnsPath != nil && !(featuresFor.map(DataFiles.isNPY) ?? false) {
            throw args.fail("--columns names an .npy --features-for file's columns\(featuresFor.map { "; \($0) is a CSV file, whose header names them" } ?? ": give --features-for X.npy")")
        }
        let model = try PredictCommand.loadModel(modelPath)
        let table = try featuresFor.map {
            try DataFiles.readFeatures(path: $0, labels: model.labels, columnNames: columnsPath.map { try DataFiles.readColumnNames(path: $0) },
                                       options: FeatureReadOptions(allowMissing: allowMissing))
        }
        if let table, let path = featuresFor {
            let have = Set(table.columns)
            let missing = model.inputColumns.filter { !have.contains($0) }
            if !missing.isEmpty {
                throw DataError(.missingColumn, file: path, line: 1, "lacks \(missing.count) column(s) the model needs: \(missing.prefix(8).map { "'\($0)'" }.joined(separator: ", "))\(missing.count > 8 ? ", ..." : "")")
            }
        }
        let s = try LightGBMExport.export(model: model, to: out, features: table)
        if !quiet {
            note("exported \(s.exportedTags) boosted tag(s) to \(out) (\(s.rawTags) raw, \(s.linearTags) logistic not exported)"
                 + (featuresFor != nil ? "; features.csv: \(s.featureRows) row × tag lines" : ""))
            if model.oneLabel != nil {
                note("note: the one-label stage (one distribution over the tags, decided by its argmax) is not expressible in LightGBM: written to features.json with its numbers, to apply after the per-tag scores (README.txt)")
            }
        }
    }
}
