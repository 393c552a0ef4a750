// Scoring: input rows (by column name) → per-tag probabilities → decisions.

/// Maps a caller's column layout onto a model's inputs and scores rows.
public struct ModelScorer: Sendable {
    public let model: StackerModel
    /// For each tag, the index in `model.inputColumns` of its own score column (raw path).
    let ownColumn: [Int]

    public init(model: StackerModel) throws {
        try model.validate()
        self.model = model
        var index: [String: Int] = [:]
        for (j, c) in model.inputColumns.enumerated() { index[c] = j }
        ownColumn = model.tags.map { index[$0.name] ?? -1 }
    }

    /// For each model input column, its position among `columns`. Throws `ModelError.missingColumns` naming
    /// every absent column. Columns the model does not use are ignored.
    public func columnMapping(for columns: [String]) throws -> [Int] {
        var index: [String: Int] = [:]
        for (j, c) in columns.enumerated() where index[c] == nil { index[c] = j }
        var missing: [String] = []
        let map = model.inputColumns.map { name -> Int in
            if let j = index[name] { return j }
            missing.append(name); return -1
        }
        if !missing.isEmpty { throw ModelError.missingColumns(missing) }
        return map
    }

    /// Probabilities for one row given in the model's input column order (`model.inputColumns`).
    public func probabilities(inputRow x: UnsafeBufferPointer<Double>, into out: UnsafeMutableBufferPointer<Double>) {
        for k in 0..<model.tags.count {
            switch model.tags[k].path {
            case .raw: out[k] = x[ownColumn[k]]
            case .stacked: out[k] = x[ownColumn[k]]   // replaced by the stacker's scorer
            }
        }
    }

    /// Probabilities for one row given by column name. Throws when a needed column is missing.
    public func probabilities(named row: [String: Double]) throws -> [Double] {
        var missing: [String] = []
        let x = model.inputColumns.map { name -> Double in
            if let v = row[name] { return v }
            missing.append(name); return .nan
        }
        if !missing.isEmpty { throw ModelError.missingColumns(missing) }
        var out = [Double](repeating: 0, count: model.tags.count)
        x.withUnsafeBufferPointer { xp in out.withUnsafeMutableBufferPointer { probabilities(inputRow: xp, into: $0) } }
        return out
    }

    /// Probabilities for many rows: `values` is row-major with `columns` columns laid out as `mapping`
    /// (from `columnMapping(for:)`) describes. Returns row-major rows × tags.
    public func probabilities(rows: Int, columns: Int, values: [Double], mapping: [Int]) -> [Double] {
        let t = model.tags.count, m = mapping.count
        var out = [Double](repeating: 0, count: rows * t)
        var x = [Double](repeating: 0, count: m)
        values.withUnsafeBufferPointer { v in
            out.withUnsafeMutableBufferPointer { o in
                x.withUnsafeMutableBufferPointer { xb in
                    for i in 0..<rows {
                        for j in 0..<m { xb[j] = v[i * columns + mapping[j]] }
                        probabilities(inputRow: UnsafeBufferPointer(xb), into: UnsafeMutableBufferPointer(rebasing: o[(i * t)..<((i + 1) * t)]))
                    }
                }
            }
        }
        return out
    }
}
