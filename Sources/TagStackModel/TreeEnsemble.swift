// Scoring a boosted ensemble: raw score = base score (or the row's initial score) + sum of tree outputs.
//
// Notes for the hot loop (`rawScores`):
// - reads `values` (row-major, read-only) and the trees; writes only the output array;
// - the trees are first packed into one array of 24-byte node records so a walk touches one cache line
//   per node; rows are scored in blocks so a tree's nodes stay in L1 while the block is walked;
// - sums are Double, added tree by tree in tree order, so the result equals `rawScore(row:)` bit for bit.
// The plain twin is `rawScore(row:)` (tested against each other in TreeTests).

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
        let packed = PackedTrees(trees)
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

/// The logistic function, computed without overflow for large |x|.
@inlinable public func sigmoid(_ x: Double) -> Double {
    x >= 0 ? 1 / (1 + exp(-x)) : { let e = exp(x); return e / (1 + e) }()
}

/// All trees of an ensemble packed into one node array for fast batch scoring.
struct PackedTrees {
    /// A node record. `left`/`right`: `>= 0` index into `nodes` (absolute), `< 0` leaf `~x` into `leaves` (absolute).
    struct Node {
        var threshold: Double
        var feature: Int32
        var left: Int32
        var right: Int32
        var defaultLeft: Bool
    }
    var nodes: [Node] = []
    var leaves: [Double] = []
    /// Per tree: root reference (node index, or ~leaf for a constant tree).
    var roots: [Int32] = []

    init(_ trees: [Tree]) {
        for t in trees {
            let nodeBase = Int32(nodes.count), leafBase = Int32(leaves.count)
            func map(_ c: Int32) -> Int32 { c >= 0 ? c + nodeBase : ~(~c + leafBase) }
            roots.append(t.nodeCount == 0 ? ~leafBase : nodeBase)
            for i in 0..<t.nodeCount {
                nodes.append(Node(threshold: t.threshold[i], feature: t.splitFeature[i],
                                  left: map(t.leftChild[i]), right: map(t.rightChild[i]), defaultLeft: t.defaultLeft[i]))
            }
            leaves.append(contentsOf: t.leafValue)
        }
    }

    /// Adds every tree's output for one feature vector to `raw`, tree by tree.
    func accumulateOne(_ row: UnsafeBufferPointer<Double>, into raw: inout Double) {
        nodes.withUnsafeBufferPointer { nb in
            leaves.withUnsafeBufferPointer { lb in
                for root in roots {
                    var node = root
                    while node >= 0 {
                        let n = nb[Int(node)]
                        let v = row[Int(n.feature)]
                        node = (v <= n.threshold || (n.defaultLeft && v.isNaN)) ? n.left : n.right
                    }
                    raw += lb[Int(~node)]
                }
            }
        }
    }

    /// Adds every tree's output to `out[r]` for the rows in `rows`, tree by tree, in blocks of 32 rows: a
    /// block's rows stay in cache while every tree walks them. (Measured: blocks of 32 beat 1, 8 and 256, and
    /// a branch-free walk was slower than this branchy one.)
    func accumulate(x: UnsafePointer<Double>, stride: Int, rows: Range<Int>, into out: UnsafeMutablePointer<Double>) {
        nodes.withUnsafeBufferPointer { nb in
            leaves.withUnsafeBufferPointer { lb in
                let block = 32
                var start = rows.lowerBound
                while start < rows.upperBound {
                    let end = min(start + block, rows.upperBound)
                    for root in roots {
                        if root < 0 {
                            let v = lb[Int(~root)]
                            for r in start..<end { out[r] += v }
                            continue
                        }
                        for r in start..<end {
                            let row = x + r &* stride
                            var node = root
                            repeat {
                                let n = nb[Int(node)]
                                let v = row[Int(n.feature)]
                                // Left when v <= threshold; a NaN compares false and goes left iff defaultLeft.
                                let goLeft = v <= n.threshold || (n.defaultLeft && v.isNaN)
                                node = goLeft ? n.left : n.right
                            } while node >= 0
                            out[r] += lb[Int(~node)]
                        }
                    }
                    start = end
                }
            }
        }
    }
}
