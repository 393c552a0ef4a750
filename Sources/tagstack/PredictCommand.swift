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
    the probabilities in the same layout. An output ending in .npy is written as a MediaEval matrix
    instead: tracks × tags, rows in input order, tags in labels.csv order; decisions as bool (or uint8,
    --npy-decisions), probabilities as float64 (held in memory until written). Columns the model does not use are ignored (said once).
    Both files are written atomically: nothing is left behind when an error stops the run.

    OPTIONS:
      --model FILE        A model written by 'tagstack train' (required)
      --input FILE        Features to score, .csv or .npy (required)
      --decisions FILE    Where to write 0/1 decisions, .csv or .npy (required)
      --scores FILE       Where to write probabilities, .csv or .npy
      --columns FILE      Names of an .npy input's columns, one per line or one comma-separated line (a CSV
                          header works); default: the tags, then the categories
      --npy-decisions T   bool | uint8: element type of .npy decisions (default: bool)
      --allow-missing     Read empty cells and NaN as missing values instead of failing
      --quiet             Say nothing on stderr
    """

    static func run(_ args: inout Arguments) throws {
        let modelPath = try args.required("--model")
        let input = try args.required("--input")
        let decisions = try args.required("--decisions")
        let scores = try args.string("--scores")
        let columnsPath = try args.string("--columns")
        let npyType = try args.choice("--npy-decisions", default: DecisionsNPYType.bool)
        let allowMissing = args.flag("--allow-missing")
        let quiet = args.flag("--quiet")
        try args.finish()
        try OutputTarget.checkDistinct(outputs: [("--decisions", decisions)] + (scores.map { [("--scores", $0)] } ?? []),
                                       inputs: [("--model", modelPath), ("--input", input)])
        if columnsPath != nil && !DataFiles.isNPY(input) {
            throw args.fail("--columns names an .npy input's columns; \(input) is a CSV file, whose header names them")
        }
        let model = try loadModel(modelPath, swapped: input)
        if !DataFiles.isNPY(input), startsLikeJSON(input) {
            throw DataError(.badIDColumn, file: input, line: 1, column: 1,
                            "this looks like JSON (a model file?), not a CSV of features: check which file goes with --model and which with --input")
        }
        let columns = try columnsPath.map { try DataFiles.readColumnNames(path: $0) }
        let summary = try Predictor.predictFile(model: model, inputPath: input, decisionsPath: decisions,
                                                scoresPath: scores, options: FeatureReadOptions(allowMissing: allowMissing),
                                                columnNames: columns, decisionsType: npyType == .bool ? .bool : .uint8)
        if !quiet {
            if !summary.ignoredColumns.isEmpty {
                note("note: \(input): ignoring \(summary.ignoredColumns.count) column(s) the model does not use (\(summary.ignoredColumns.prefix(5).joined(separator: ", "))\(summary.ignoredColumns.count > 5 ? ", ..." : ""))")
            }
            note("scored \(summary.rows) rows → \(decisions)\(scores.map { " and \($0)" } ?? "")")
        }
    }

    enum DecisionsNPYType: String, CaseIterable { case bool, uint8 }

    /// Loads a model, turning model errors into messages that name the file.
    /// What the path names is checked first (without opening it: a FIFO would block), so a folder, a device, a
    /// FIFO or a loop of symbolic links is said as such.
    /// `swapped`: the input file given with it; when the "model" looks like data (a CSV, an .npy) and the input
    /// looks like a model (.json), the message says the two options look swapped.
    static func loadModel(_ path: String, swapped input: String? = nil) throws -> StackerModel {
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
            var hint = ""
            if let input, looksLikeData(path), input.lowercased().hasSuffix(".json") || !looksLikeData(input) {
                hint = "; it looks like a data file: are --model and --input swapped? (--model \(input) --input \(path))"
            } else if looksLikeData(path) {
                hint = "; it looks like a data file, not a model written by 'tagstack train'"
            }
            throw DataError(.modelMismatch, file: path, e.description + hint)
        }
    }

    /// True when the file's first non-blank byte is `{`.
    static func startsLikeJSON(_ path: String) -> Bool {
        guard let h = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? h.close() }
        return h.readData(ofLength: 256).first(where: { ![0x20, 0x09, 0x0A, 0x0D, 0xEF, 0xBB, 0xBF].contains($0) }) == UInt8(ascii: "{")
    }

    /// True for a path that names or starts like a data file (CSV with a ChallengeID header, or .npy).
    static func looksLikeData(_ path: String) -> Bool {
        let lower = path.lowercased()
        if lower.hasSuffix(".csv") || lower.hasSuffix(".npy") { return true }
        guard let h = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? h.close() }
        let head = h.readData(ofLength: 64)
        return head.starts(with: [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]) || String(decoding: head, as: UTF8.self).contains(MewoIO.idColumn)
    }
}
