// Inference trees: flat node arrays, leaf values apart, raw-value thresholds (no bins needed to score).
//
// The comparison rule, stated once for the whole project:
//   at internal node `i`, a row goes LEFT when `value <= threshold[i]`, RIGHT when `value > threshold[i]`,
//   and to the side named by `defaultLeft[i]` when the value is NaN.
// A child index `c >= 0` is an internal node; `c < 0` is the leaf `~c` (LightGBM's convention).
// A tree with no split has no internal nodes and exactly one leaf.

/// One regression tree of a gradient-boosted ensemble, stored as flat arrays (struct of arrays).
///
/// Internal node `i` is described by `splitFeature[i]`, `threshold[i]`, `leftChild[i]`, `rightChild[i]` and
/// `defaultLeft[i]`; node 0 is the root. Leaves are numbered apart and their outputs live in `leafValue`.
/// Thresholds are raw feature values (the upper bound of a training bin), so scoring never needs bins.
/// Thresholds are always finite: a split that sends every non-missing value left stores
/// `Double.greatestFiniteMagnitude`.
public struct Tree: Codable, Sendable, Equatable {
    /// Feature (column) index tested at each internal node.
    public let splitFeature: [Int32]
    /// Raw threshold of each internal node: `value <= threshold` goes left.
    public let threshold: [Double]
    /// Left child of each internal node: `>= 0` an internal node, `< 0` the leaf `~child`.
    public let leftChild: [Int32]
    /// Right child of each internal node, same encoding as `leftChild`.
    public let rightChild: [Int32]
    /// Where a NaN goes at each internal node (learned at training time).
    public let defaultLeft: [Bool]
    /// Output of each leaf (already multiplied by the learning rate).
    public let leafValue: [Double]

    /// Creates a tree after checking that the arrays are consistent.
    ///
    /// - Throws: `ModelError.invalid` if the node arrays differ in length, if there is not exactly one more
    ///   leaf than internal nodes, if a child index is out of range or if a threshold or leaf value is not finite,
    ///   if the nodes do not form a tree (every node but the root, and every leaf, has exactly one parent), or if
    ///   the tree has more than `maximumNodes` internal nodes or is deeper than `maximumDepth`. These are checked
    ///   before anything is built from the tree, so a scorer's or an export's memory is linear in the file's size
    ///   (shared children would make a 40-node chain stand for 2^40 paths).
    public init(splitFeature: [Int32], threshold: [Double], leftChild: [Int32], rightChild: [Int32],
                defaultLeft: [Bool], leafValue: [Double]) throws {
        let n = splitFeature.count
        guard threshold.count == n, leftChild.count == n, rightChild.count == n, defaultLeft.count == n else {
            throw ModelError.invalid("tree: node arrays have different lengths (\(n), \(threshold.count), \(leftChild.count), \(rightChild.count), \(defaultLeft.count))")
        }
        guard leafValue.count == n + 1 else {
            throw ModelError.invalid("tree: \(n) internal nodes need \(n + 1) leaf values, found \(leafValue.count)")
        }
        for i in 0..<n {
            for c in [leftChild[i], rightChild[i]] {
                if c >= 0 {
                    guard Int(c) < n, Int(c) > i else { throw ModelError.invalid("tree: node \(i) has child node \(c) out of range 1..<\(n) or not after it") }
                } else {
                    guard Int(~c) < n + 1 else { throw ModelError.invalid("tree: node \(i) has child leaf \(~c) out of range 0..<\(n + 1)") }
                }
            }
            guard splitFeature[i] >= 0 else { throw ModelError.invalid("tree: node \(i) has feature \(splitFeature[i]) < 0") }
            guard threshold[i].isFinite else { throw ModelError.invalid("tree: node \(i) has threshold \(threshold[i]), not finite") }
        }
        for (k, v) in leafValue.enumerated() where !v.isFinite {
            throw ModelError.invalid("tree: leaf \(k) has value \(v), not finite")
        }
        guard n <= Tree.maximumNodes else {
            throw ModelError.invalid("tree: \(n) internal nodes, more than the \(Tree.maximumNodes) a tree may have")
        }
        // Exactly one parent each: with children after parents (checked above), the nodes form one tree.
        var parents = [UInt8](repeating: 0, count: 2 * n + 1)   // internal nodes 0..<n, then leaves
        var depth = [Int32](repeating: 0, count: n)           // depth of each internal node (root 0)
        var maxDepth = 0
        for i in 0..<n {
            for c in [leftChild[i], rightChild[i]] {
                let slot = c >= 0 ? Int(c) : n + Int(~c)
                guard parents[slot] == 0 else {
                    throw ModelError.invalid("tree: \(c >= 0 ? "node \(c)" : "leaf \(~c)") has more than one parent (node \(i) is the second): not a tree")
                }
                parents[slot] = 1
                let d = Int(depth[i]) + 1
                if c >= 0 { depth[Int(c)] = Int32(d) }
                maxDepth = max(maxDepth, d)
            }
            guard i == 0 || parents[i] == 1 else {
                throw ModelError.invalid("tree: node \(i) has no parent: not a tree")
            }
        }
        guard maxDepth <= Tree.maximumDepth else {
            throw ModelError.invalid("tree: depth \(maxDepth), more than the \(Tree.maximumDepth) a tree may have")
        }
        self.splitFeature = splitFeature; self.threshold = threshold
        self.leftChild = leftChild; self.rightChild = rightChild
        self.defaultLeft = defaultLeft; self.leafValue = leafValue
    }

