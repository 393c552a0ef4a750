// Scoring a boosted ensemble: raw score = base score (or the row's initial score) + sum of tree outputs.
//
// Notes for the hot loops:
// - `rawScores` (many rows) hands the rows to `BatchTrees` (BatchTrees.swift: four rows at a time through one
//   fixed-depth, branch-free tree); `PackedTrees` below is the single-row layout that `ModelScorer` walks
//   one track through every tree with (`accumulateOne`).
// - Both read the row-major values and the trees (read-only) and write only their output; sums are Double,
//   added tree by tree in tree order, so each result equals `rawScore(row:)` bit for bit.
// The plain twin is `rawScore(row:)` (tested against both in TreeTests and QuickScorerTests).

import Foundation

/// A gradient-boosted ensemble for one binary target: `rawScore = base + Σ trees`, probability = sigmoid.
public struct TreeEnsemble: Codable, Sendable, Equatable {
    /// Added to every row when no per-row initial score is given (the prior log-odds, or 0).
    public let baseScore: Double
    /// The trees, applied in order.
    public let trees: [Tree]

    public init(baseScore: Double, trees: [Tree]) {
        self.baseScore = baseScore; self.trees = trees
    }

    /// Number of feature values a row needs (largest feature index used plus one).
    public var requiredFeatureCount: Int { trees.map(\.requiredFeatureCount).max() ?? 0 }

    /// Raw score (log-odds) of one row; `initScore` replaces `baseScore` when given. Plain reference version.
    public func rawScore(row: UnsafeBufferPointer<Double>, initScore: Double? = nil) -> Double {
        var s = initScore ?? baseScore
        for t in trees { s += t.predict(row) }
        return s
    }

    /// Raw score of one row given as an array.
    public func rawScore(row: [Double], initScore: Double? = nil) -> Double {
        row.withUnsafeBufferPointer { rawScore(row: $0, initScore: initScore) }
    }

    /// Raw scores (log-odds) of many rows.
    ///
    /// - Parameters:
    ///   - values: `rowCount × columnCount` values, row-major; column `j` is feature `j`.
    ///   - initScores: per-row starting scores replacing `baseScore`, or nil.
    /// - Precondition: `columnCount >= requiredFeatureCount`, `values.count == rowCount * columnCount`.
    public func rawScores(values: [Double], rowCount: Int, columnCount: Int, initScores: [Double]? = nil) -> [Double] {
        precondition(values.count == rowCount * columnCount, "TreeEnsemble.rawScores: values do not match rows × columns")
        precondition(columnCount >= requiredFeatureCount, "TreeEnsemble.rawScores: rows have \(columnCount) columns, the trees need \(requiredFeatureCount)")
        if let s = initScores { precondition(s.count == rowCount, "TreeEnsemble.rawScores: \(s.count) initial scores for \(rowCount) rows") }
        var out = initScores ?? [Double](repeating: baseScore, count: rowCount)
        let packed = BatchTrees(trees)
        values.withUnsafeBufferPointer { x in
            out.withUnsafeMutableBufferPointer { o in
                packed.accumulate(x: x.baseAddress!, stride: columnCount, rows: 0..<rowCount, into: o.baseAddress!)
            }
        }
        return out
    }

    /// Probabilities `1 / (1 + exp(-rawScore))` of many rows (see `rawScores`).
    public func probabilities(values: [Double], rowCount: Int, columnCount: Int, initScores: [Double]? = nil) -> [Double] {
        rawScores(values: values, rowCount: rowCount, columnCount: columnCount, initScores: initScores).map(sigmoid)
    }

    private enum CodingKeys: String, CodingKey { case baseScore = "base_score", trees }
}

/// The logistic function, computed without overflow for large |x|: always in [0, 1]; NaN (a raw score formed
/// from opposite infinities) gives 1/2.
@inlinable public func sigmoid(_ x: Double) -> Double {
    x >= 0 ? 1 / (1 + exp(-x)) : x < 0 ? { let e = exp(x); return e / (1 + e) }() : 0.5
}

