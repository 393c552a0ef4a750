// Single-row tree scoring by bitvectors (QuickScorer, Lucchese et al., SIGIR 2015): instead of walking each
// tree node by node (a hard-to-predict branch per level), visit each feature's split nodes in threshold
// order and clear, per tree, the leaves a failed test rules out; a tree's exit leaf is then its leftmost
// remaining leaf.
//
// Notes for the hot loop (`accumulate`):
// - reads the feature vector and the packed nodes (read-only); writes only the caller's `leaves` scratch
//   (one UInt64 per tree) and `raw`;
// - contract: every tree has at most 64 leaves (`init?` returns nil otherwise; callers fall back to
//   `PackedTrees`); leaves are renumbered left to right so that "leftmost remaining" is the lowest set bit;
// - the comparison rule is Tree.swift's: a node's test fails (the row goes right) when `value > threshold`,
//   or when the value is NaN and the node does not send NaN left; the failed node clears its left subtree's
//   leaves;
// - outputs are added to `raw` tree by tree in tree order, so the sum equals `TreeEnsemble.rawScore(row:)`
//   (the plain twin; QuickScorerTests compare them bit for bit, NaNs included).

/// An ensemble's trees laid out for bitvector scoring of one row at a time.
struct QuickScorer: Sendable {
    /// Split nodes grouped by feature, each group sorted by threshold (ascending).
    var thresholds: [Double] = []
    var nodeTree: [Int32] = []
    /// Leaves to keep when the node's test fails (its left subtree's leaves cleared).
    var nodeMask: [UInt64] = []
    /// `featureStart[j]..<featureStart[j + 1]`: the nodes testing feature `j`.
    var featureStart: [Int] = []
    /// Nodes that send NaN right, by feature (the same grouping), as (tree, mask).
    var nanTree: [Int32] = [], nanMask: [UInt64] = [], nanStart: [Int] = []
    /// Leaf values, left-to-right order, tree after tree; `leafBase[t]` is tree `t`'s first.
    var leafValues: [Double] = []
    var leafBase: [Int] = []
    var treeCount: Int { leafBase.count }
    var featureCount: Int { featureStart.count - 1 }

    /// Nil when a tree has more than 64 leaves.
    init?(_ trees: [Tree]) {
        guard trees.allSatisfy({ $0.leafCount <= 64 }) else { return nil }
        let features = (trees.map(\.requiredFeatureCount).max() ?? 0)
        var byFeature = [[(Double, Int32, UInt64, Bool)]](repeating: [], count: features)
        for (ti, t) in trees.enumerated() {
            leafBase.append(leafValues.count)
            // Left-to-right leaf order, and for each internal node the bit range of its left subtree.
            var order: [Int] = []           // original leaf index by position
            var leftRange = [Range<Int>](repeating: 0..<0, count: t.nodeCount)
            func visit(_ c: Int32) -> Range<Int> {
                if c < 0 { order.append(Int(~c)); return (order.count - 1)..<order.count }
                let l = visit(t.leftChild[Int(c)])
                let r = visit(t.rightChild[Int(c)])
                leftRange[Int(c)] = l
                return l.lowerBound..<r.upperBound
            }
            _ = visit(t.nodeCount == 0 ? ~0 : 0)
            leafValues += order.map { t.leafValue[$0] }
            for i in 0..<t.nodeCount {
                var mask = UInt64.max
                for b in leftRange[i] { mask &= ~(UInt64(1) << UInt64(b)) }
                byFeature[Int(t.splitFeature[i])].append((t.threshold[i], Int32(ti), mask, t.defaultLeft[i]))
            }
        }
        featureStart = [0]; nanStart = [0]
        for nodes in byFeature {
            // Stable order on equal thresholds (tree order): clearing bits commutes, so any order is correct.
            let sorted = nodes.enumerated().sorted { ($0.element.0, $0.offset) < ($1.element.0, $1.offset) }.map(\.element)
            for n in sorted { thresholds.append(n.0); nodeTree.append(n.1); nodeMask.append(n.2) }
            featureStart.append(thresholds.count)
            for n in nodes where !n.3 { nanTree.append(n.1); nanMask.append(n.2) }
            nanStart.append(nanTree.count)
        }
    }

    /// Adds every tree's output for `row` (at least `featureCount` values) to `raw`, in tree order.
    /// `leaves` must hold at least `treeCount` values (scratch; overwritten).
    func accumulate(_ row: UnsafeBufferPointer<Double>, leaves: UnsafeMutablePointer<UInt64>, into raw: inout Double) {
        let n = treeCount
        leaves.update(repeating: .max, count: n)
        thresholds.withUnsafeBufferPointer { th in
        nodeTree.withUnsafeBufferPointer { tr in
        nodeMask.withUnsafeBufferPointer { mk in
            for j in 0..<featureCount {
                let v = row[j]
                if v.isNaN {
                    nanTree.withUnsafeBufferPointer { nt in
                        nanMask.withUnsafeBufferPointer { nm in
                            for k in nanStart[j]..<nanStart[j + 1] { leaves[Int(nt[k])] &= nm[k] }
                        }
                    }
                    continue
                }
                var k = featureStart[j]
                let end = featureStart[j + 1]
                // Tests fail (row goes right) exactly for the nodes with threshold < v.
                while k < end && th[k] < v {
                    leaves[Int(tr[k])] &= mk[k]
                    k += 1
                }
            }
        }
        }
        }
        leafValues.withUnsafeBufferPointer { lv in
            leafBase.withUnsafeBufferPointer { lb in
                for t in 0..<n { raw += lv[lb[t] + leaves[t].trailingZeroBitCount] }
            }
        }
    }
}
