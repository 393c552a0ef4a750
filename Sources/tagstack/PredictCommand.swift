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
        let modelPath = try args.requiredPath("--model")
        let input = try args.requiredPath("--input")
        let decisions = try args.requiredPath("--decisions")
        let scores = try args.path("--scores")
        let columnsPath = try args.path("--columns")
        let npyType = try args.choice("--npy-decisions", default: DecisionsNPYType.bool)
        let allowMissing = args.flag("--allow-missing")
        let quiet = args.flag("--quiet")
        try args.finish()
        if columnsPath != nil && !DataFiles.isNPY(input) {
            throw args.fail("--columns names an .npy input's columns; \(input) is a CSV file, whose header names them")
        }
        let model = try loadModel(modelPath, swapped: input)
        let columns = try columnsPath.map { try DataFiles.readColumnNames(path: $0) }
        let summary = try Predictor.predictFile(model: model, inputPath: input, decisionsPath: decisions,
                                                scoresPath: scores, options: FeatureReadOptions(allowMissing: allowMissing),
                                                columnNames: columns, decisionsType: npyType == .bool ? .bool : .uint8)
        if !quiet {
            if !summary.ignoredColumns.isEmpty {
                note("note: \(input): ignoring \(summary.ignoredColumns.count) column(s) the model does not use (\(summary.ignoredColumns.prefix(5).joined(separator: ", "))\(summary.ignoredColumns.count > 5 ? ", ..." : ""))")
            }
            let name = { (p: String) in p == "-" ? "standard output" : p }
            note("scored \(summary.rows) rows → \(name(decisions))\(scores.map { " and \(name($0))" } ?? "")")
        }
    }

    enum DecisionsNPYType: String, CaseIterable { case bool, uint8 }

    /// Loads a model, turning model errors into messages that name the file. What the path names is said
    /// as such (a folder, a missing file, a loop of links); a pipe or `-` is read once (`InputFiles`).
    /// `swapped`: the input file given with it; when the "model" looks like data (a CSV, an .npy) and the input
    /// looks like a model (.json), the message says the two options look swapped.
    static func loadModel(_ path: String, swapped input: String? = nil) throws -> StackerModel {
        let bytes: [UInt8]
        do { bytes = try InputFiles.readAll(path, what: "model file", limit: StackerModel.maximumFileBytes) } catch var e as DataError {
            if e.message.hasPrefix("is a folder") { e.message = "is a folder, not a model file" }
            throw e
        }
        do { return try StackerModel.decode(from: Data(bytes)) } catch let e as ModelError {
            var hint = ""
            if let input, looksLikeData(path, head: bytes), input.lowercased().hasSuffix(".json") || !looksLikeData(input) {
                hint = "; it looks like a data file: are --model and --input swapped? (--model \(input) --input \(path))"
            } else if looksLikeData(path, head: bytes) {
                hint = "; it looks like a data file, not a model written by 'tagstack train'"
            }
            throw DataError(.modelMismatch, file: path, e.description + hint)
        }
    }

    /// True for a path that names or starts like a data file (CSV with a ChallengeID header, or .npy). Reads
    /// only regular files (a pipe is never opened twice): `head` holds the bytes already read, if any.
    static func looksLikeData(_ path: String, head: [UInt8]? = nil) -> Bool {
        let lower = path.lowercased()
        if lower.hasSuffix(".csv") || lower.hasSuffix(".npy") { return true }
        var bytes = head.map { Array($0.prefix(64)) }
        if bytes == nil, InputFiles.isRegularFile(path), let h = FileHandle(forReadingAtPath: path) {
            defer { try? h.close() }
            bytes = (try? h.read(upToCount: 64)).map { [UInt8]($0) }
        }
        guard let bytes else { return false }
        return bytes.starts(with: [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]) || String(decoding: bytes, as: UTF8.self).contains(MewoIO.idColumn)
    }
}
