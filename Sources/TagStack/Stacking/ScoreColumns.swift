// Per-tag score columns over the training rows, each either a column of X read in place or an array of its
// own. A tag's base score is, unless the base level chose another, its own network score: a column of X.
// Reading it in place instead of copying it out (tags × rows Doubles, 0.86 × X on Mewo's layout) is what
// keeps training within 1.5 × X (Benchmarks/bench_catalogue.sh); learned and fitted scores have arrays.

import TagStackModel

/// Score columns (tags × rows), each a column of X or an array of its own.
struct ScoreColumns: Sendable {
    enum Column: Sendable {
        /// Column `j` of `x`, read in place.
        case input(Int)
        /// One value per row.
        case values([Double])
    }

    /// X, held by reference (its values are never copied: nothing mutates it).
    let x: FeatureTable
    var columns: [Column]

    init(x: FeatureTable, columns: [Column]) {
        self.x = x; self.columns = columns
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

    /// Column `k`'s value of every row (a copy when it is a column of X).
    subscript(k: Int) -> [Double] {
        switch columns[k] {
        case .input(let j): return x.column(j)
        case .values(let v): return v
        }
    }

    /// Column `k`'s value on row `i`.
    @inline(__always) func value(_ i: Int, _ k: Int) -> Double {
        switch columns[k] {
        case .input(let j): return x.values[i * x.columnCount + j]
        case .values(let v): return v[i]
        }
    }

    /// Row `i`'s value of every column, into `out` (length `count`).
    func row(_ i: Int, into out: UnsafeMutableBufferPointer<Double>) {
        let w = x.columnCount
        x.values.withUnsafeBufferPointer { xv in
            for (k, c) in columns.enumerated() {
                switch c {
                case .input(let j): out[k] = xv[i * w + j]
                case .values(let v): out[k] = v[i]
                }
            }
        }
    }

    /// Every row's values, row-major rows × columns.
    func rowMajor() -> [Double] {
        let n = rowCount, t = count
        var out = [Double](repeating: 0, count: n * t)
        out.withUnsafeMutableBufferPointer { o in
            for i in 0..<n { row(i, into: UnsafeMutableBufferPointer(rebasing: o[(i * t)..<((i + 1) * t)])) }
        }
        return out
    }
}