    /// The most internal nodes a tree may have (2^20; `tagstack train --leaves` allows at most 65,536 leaves).
    public static let maximumNodes = 1 << 20
    /// The deepest a tree may be (as many levels as `tagstack train --leaves` allows leaves).
    public static let maximumDepth = 65_536

    /// A tree with no split: every row gets `value`.
    public init(constant value: Double) {
        splitFeature = []; threshold = []; leftChild = []; rightChild = []; defaultLeft = []; leafValue = [value]
    }

    /// Number of internal (split) nodes.
    public var nodeCount: Int { splitFeature.count }
    /// Number of leaves (`nodeCount + 1`).
    public var leafCount: Int { leafValue.count }
    /// Largest feature index used plus one (0 for a constant tree): the row length scoring needs.
    public var requiredFeatureCount: Int { Int(splitFeature.max() ?? -1) + 1 }

    /// The leaf a row falls into. `row[j]` is feature `j`; the row must have `requiredFeatureCount` values.
    @inlinable
    public func leafIndex(_ row: UnsafeBufferPointer<Double>) -> Int {
        if splitFeature.isEmpty { return 0 }
        var node: Int32 = 0
        while node >= 0 {
            let i = Int(node)
            let v = row[Int(splitFeature[i])]
            let goLeft = v.isNaN ? defaultLeft[i] : (v <= threshold[i])
            node = goLeft ? leftChild[i] : rightChild[i]
        }
        return Int(~node)
    }

    /// The tree's output for one row (`row[j]` is feature `j`).
    @inlinable
    public func predict(_ row: UnsafeBufferPointer<Double>) -> Double {
        leafValue[leafIndex(row)]
    }

    /// The tree's output for one row given as an array.
    public func predict(_ row: [Double]) -> Double {
        row.withUnsafeBufferPointer { predict($0) }
    }

    /// The tree with features `from...` fixed to `values[f - from]` (finite numbers): splits on them are
    /// resolved, the unreachable branches dropped, the other nodes kept in preorder (children after parents).
    /// For every row whose features `from...` equal `values`, the result's output equals this tree's. (Pooled
    /// scoring no longer uses it: PooledTrees.swift walks the shared ensemble once for all tags.)
    public func specialized(from: Int, values: [Double]) -> Tree {
        if splitFeature.isEmpty { return self }
        var f: [Int32] = [], th: [Double] = [], left: [Int32] = [], right: [Int32] = [], dl: [Bool] = []
        var leaves: [Double] = []
        /// Resolves fixed splits from `node` down; returns the new child code (node index or ~leaf).
        func emit(_ start: Int32) -> Int32 {
            var node = start
            while node >= 0 {
                let i = Int(node), j = Int(splitFeature[i])
                guard j >= from else { break }
                node = values[j - from] <= threshold[i] ? leftChild[i] : rightChild[i]
            }
            if node < 0 { leaves.append(leafValue[Int(~node)]); return ~Int32(leaves.count - 1) }
            let i = Int(node), me = f.count
            f.append(splitFeature[i]); th.append(threshold[i]); dl.append(defaultLeft[i]); left.append(0); right.append(0)
            left[me] = emit(leftChild[i])
            right[me] = emit(rightChild[i])
            return Int32(me)
        }
        _ = emit(0)
        // Preorder numbering keeps every child after its parent; the arrays are consistent by construction.
        return try! Tree(splitFeature: f, threshold: th, leftChild: left, rightChild: right, defaultLeft: dl, leafValue: leaves)
    }

    private enum CodingKeys: String, CodingKey {
        case splitFeature = "split_feature", threshold, leftChild = "left_child", rightChild = "right_child"
        case defaultLeft = "default_left", leafValue = "leaf_value"
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let splitFeature = try c.decode([Int32].self, forKey: .splitFeature)
        let threshold = try c.decode([Double].self, forKey: .threshold)
        let leftChild = try c.decode([Int32].self, forKey: .leftChild)
        let rightChild = try c.decode([Int32].self, forKey: .rightChild)
        let defaultLeft = try c.decode([Bool].self, forKey: .defaultLeft)
        let leafValue = try c.decode([Double].self, forKey: .leafValue)
        do {
            try self.init(splitFeature: splitFeature, threshold: threshold, leftChild: leftChild, rightChild: rightChild,
                          defaultLeft: defaultLeft, leafValue: leafValue)
        } catch ModelError.invalid(let why) {
            // Say which tree of the file: "at 'tags.[3].booster.trees.[0]': tree: ...".
            throw ModelError.invalid("at '\(decoder.codingPath.map(StackerModel.pathComponent).joined(separator: "."))': \(why)")
        }
    }
}
