import Foundation
#if canImport(Glibc)
import Glibc
#endif
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
        try OutputTarget.checkDistinct(outputs: [("--decisions", decisions)] + (scores.map { [("--scores", $0)] } ?? []),
                                       inputs: [("--model", modelPath), ("--input", input)])
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
    /// What the path names is checked first (without opening it: a FIFO would block), so a folder, a device, a
    /// FIFO or a loop of symbolic links is said as such.
    static func loadModel(_ path: String) throws -> StackerModel {
        var st = stat()
        if stat(path, &st) != 0 {
            switch errno {
            case ELOOP: throw DataError(.unreadable, file: path, "cannot read the model: a loop of symbolic links")
            case EACCES: throw DataError(.unreadable, file: path, "cannot read the model: no permission to reach it")
            case ENOTDIR: throw DataError(.missingFile, file: path, "model file not found (a component of the path is not a folder)")
            default:
                var l = stat()
                if lstat(path, &l) == 0 { throw DataError(.missingFile, file: path, "model file not found: a symbolic link to a file that does not exist") }
                throw DataError(.missingFile, file: path, "model file not found")
            }
        }
        switch st.st_mode & S_IFMT {
        case S_IFREG: break
        case S_IFDIR: throw DataError(.unreadable, file: path, "is a folder, not a model file")
        case S_IFIFO: throw DataError(.unreadable, file: path, "is a FIFO (named pipe), not a model file")
        case S_IFCHR, S_IFBLK: throw DataError(.unreadable, file: path, "is a device, not a model file")
        default: throw DataError(.unreadable, file: path, "is not a regular file, not a model file")
        }
        if access(path, R_OK) != 0 { throw DataError(.unreadable, file: path, "cannot read the model: no permission to read it") }
        if st.st_size > StackerModel.maximumFileBytes {
            throw DataError(.modelMismatch, file: path, "the model file has \(st.st_size) bytes, more than the \(StackerModel.maximumFileBytes) a model may have")
        }
        do { return try StackerModel.load(contentsOf: URL(fileURLWithPath: path)) } catch let e as ModelError {
            throw DataError(.modelMismatch, file: path, e.description)
        }
    }
}