/// All trees of an ensemble packed into one node array for fast scoring.
///
/// Layout: each tree in preorder (a split node is followed by its left subtree, then its right subtree),
/// leaves stored as nodes too, so a walk reads one 16-byte record per level, the left child is always the
/// next record, and a leaf's value sits where the walk ends.
struct PackedTrees: Sendable {
    /// A split (`right >= 0`: `value` is the threshold, `feature` the column in bits 0-30, bit 31 set for default-left)
    /// or a leaf (`right < 0`: `value` is the output).
    struct Node {
        var value: Double
        var right: Int32
        var feature: UInt32
        static let defaultLeftBit: UInt32 = 1 << 31
    }
    var nodes: [Node] = []
    /// Per tree: index of its root record.
    var roots: [Int32] = []

    init(_ trees: [Tree]) {
        for t in trees {
            roots.append(Int32(nodes.count))
            emit(t, t.nodeCount == 0 ? ~0 : 0)
        }
    }

    private mutating func emit(_ t: Tree, _ c: Int32) {
        if c < 0 {
            nodes.append(Node(value: t.leafValue[Int(~c)], right: -1, feature: 0))
            return
        }
        let i = Int(c), me = nodes.count
        nodes.append(Node(value: t.threshold[i], right: 0,
                          feature: UInt32(t.splitFeature[i]) | (t.defaultLeft[i] ? Node.defaultLeftBit : 0)))
        emit(t, t.leftChild[i])
        nodes[me].right = Int32(nodes.count)
        emit(t, t.rightChild[i])
    }

    /// The output of the tree rooted at record `root` for `row` (the comparison rule of Tree.swift).
    @inline(__always)
    static func walk(_ nb: UnsafePointer<Node>, _ root: Int32, _ row: UnsafePointer<Double>) -> Double {
        var i = Int(root)
        while true {
            let n = nb[i]
            if n.right < 0 { return n.value }
            let v = row[Int(n.feature & ~Node.defaultLeftBit)]
            // `v <= t` is false for NaN, so NaN goes right unless the default-left bit is set.
            let left = (v <= n.value) || (v.isNaN && n.feature >= Node.defaultLeftBit)
            i = left ? i + 1 : Int(n.right)
        }
    }

    /// One step down from record `i` (a leaf stays where it is); no branch on the row's value.
    @inline(__always)
    static func step(_ nb: UnsafePointer<Node>, _ i: Int, _ row: UnsafePointer<Double>) -> Int {
        let n = nb[i]
        let v = row[Int(n.feature & ~Node.defaultLeftBit)]   // a leaf reads feature 0, unused
        let left = (v <= n.value) || (v.isNaN && n.feature >= Node.defaultLeftBit)
        let next = left ? i + 1 : Int(n.right)
        return n.right < 0 ? i : next
    }

    /// Adds every tree's output for one feature vector to `raw`, tree by tree.
    ///
    /// Four trees are walked side by side (their memory loads overlap), and their outputs are added one
    /// after the other in tree order, so the sum is the same as one tree at a time.
    func accumulateOne(_ row: UnsafeBufferPointer<Double>, into raw: inout Double) {
        guard let x = row.baseAddress else {
            // No features: only constant trees can be walked.
            nodes.withUnsafeBufferPointer { nb in for r in roots { raw += nb[Int(r)].value } }
            return
        }
        nodes.withUnsafeBufferPointer { nodeBuffer in
            roots.withUnsafeBufferPointer { rb in
                let nb = nodeBuffer.baseAddress!
                let count = rb.count
                var t = 0
                while t + 4 <= count {
                    var i0 = Int(rb[t]), i1 = Int(rb[t + 1]), i2 = Int(rb[t + 2]), i3 = Int(rb[t + 3])
                    while nb[i0].right >= 0 || nb[i1].right >= 0 || nb[i2].right >= 0 || nb[i3].right >= 0 {
                        i0 = PackedTrees.step(nb, i0, x); i1 = PackedTrees.step(nb, i1, x)
                        i2 = PackedTrees.step(nb, i2, x); i3 = PackedTrees.step(nb, i3, x)
                    }
                    raw += nb[i0].value; raw += nb[i1].value; raw += nb[i2].value; raw += nb[i3].value
                    t += 4
                }
                while t < count { raw += PackedTrees.walk(nb, rb[t], x); t += 1 }
            }
        }
    }
}
