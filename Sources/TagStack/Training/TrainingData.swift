// The inputs of training, loaded and checked together: labels, X, y aligned to X, optional groups.

import TagStackModel

/// Where the training files are. `init(directory:)` gives the Mewo names inside one folder.
public struct TrainingFiles: Sendable {
    public var labels: String
    public var x: String
    public var y: String
    /// Optional; when nil, `<dir>/train_groups.csv` is used if it exists (see `resolvingGroups`).
    public var groups: String?
    /// Names of an `.npy` X's columns (a columns file); nil: the tags, then the categories.
    public var xColumns: [String]?

    public init(labels: String, x: String, y: String, groups: String? = nil) {
        self.labels = labels; self.x = x; self.y = y; self.groups = groups
    }

    public init(directory: String) {
        self.init(labels: directory + "/labels.csv", x: directory + "/train_X.csv", y: directory + "/train_y.csv")
    }
}

/// Labels, features, targets and groups of one training run, rows aligned.
public struct TrainingData: Sendable {
    public var labels: LabelSet
    public var x: FeatureTable
    /// The targets, one 0/1 column per tag (`labelColumns[tag][row]`, rows aligned to `x`): training reads
    /// them a tag at a time, and holds them once, in this layout.
    public var labelColumns: [[UInt8]]
    public var groups: GroupTable?
    /// For each tag, the index of its own score column in `x`.
    public var tagColumns: [Int]

    public init(labels: LabelSet, x: FeatureTable, labelColumns: [[UInt8]], groups: GroupTable?, tagColumns: [Int]) {
        precondition(labelColumns.count == labels.count && labelColumns.allSatisfy { $0.count == x.rowCount },
                     "TrainingData: label columns do not match tags × rows")
        self.labels = labels; self.x = x; self.labelColumns = labelColumns; self.groups = groups; self.tagColumns = tagColumns
    }

    /// From a y matrix in the file's layout (rows aligned to `x`).
    public init(labels: LabelSet, x: FeatureTable, y: LabelMatrix, groups: GroupTable?, tagColumns: [Int]) {
        self.init(labels: labels, x: x, labelColumns: (0..<y.tags.count).map { y.column($0) }, groups: groups, tagColumns: tagColumns)
    }

    /// The targets in the y file's layout (rows × tags): a copy built on every read, for tests and reports
    /// (training reads `labelColumns`); setting it replaces `labelColumns`.
    public var y: LabelMatrix {
        get {
            let n = x.rowCount, t = labelColumns.count
            var values = [UInt8](repeating: 0, count: n * t)
            for (k, column) in labelColumns.enumerated() { for i in 0..<n { values[i * t + k] = column[i] } }
            return LabelMatrix(ids: x.ids, tags: labels.tags, values: values)
        }
        set { labelColumns = (0..<newValue.tags.count).map { newValue.column($0) } }
    }

    /// The first row (in X's order) whose labels are not exactly one, with its label count; nil when every
    /// row has exactly one (a one-label training set).
    public var firstRowNotOneLabel: (row: Int, labels: Int)? {
        var count = [Int](repeating: 0, count: x.rowCount)
        for column in labelColumns { for (i, v) in column.enumerated() where v != 0 { count[i] += 1 } }
        return count.firstIndex { $0 != 1 }.map { ($0, count[$0]) }
    }

    /// Loads and cross-checks the files. Errors name the file, line and column.
    public static func load(_ files: TrainingFiles, options: FeatureReadOptions = .init()) throws -> TrainingData {
        let labels = try MewoIO.readLabels(path: files.labels)
        let x = try DataFiles.readFeatures(path: files.x, labels: labels, columnNames: files.xColumns, options: options)
        let tagColumns = try requireTagColumns(x: x, labels: labels, path: files.x)
        let y = try DataFiles.readLabelColumns(path: files.y, labels: labels, alignTo: x.ids, idsSource: files.x)
        let groups = try files.groups.map { try readGroups(path: $0, x: x, xPath: files.x) }
        return TrainingData(labels: labels, x: x, labelColumns: y, groups: groups, tagColumns: tagColumns)
    }

    /// Whether a groups file is paired with X's rows by position (an `.npy` X, whose rows have no ID, or an
    /// `.npy` groups file) rather than by `ChallengeID`.
    public static func groupsByPosition(groups: String, x: String) -> Bool { DataFiles.isNPY(groups) || DataFiles.isNPY(x) }

    /// The groups of X's rows: a CSV (`ChallengeID` then group columns) matched by ID to a CSV X, or by
    /// position to an `.npy` X (its ID column is then not used); an `.npy` of group ids (1-D, or one column per
    /// group kind) by position. Either way the row counts must agree.
    static func readGroups(path: String, x: FeatureTable, xPath: String) throws -> GroupTable {
        let n = x.rowCount
        if DataFiles.isNPY(path) {
            let m = try DataFiles.readRows(path: path)
            guard m.rows == n else {
                throw DataError(.badNPY, file: path, "has \(m.rows) rows; \(xPath) has \(n) (an .npy groups file is paired with X's rows by position)")
            }
            let columns = m.columns == 1 ? ["group"] : (1...m.columns).map { "group \($0)" }
            var values = [[String]](repeating: [], count: m.columns)
            for i in 0..<n {
                for c in 0..<m.columns {
                    let v = m.values[i * m.columns + c]
                    guard v.isFinite else {
                        throw DataError(.nonFinite, file: path, "group id \(v) at row \(i), column \(c): group ids must be finite numbers")
                    }
                    values[c].append(v == v.rounded() && abs(v) < 1e15 ? String(Int64(v)) : String(v))
                }
            }
            return GroupTable(ids: x.ids, columns: columns, values: values)
        }
        guard DataFiles.isNPY(xPath) else { return try MewoIO.readGroups(path: path, alignTo: x.ids, idsSource: xPath) }
        let g = try MewoIO.readGroups(path: path, alignTo: nil)
        guard g.ids.count == n else {
            throw DataError(.missingID, file: path, "has \(g.ids.count) rows; the .npy X \(xPath) has \(n) (with an .npy X the groups file's rows are paired with X's rows by position)")
        }
        return GroupTable(ids: x.ids, columns: g.columns, values: g.values)
    }

    /// The index in `x` of every tag's own score column; a missing one is an error naming the tags.
    /// `source` names where the tags come from, for the message.
    public static func requireTagColumns(x: FeatureTable, labels: LabelSet, path: String,
                                         source: String = "the labels file") throws -> [Int] {
        var index: [String: Int] = [:]
        for (j, c) in x.columns.enumerated() { index[c] = j }
        var missing: [String] = []
        let cols = labels.tags.map { t -> Int in
            if let j = index[t] { return j }
            missing.append(t); return -1
        }
        if !missing.isEmpty {
            throw DataError(.missingColumn, file: path, line: 1,
                            "no score column for \(missing.count) tag(s) of \(source): \(MewoIO.listNames(missing))")
        }
        return cols
    }
}
