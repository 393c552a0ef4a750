import Foundation
import TagStack
import TagStackModel

enum PredictCommand {
    static let help = """
    USAGE: tagstack predict --model M.json --input X.csv --decisions D.csv [--scores P.csv]

    Scores every row of X (CSV or .npy; CSV is streamed, so files larger than memory work) and writes 0/1
    decisions in the y layout (ChallengeID then one column per tag, IDs in X's order) and, with --scores,
    the probabilities in the same layout. Columns the model does not use are ignored (said once). Both
    files are written atomically: nothing is left behind when an error stops the run.

    OPTIONS:
      --model FILE        A model written by 'tagstack train' (required)
      --input FILE        Features to score, .csv or .npy (required)
      --decisions FILE    Where to write 0/1 decisions (required)
      --scores FILE       Where to write probabilities
      --allow-missing     Read empty cells and NaN as missing values instead of failing
      --quiet             Say nothing on stderr
    """

    static func run(_ args: inout Arguments) throws {
        let modelPath = try args.required("--model")
        let input = try args.required("--input")
        let decisions = try args.required("--decisions")
        let scores = try args.string("--scores")
        let allowMissing = args.flag("--allow-missing")
        let quiet = args.flag("--quiet")
        try args.finish()
        let model = try loadModel(modelPath)
        let summary = try Predictor.predictFile(model: model, inputPath: input, decisionsPath: decisions,
                                                scoresPath: scores, options: FeatureReadOptions(allowMissing: allowMissing))
        if !quiet {
            if !summary.ignoredColumns.isEmpty {
                note("note: \(input): ignoring \(summary.ignoredColumns.count) column(s) the model does not use (\(summary.ignoredColumns.prefix(5).joined(separator: ", "))\(summary.ignoredColumns.count > 5 ? ", ..." : ""))")
            }
            note("scored \(summary.rows) rows → \(decisions)\(scores.map { " and \($0)" } ?? "")")
        }
    }

    /// Loads a model, turning model errors into messages that name the file.
    static func loadModel(_ path: String) throws -> StackerModel {
        guard FileManager.default.fileExists(atPath: path) else { throw DataError(.missingFile, file: path, "model file not found") }
        do { return try StackerModel.load(contentsOf: URL(fileURLWithPath: path)) } catch let e as ModelError {
            throw DataError(.modelMismatch, file: path, e.description)
        }
    }
}
