// One entry point for X and y files in either layout: Mewo CSV (`ChallengeID` + named columns) or the
// MediaEval NumPy layout (`.npy` matrices whose columns are the tags in labels.csv order, optionally
// followed by the categories; rows identified by their 0-based index, written as text).

import TagStackModel

public enum DataFiles {
    static func isNPY(_ path: String) -> Bool { path.lowercased().hasSuffix(".npy") }

    /// Reads an X file. For `.npy`, column names come from `labels`: the tags, then (if the matrix is wider)
    /// the categories.
    public static func readFeatures(path: String, labels: LabelSet, options: FeatureReadOptions = .init()) throws -> FeatureTable {
        guard isNPY(path) else { return try MewoIO.readFeatures(path: path, options: options) }
        let m = try NPY.read(path: path)
        let names: [String]
        if m.columns == labels.count { names = labels.tags }
        else if m.columns == labels.count + labels.categories.count { names = labels.tags + labels.categories }
        else {
            throw DataError(.badNPY, file: path,
                            "has \(m.columns) columns; expected \(labels.count) (one per tag) or \(labels.count + labels.categories.count) (tags, then categories)")
        }
        for (k, v) in m.values.enumerated() where !v.isFinite && !(options.allowMissing && v.isNaN) {
            throw DataError(.nonFinite, file: path, line: nil, column: nil, columnName: names[k % m.columns],
                            "non-finite value \(v) at row \(k / m.columns), column \(k % m.columns) ('\(names[k % m.columns])')")
        }
        return FeatureTable(ids: (0..<m.rows).map { String($0) }, columns: names, values: m.values)
    }

    /// Reads a y file aligned to `ids`. For `.npy`, rows are matched by position and must number `ids.count`.
    public static func readLabels(path: String, labels: LabelSet, alignTo ids: [String], idsSource: String) throws -> LabelMatrix {
        guard isNPY(path) else {
            return try MewoIO.readLabelMatrix(path: path, labels: labels, alignTo: ids, idsSource: idsSource)
        }
        let m = try NPY.read(path: path)
        guard m.columns == labels.count else {
            throw DataError(.badNPY, file: path, "has \(m.columns) columns; expected \(labels.count) (one per tag)")
        }
        guard m.rows == ids.count else {
            throw DataError(.badNPY, file: path, "has \(m.rows) rows; \(idsSource) has \(ids.count)")
        }
        var values = [UInt8](repeating: 0, count: m.values.count)
        for (k, v) in m.values.enumerated() {
            if v == 1 { values[k] = 1 } else if v != 0 {
                throw DataError(.notBinary, file: path, columnName: labels.tags[k % m.columns],
                                "value \(v) at row \(k / m.columns), column \(k % m.columns) ('\(labels.tags[k % m.columns])') is not 0 or 1")
            }
        }
        return LabelMatrix(ids: ids, tags: labels.tags, values: values)
    }
}
