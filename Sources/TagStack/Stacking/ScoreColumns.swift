// Per-tag score columns over the training rows, each a column of X read in place, an array of its own, or
// recomputed from a learner's fold models when read. A tag's base score is, unless the base level chose another,
// its own network score: a column of X. Reading it in place instead of copying it out (tags × rows Doubles,
// 0.86 × X on Mewo's layout), and recomputing the logistic learner's out-of-fold scores instead of holding them
// (RecomputedScores.swift), is what keeps training within 1.5 × X (Benchmarks/bench_catalogue.sh); other
// learned and fitted scores have arrays.
//
// Read a recomputed column whole (`subscript`) or rows across tags a chunk at a time (`forEachRow`,
// `forEachChunk`): `value` computes what it reads on its own (one row), for the occasional value.

import TagStackModel

/// Score columns (tags × rows), each a column of X, an array of its own, or recomputed.
struct ScoreColumns: Sendable {
    enum Column: Sendable {
        /// Column `j` of `x`, read in place.
        case input(Int)
        /// One value per row.
        case values([Double])
        /// Computed when read, from `recomputed`'s models of the tag.
        case recomputed
    }

    /// X, held by reference (its values are never copied: nothing mutates it).
    let x: FeatureTable
    var columns: [Column]
    /// The models `.recomputed` columns are computed from (nil when there is none).
    let recomputed: RecomputedScores?

    init(x: FeatureTable, columns: [Column], recomputed: RecomputedScores? = nil) {
        self.x = x; self.columns = columns; self.recomputed = recomputed
    }

    /// Columns `inputs` of `x`, read in place.
    init(x: FeatureTable, inputs: [Int]) {
        self.init(x: x, columns: inputs.map { .input($0) })
    }

    /// Columns of their own, `values[tag][row]`.
    init(x: FeatureTable, values: [[Double]]) {
        self.init(x: x, columns: values.map { .values($0) })
    }

    var count: Int { columns.count }
    var rowCount: Int { x.rowCount }

    /// Column `k`'s value of every row (a copy when it is a column of X; computed when recomputed).
    subscript(k: Int) -> [Double] {
        switch columns[k] {
        case .input(let j): return x.column(j)
        case .values(let v): return v
        case .recomputed: return recomputed!.column(k)
        }
    }

    /// Column `k`'s value on row `i` (computed alone when recomputed: read recomputed columns otherwise).
    func value(_ i: Int, _ k: Int) -> Double {
        switch columns[k] {
        case .input(let j): return x.values[i * x.columnCount + j]
        case .values(let v): return v[i]
        case .recomputed: return recomputed!.values(tags: [k], rows: [i])[0]
        }
    }

    /// Rows of a chunk `forEachRow` computes recomputed columns for at once.
    static let chunkRows = 1024

    /// `body(i, values)` for each row `i` of `rows` in order, `values` its value of every column (valid during
    /// the call). Recomputed columns are computed for a chunk of rows at a time (`chunkRows`).
    func forEachRow(_ rows: [Int], _ body: (Int, UnsafeBufferPointer<Double>) -> Void) {
        forEachChunk(rows) { chunk, values in
            for (r, i) in chunk.enumerated() { body(i, UnsafeBufferPointer(rebasing: values[(r * count)..<((r + 1) * count)])) }
        }
    }

    /// `body(rows, values)` for consecutive chunks of `chunkRows` rows covering every row, in order, `values`
    /// row-major (the chunk's rows, then every column; valid during the call).
    func forEachChunk(_ body: (Range<Int>, UnsafeBufferPointer<Double>) -> Void) {
        var start = 0
        forEachChunk(Array(0..<rowCount)) { chunk, values in
            body(start..<(start + chunk.count), values)
            start += chunk.count
        }
    }

    /// `body(chunk, values)` for consecutive chunks of `rows` (`chunkRows` each), `values` row-major (the chunk's
    /// rows, then every column; valid during the call): recomputed columns computed for a chunk at once.
    private func forEachChunk(_ rows: [Int], _ body: (ArraySlice<Int>, UnsafeBufferPointer<Double>) -> Void) {
        let recomputedTags = columns.indices.filter { if case .recomputed = columns[$0] { return true } else { return false } }
        var out = [Double](repeating: 0, count: min(rows.count, Self.chunkRows) * count)
        let w = x.columnCount, t = count
        x.values.withUnsafeBufferPointer { xv in
            out.withUnsafeMutableBufferPointer { o in
                for start in stride(from: 0, to: rows.count, by: Self.chunkRows) {
                    let chunk = rows[start..<min(rows.count, start + Self.chunkRows)]
                    let computed = recomputedTags.isEmpty ? [] : recomputed!.values(tags: recomputedTags, rows: Array(chunk))
                    for (r, i) in chunk.enumerated() {
                        var q = 0
                        for (k, c) in columns.enumerated() {
                            switch c {
                            case .input(let j): o[r * t + k] = xv[i * w + j]
                            case .values(let v): o[r * t + k] = v[i]
                            case .recomputed: o[r * t + k] = computed[q * chunk.count + r]; q += 1
                            }
                        }
                    }
                    body(chunk, UnsafeBufferPointer(rebasing: o[0..<(chunk.count * t)]))
                }
            }
        }
    }

    /// Every row's values, row-major rows × columns.
    func rowMajor() -> [Double] {
        let t = count
        var out = [Double](repeating: 0, count: rowCount * t)
        forEachRow(Array(0..<rowCount)) { i, r in
            for k in 0..<t { out[i * t + k] = r[k] }
        }
        return out
    }
}
