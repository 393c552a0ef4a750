// One entry point for X and y files in either layout: Mewo CSV (`ChallengeID` + named columns) or the
// MediaEval NumPy layout (`.npy` matrices, tracks × columns; rows identified by their 0-based index, written
// as text). An `.npy` X's columns are the tags in labels.csv order, optionally followed by the categories,
// or any columns a columns file names (`readColumnNames`), e.g. other networks' `NET:tag` scores.

import Foundation
import TagStackModel

public enum DataFiles {
    public static func isNPY(_ path: String) -> Bool { path.lowercased().hasSuffix(".npy") }

    /// The names of an `.npy` X's columns, from a text file: one comma-separated CSV record (a CSV header, read
    /// as RFC 4180: quoted names may hold commas, quotes and line ends; `head -1 train_X.csv > columns.txt`
    /// works; a leading `ChallengeID` is dropped), or else one name per line.
    public static func readColumnNames(path: String) throws -> [String] {
        let r = try CSVReader(path: path)
        guard try r.nextRecord() else { throw DataError(.emptyFile, file: path, "columns file names no column (one name per line, or one comma-separated line)") }
        let first = r.strings()
        var names: [String]
        if try !r.nextRecord() {
            names = first.map { $0.trimmingCharacters(in: .whitespaces) }
        } else {
            var text = String(decoding: try InputFiles.readAll(path), as: UTF8.self)
            if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
            names = text.split(omittingEmptySubsequences: true, whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" })
                .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        if names.first == MewoIO.idColumn { names.removeFirst() }
        if names.isEmpty { throw DataError(.emptyFile, file: path, "columns file names no column (one name per line, or one comma-separated line)") }
        var seen: [String: Int] = [:]
        for (j, n) in names.enumerated() {
            if n.isEmpty { throw DataError(.emptyColumnName, file: path, "column \(j + 1) has an empty name") }
            if let first = seen[n] { throw DataError(.duplicateColumn, file: path, "duplicate column '\(n)' (first as column \(first + 1))") }
            seen[n] = j
        }
        return names
    }

    /// A hint when a matrix's shape looks like the transpose of what was expected: `(columns, rows)`.
    static func transposeHint(_ m: NPYMatrix, expectedColumns: Int, expectedRows: Int? = nil) -> String {
        let looksTransposed = m.columns != expectedColumns && m.rows == expectedColumns
            && (expectedRows == nil || m.columns == expectedRows)
        return looksTransposed
            ? "; the shape looks transposed (tags × tracks): MediaEval matrices are tracks × tags, save it as `np.save(path, m.T)`"
            : ""
    }

    /// Reads an X file. For `.npy`, column names come from `columnNames` when given (as many as the matrix
    /// has columns), else from `labels`: the tags, then (if the matrix is wider) the categories.
    public static func readFeatures(path: String, labels: LabelSet, columnNames: [String]? = nil,
                                    options: FeatureReadOptions = .init()) throws -> FeatureTable {
        guard isNPY(path) else { return try MewoIO.readFeatures(path: path, options: options) }
        let m = try readRows(path: path)
        let names: [String]
        if let columnNames {
            guard m.columns == columnNames.count else {
                throw DataError(.badNPY, file: path, "has \(m.columns) columns (shape (\(m.rows), \(m.columns))); the columns file names \(columnNames.count)"
                                + transposeHint(m, expectedColumns: columnNames.count))
            }
            names = columnNames
        } else if m.columns == labels.count { names = labels.tags }
        else if m.columns == labels.count + labels.categories.count { names = labels.tags + labels.categories }
        else {
            let hint = transposeHint(m, expectedColumns: labels.count) + transposeHint(m, expectedColumns: labels.count + labels.categories.count)
            throw DataError(.badNPY, file: path,
                            "has \(m.columns) columns (shape (\(m.rows), \(m.columns))); expected \(labels.count) (one per tag) or \(labels.count + labels.categories.count) (tags, then categories)"
                            + (hint.isEmpty ? "; a matrix with other columns (e.g. other networks) needs --columns FILE naming them" : hint))
        }
        for (k, v) in m.values.enumerated() where !v.isFinite && !(options.allowMissing && v.isNaN) {
            throw DataError(.nonFinite, file: path, line: nil, column: nil, columnName: names[k % m.columns],
                            "non-finite value \(v) at row \(k / m.columns), column \(k % m.columns) ('\(names[k % m.columns])')")
        }
        return FeatureTable(ids: (0..<m.rows).map { String($0) }, columns: names, values: m.values)
    }

    /// Reads an `.npy` matrix that must hold at least one row (a CSV with a header and no row is refused the
    /// same way).
    public static func readRows(path: String) throws -> NPYMatrix {
        let m = try NPY.read(path: path)
        if m.rows == 0 { throw DataError(.headerOnly, file: path, "has no rows (shape (0, \(m.columns))): nothing to read") }
        return m
    }

    /// Reads an `.npy` matrix of `tags.count` columns and `rows` rows (when given), with a message naming the
    /// expected shape (and a hint when it looks transposed).
    public static func readMatrix(path: String, columns: Int, rows: Int?, what: String, rowsSource: String) throws -> NPYMatrix {
        let m = try readRows(path: path)
        guard m.columns == columns, rows == nil || m.rows == rows! else {
            let expected = "(\(rows.map(String.init) ?? "rows"), \(columns))"
            throw DataError(.badNPY, file: path, "shape (\(m.rows), \(m.columns)) does not fit: expected \(expected), \(what)"
                            + (rows != nil && m.columns == columns ? " (\(rowsSource) has \(rows!) rows)" : "")
                            + transposeHint(m, expectedColumns: columns, expectedRows: rows))
        }
        return m
    }

    /// 0/1 values of a matrix (bool, integer or float 0/1), as a label matrix; anything else is an error.
    public static func binary(_ m: NPYMatrix, path: String, ids: [String], tags: [String]) throws -> LabelMatrix {
        try checkBinary(m, path: path, tags: tags)
        return LabelMatrix(ids: ids, tags: tags, values: m.values.map { $0 == 1 ? 1 : 0 })
    }

    /// Throws for the first value of `m` (row-major) that is not 0 or 1.
    static func checkBinary(_ m: NPYMatrix, path: String, tags: [String]) throws {
        for (k, v) in m.values.enumerated() where v != 0 && v != 1 {
            throw DataError(.notBinary, file: path, columnName: tags[k % m.columns],
                            "value \(v) at row \(k / m.columns), column \(k % m.columns) ('\(tags[k % m.columns])') is not 0 or 1")
        }
    }

    /// Reads a y file aligned to `ids`. For `.npy`, rows are matched by position and must number `ids.count`.
    public static func readLabels(path: String, labels: LabelSet, alignTo ids: [String], idsSource: String) throws -> LabelMatrix {
        guard isNPY(path) else {
            return try MewoIO.readLabelMatrix(path: path, labels: labels, alignTo: ids, idsSource: idsSource)
        }
        return try binary(readLabelNPY(path: path, labels: labels, rows: ids.count, idsSource: idsSource), path: path, ids: ids, tags: labels.tags)
    }

    /// An `.npy` y matrix of one column per tag and `rows` rows.
    static func readLabelNPY(path: String, labels: LabelSet, rows: Int, idsSource: String) throws -> NPYMatrix {
        try readMatrix(path: path, columns: labels.count, rows: rows,
                       what: "one row per track of \(idsSource), one column per tag", rowsSource: idsSource)
    }

    /// Reads a y file aligned to `ids`, one 0/1 column per tag (`columns[tag][row]`). For `.npy`, rows are
    /// matched by position and must number `ids.count`.
    /// Where the row of `id` is in a y file: `line N` of a CSV file, `row N` of an `.npy` (whose rows follow
    /// X's, `rowInX` 0-based). The file has been read once already, so it reads again without error.
    public static func labelRowLocation(path: String, labels: LabelSet, id: String, rowInX: Int) throws -> (line: Int?, text: String) {
        guard !isNPY(path) else { return (nil, "row \(rowInX + 1)") }
        let lines = try MewoIO.scanLabelRows(path: path, labels: labels, unknownTagNote: "not in the labels file") { _, _ in }
        return (lines[id], "line \(lines[id].map(String.init) ?? "?")")
    }

    public static func readLabelColumns(path: String, labels: LabelSet, alignTo ids: [String], idsSource: String) throws -> [[UInt8]] {
        guard isNPY(path) else {
            return try MewoIO.readLabelColumns(path: path, labels: labels, alignTo: ids, idsSource: idsSource)
        }
        let m = try readLabelNPY(path: path, labels: labels, rows: ids.count, idsSource: idsSource)
        try checkBinary(m, path: path, tags: labels.tags)
        let t = m.columns
        return (0..<t).map { k in (0..<m.rows).map { m.values[$0 * t + k] == 1 ? 1 : 0 } }
    }
}
