// Scoring: input rows (by column name or in the model's input order) → per-tag probabilities → decisions.

/// Scores rows with a model: maps a caller's columns onto the model's inputs, builds features, evaluates
/// each tag's path (raw score, trees or linear model) and applies the decision rule.
public struct ModelScorer: Sendable {
    public let model: StackerModel
    /// For each tag, the index in `model.inputColumns` of its own score column.
    let ownColumn: [Int]
    /// For each category, the index in `model.inputColumns` of its column, or -1.
    let categoryColumn: [Int]
    let builder: FeatureBuilder?
    let packed: [PackedTrees?]
    public let decider: Decider

    public init(model: StackerModel) throws {
        try model.validate()
        self.model = model
        var index: [String: Int] = [:]
        for (j, c) in model.inputColumns.enumerated() where index[c] == nil { index[c] = j }
        ownColumn = model.tags.map { index[$0.name]! }
        categoryColumn = model.labels.categories.map { index[$0] ?? -1 }
        if let f = model.features, model.tags.contains(where: { $0.path == .stacked }) {
            builder = try FeatureBuilder(set: f, labels: model.labels, inputColumns: model.inputColumns)
        } else {
            builder = nil
        }
        packed = model.tags.map { t in t.path == .stacked ? t.booster.map { PackedTrees($0.trees) } : nil }
        decider = Decider(model: model)
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

    /// A reusable per-thread workspace for `probabilities(inputRow:into:workspace:)`.
    public struct Workspace {
        var builder: FeatureBuilder?
        var features: [Double]
    }

    public func makeWorkspace() -> Workspace {
        Workspace(builder: builder, features: [Double](repeating: 0, count: model.features?.count ?? 0))
    }

    /// Probabilities for one row given in the model's input column order (`model.inputColumns`).
    public func probabilities(inputRow x: UnsafeBufferPointer<Double>, into out: UnsafeMutableBufferPointer<Double>,
                              workspace: inout Workspace) {
        if workspace.builder != nil { workspace.builder!.prepare(row: x) }
        for k in 0..<model.tags.count {
            let tag = model.tags[k]
            guard tag.path == .stacked else { out[k] = x[ownColumn[k]]; continue }
            workspace.features.withUnsafeMutableBufferPointer { f in
                workspace.builder!.features(tag: k, into: f)
                if let b = tag.booster {
                    var raw = tag.initScore == .ownLogit ? clippedLogit(x[ownColumn[k]]) : b.baseScore
                    packed[k]!.accumulateOne(UnsafeBufferPointer(f), into: &raw)
                    out[k] = sigmoid(raw)
                } else {
                    out[k] = sigmoid(tag.linear!.rawScore(UnsafeBufferPointer(f)))
                }
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
        var ws = makeWorkspace()
        x.withUnsafeBufferPointer { xp in out.withUnsafeMutableBufferPointer { probabilities(inputRow: xp, into: $0, workspace: &ws) } }
        return out
    }

    /// Decisions for one row given by column name.
    public func decisions(named row: [String: Double]) throws -> [UInt8] {
        let p = try probabilities(named: row)
        let cats = model.labels.categories.map { row[$0] ?? .nan }
        return decider.decide(rows: 1, probabilities: p, categoryScores: decider.needsCategoryColumns ? cats : nil)
    }

    /// Probabilities (rows × tags, row-major) and, when the decision rule reads category columns, category
    /// scores (rows × categories) for rows laid out as `mapping` describes (from `columnMapping(for:)`).
    /// Rows are split over `threads` threads; the result does not depend on the thread count.
    public func score(rows: Int, columns: Int, values: [Double], mapping: [Int], threads: Int = 1) -> (probabilities: [Double], categoryScores: [Double]?) {
        let t = model.tags.count, m = mapping.count, c = categoryColumn.count
        var out = [Double](repeating: 0, count: rows * t)
        var cats: [Double]? = decider.needsCategoryColumns ? [Double](repeating: .nan, count: rows * c) : nil
        let chunks = max(1, min(threads, rows / 64))
        values.withUnsafeBufferPointer { v in
            out.withUnsafeMutableBufferPointer { o in
                let o = o
                concurrentChunks(chunks) { chunk in
                    var ws = makeWorkspace()
                    var x = [Double](repeating: 0, count: m)
                    let lo = rows * chunk / chunks, hi = rows * (chunk + 1) / chunks
                    x.withUnsafeMutableBufferPointer { xb in
                        for i in lo..<hi {
                            for j in 0..<m { xb[j] = v[i * columns + mapping[j]] }
                            probabilities(inputRow: UnsafeBufferPointer(xb), into: UnsafeMutableBufferPointer(rebasing: o[(i * t)..<((i + 1) * t)]), workspace: &ws)
                        }
                    }
                }
            }
        }
        if cats != nil {
            for i in 0..<rows { for g in 0..<c where categoryColumn[g] >= 0 { cats![i * c + g] = values[i * columns + mapping[categoryColumn[g]]] } }
        }
        return (out, cats)
    }
}

import Dispatch

/// Runs `body(0..<n)` on up to `n` threads and waits.
func concurrentChunks(_ n: Int, _ body: (Int) -> Void) {
    if n <= 1 { body(0); return }
    DispatchQueue.concurrentPerform(iterations: n, execute: body)
}
